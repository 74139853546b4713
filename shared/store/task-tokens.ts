import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Task tokens of waiting onboarding steps, keyed by what they wait for (`waitingFor`, e.g.
 * `brand-registration:BN…`), so a status event — which only knows the Twilio SID — finds the
 * execution to resume in one write.
 *
 * | Entity     | pk                   | sk    | attributes                                                  |
 * |------------|----------------------|-------|-------------------------------------------------------------|
 * | Task token | WAIT#<waitingFor>    | TOKEN | token?, executionName, step, parkedAt, arrivedAt?, tookToken?, expiresAt |
 *
 * Both sides use single-item updates, so an event and the wait task racing each other resume the
 * execution at most once: the event takes the token if one is parked; otherwise its `arrivedAt`
 * (with `tookToken` = none) tells the next wait to resume itself.
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

/** `tookToken` of an arrival that found nothing parked. */
const NOTHING_PARKED = 'none';

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoTaskTokenRepository(db: DynamoDBDocumentClient, tableName: string): TaskTokenRepository {
  const expiresAt = (at: Date) => Math.floor(at.getTime() / 1000) + RETENTION_SECONDS;
  return {
    async park(waitingFor, token, meta, at) {
      const out = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: taskTokenKey(waitingFor),
          UpdateExpression: 'SET #token = :token, executionName = :execution, step = :step, parkedAt = :at, expiresAt = :exp REMOVE arrivedAt, tookToken',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token, ':execution': meta.executionName, ':step': meta.step, ':at': at.toISOString(), ':exp': expiresAt(at) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      // An arrival that took a token resumed that wait; only one that found none is for this one.
      return { eventArrived: Boolean(out.Attributes?.arrivedAt) && out.Attributes?.tookToken === NOTHING_PARKED };
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
      // One atomic write either way: the token (if parked) is removed and returned, and the
      // arrival is recorded with what it took (`none` when nothing was parked), so the next park
      // resumes itself only for an arrival that found no token. No window between a failed take
      // and a marker in which a wait could park unseen.
      const out = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: taskTokenKey(waitingFor),
          UpdateExpression: 'SET arrivedAt = :at, tookToken = if_not_exists(#token, :none), expiresAt = :exp REMOVE #token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':none': NOTHING_PARKED, ':exp': expiresAt(at) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes?.token as string | undefined;
    },
  };
}
