import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PartnerEvent, PartnerEventInput } from '../services/partner-events-contract';
import { PARTNER_EVENT_PREFIX, partnerEventCounterKey, partnerEventKey } from './keys';

export interface PartnerEventRepository {
  /** The last sequence number used in the partner's log (0 when empty). */
  lastSequence(partnerId: string): Promise<number>;
  /** Writes the event as number `expected + 1` if nobody else appended since `expected` was read. */
  appendAfter(partnerId: string, expected: number, event: PartnerEventInput, occurredAt: string): Promise<PartnerEvent | undefined>;
  /** Events after `afterSequence`, oldest first. */
  list(partnerId: string, afterSequence: number, limit: number): Promise<PartnerEvent[]>;
}

const sequenceOf = (sk: string) => Number(sk.slice(PARTNER_EVENT_PREFIX.length));

export function dynamoPartnerEventRepository(db: DynamoDBDocumentClient, tableName: string): PartnerEventRepository {
  return {
    async lastSequence(partnerId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerEventCounterKey(partnerId), ConsistentRead: true }));
      return typeof Item?.sequence === 'number' ? Item.sequence : 0;
    },

    async appendAfter(partnerId, expected, event, occurredAt) {
      const sequence = expected + 1;
      const stored: PartnerEvent = { id: String(sequence), occurredAt, ...event };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: partnerEventCounterKey(partnerId),
                  UpdateExpression: 'SET #sequence = :next',
                  ConditionExpression: expected === 0 ? 'attribute_not_exists(#sequence)' : '#sequence = :expected',
                  ExpressionAttributeNames: { '#sequence': 'sequence' },
                  ExpressionAttributeValues: expected === 0 ? { ':next': sequence } : { ':next': sequence, ':expected': expected },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...partnerEventKey(partnerId, sequence), entity: 'PartnerEvent', ...stored },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return stored;
      } catch (error) {
        if (error instanceof TransactionCanceledException) return undefined;
        throw error;
      }
    },

    async list(partnerId, afterSequence, limit) {
      const { pk } = partnerEventCounterKey(partnerId);
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': pk, ':after': partnerEventKey(partnerId, afterSequence).sk },
          Limit: limit,
        }),
      );
      return (page.Items ?? []).map((item) => ({
        id: String(sequenceOf(item.sk as string)),
        type: item.type as string,
        occurredAt: item.occurredAt as string,
        ...(item.customerId ? { customerId: item.customerId as string } : {}),
        data: item.data as Record<string, unknown>,
      }));
    },
  };
}
