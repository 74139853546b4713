import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { counterAttribute, type UsageDelta } from '../domain/usage';
import { usageCounterKey, usagePartition } from './keys';
import type { TransactItem } from './messages';
import { queryAll } from './query';

/**
 * A customer's monthly message counters (see table.ts). A count is never written on its own: the
 * write that creates or changes the message carries its counter item in the same transaction, so
 * the count moves exactly when that write's condition held — a redelivered webhook or a replayed
 * send fails the condition and counts nothing.
 */
export function usageStore(db: DynamoDBDocumentClient, tableName: string) {
  return {
    /** ADDs the delta to the month's row of the message's shard (created at the first count). */
    counterItem(partnerId: string, customerId: string, month: string, messageId: string, delta: UsageDelta): TransactItem {
      const messages = counterAttribute(delta.channel, delta.direction, 'messages');
      const segments = counterAttribute(delta.channel, delta.direction, 'segments');
      return {
        Update: {
          TableName: tableName,
          Key: usageCounterKey(partnerId, customerId, month, messageId),
          UpdateExpression: 'SET entity = :entity, partnerId = :p, customerId = :c, #month = :month ADD #m :m, #s :s',
          ExpressionAttributeNames: { '#month': 'month', '#m': messages, '#s': segments },
          ExpressionAttributeValues: { ':entity': 'UsageCounter', ':p': partnerId, ':c': customerId, ':month': month, ':m': delta.messages, ':s': delta.segments },
        },
      };
    },

    /** Every counter row of the month: one Query of a partition of at most USAGE_SHARDS rows. */
    async month(partnerId: string, customerId: string, month: string): Promise<Array<Record<string, unknown>>> {
      return queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': usagePartition(partnerId, customerId, month) },
        ConsistentRead: true,
      });
    },
  };
}

export type UsageStore = ReturnType<typeof usageStore>;
