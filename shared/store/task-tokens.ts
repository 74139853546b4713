import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Task tokens of waiting onboarding steps, keyed by what they wait for (`waitingFor`, e.g.
 * `brand-registration:BN…`), so a status event — which only knows the Twilio SID — finds the
 * execution to resume in one write.
 *
 * | Entity     | pk                   | sk    | attributes                                                  |
 * |------------|----------------------|-------|-------------------------------------------------------------|
 * | Task token | WAIT#<waitingFor>    | TOKEN | token?, executionName, step, parkedAt, arrivedAt?, expiresAt |
 *
 * Both sides use conditional single-item updates, so an event and the wait task racing each other
 * resume the execution at most once: the event takes the token if one is parked; otherwise it
 * leaves `arrivedAt`, which the next wait finds and resumes itself.
 */
export const taskTokenKey = (waitingFor: string) => ({ pk: `WAIT#${waitingFor}`, sk: 'TOKEN' });

/** Tokens outlive the longest wait of the state machine, then expire through the table TTL. */
const RETENTION_SECONDS = 30 * 24 * 3600;

export interface ParkedToken {
  executionName: string;
  step: string;
}

export interface TaskTokenRepository {
  /** Parks the token; true when an event for the key arrived while nothing was parked (it is consumed). */
  park(waitingFor: string, token: string, meta: ParkedToken, at: Date): Promise<{ eventArrived: boolean }>;
  /** Removes the token if it is still `token`; false when an event took it first. */
  unpark(waitingFor: string, token: string): Promise<boolean>;
  /** Takes the parked token, or records the arrival when none is parked. */
  take(waitingFor: string, at: Date): Promise<string | undefined>;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoTaskTokenRepository(db: DynamoDBDocumentClient, tableName: string): TaskTokenRepository {
  const expiresAt = (at: Date) => Math.floor(at.getTime() / 1000) + RETENTION_SECONDS;
  return {
    async park(waitingFor, token, meta, at) {
      const out = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: taskTokenKey(waitingFor),
          UpdateExpression: 'SET #token = :token, executionName = :execution, step = :step, parkedAt = :at, expiresAt = :exp REMOVE arrivedAt',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token, ':execution': meta.executionName, ':step': meta.step, ':at': at.toISOString(), ':exp': expiresAt(at) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { eventArrived: Boolean(out.Attributes?.arrivedAt) };
    },

    async unpark(waitingFor, token) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: taskTokenKey(waitingFor),
            UpdateExpression: 'REMOVE #token',
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': token },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async take(waitingFor, at) {
      // The arrival marker is conditional on no token being parked: a wait that parks between the
      // failed take and the marker would otherwise never see it (its park already ran), and the
      // execution would sit until its timeout. When the marker loses that race, take the new token.
      for (let tries = 0; tries < 3; tries++) {
        try {
          const out = await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: taskTokenKey(waitingFor),
              UpdateExpression: 'REMOVE #token',
              ConditionExpression: 'attribute_exists(#token)',
              ExpressionAttributeNames: { '#token': 'token' },
              ReturnValues: 'ALL_OLD',
            }),
          );
          return out.Attributes?.token as string;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        // Nothing parked: the wait task has not stored its token yet (or the step is not waiting).
        try {
          await db.send(
            new UpdateCommand({
              TableName: tableName,
              Key: taskTokenKey(waitingFor),
              UpdateExpression: 'SET arrivedAt = :at, expiresAt = :exp',
              ConditionExpression: 'attribute_not_exists(#token)',
              ExpressionAttributeNames: { '#token': 'token' },
              ExpressionAttributeValues: { ':at': at.toISOString(), ':exp': expiresAt(at) },
            }),
          );
          return undefined;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      return undefined;
    },
  };
}
