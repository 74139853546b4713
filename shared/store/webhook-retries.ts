import { BatchWriteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScheduledRetry, ScheduledRetryStore } from '../partner-webhooks/contract';
import { WEBHOOK_RETRY_SHARDS, webhookRetryPartition, webhookRetrySweepKey } from './keys';
import { queryAll } from './query';
import { TABLE } from './table';

const MINUTE_MS = 60_000;
/** Where a first sweep (no cursor yet) starts: retries are always scheduled more than 15 minutes ahead, so an hour back is ample. */
const FIRST_SWEEP_LOOKBACK_MS = 60 * MINUTE_MS;
/** Minutes one sweep reads at most: after an outage the sweeper catches up two hours per run. */
const MAX_MINUTES_PER_SWEEP = 120;
/** A row the sweeper somehow never moves still goes, a week after it was due. */
const ROW_TTL_SECONDS = 7 * 24 * 60 * 60;
const BATCH_WRITE_SIZE = 25;
const BATCH_WRITE_ROUNDS = 5;

const minuteOf = (at: Date | string): string => new Date(at).toISOString().slice(0, 16);
const shardOf = (retry: ScheduledRetry): number => {
  const text = `${retry.task.endpointId}#${retry.task.event.id}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % WEBHOOK_RETRY_SHARDS;
};
const keyOf = (retry: ScheduledRetry) => ({
  pk: webhookRetryPartition(minuteOf(retry.dueAt), shardOf(retry)),
  sk: `${retry.dueAt}#${retry.task.endpointId}#${retry.task.event.id}#${retry.task.attempt}`,
});

/**
 * Retries due later than an SQS delay reaches, in one partition per (minute due, shard). The
 * sweeper reads the minutes after its cursor up to 14 minutes ahead (a few Queries a minute) and
 * moves them to the retry queue with the remaining delay, so they fire on time to the second.
 */
export function dynamoScheduledRetryStore(db: DynamoDBDocumentClient, tableName: string, now: () => Date = () => new Date()): ScheduledRetryStore {
  async function batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) {
      let pending = requests.slice(i, i + BATCH_WRITE_SIZE);
      for (let round = 0; pending.length > 0; round++) {
        if (round === BATCH_WRITE_ROUNDS) throw new Error(`${pending.length} scheduled-retry writes were still unprocessed after ${BATCH_WRITE_ROUNDS} rounds`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
        const reply = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
        pending = (reply.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined) ?? [];
      }
    }
  }

  return {
    async schedule(retries) {
      await batchWrite(
        retries.map((retry) => ({
          PutRequest: {
            Item: {
              ...keyOf(retry),
              entity: 'WebhookRetry',
              dueAt: retry.dueAt,
              task: retry.task,
              [TABLE.ttlAttribute]: Math.floor(Date.parse(retry.dueAt) / 1000) + ROW_TTL_SECONDS,
            },
          },
        })),
      );
    },

    async due(until, limit) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: webhookRetrySweepKey(), ConsistentRead: true }));
      const last = Math.floor(until.getTime() / MINUTE_MS) * MINUTE_MS;
      const first = typeof Item?.through === 'string' ? Date.parse(Item.through) + MINUTE_MS : Math.floor((now().getTime() - FIRST_SWEEP_LOOKBACK_MS) / MINUTE_MS) * MINUTE_MS;
      const retries: ScheduledRetry[] = [];
      let through: Date | undefined;
      for (let minute = first, n = 0; minute <= last && n < MAX_MINUTES_PER_SWEEP; minute += MINUTE_MS, n++) {
        const bucket = new Date(minute).toISOString().slice(0, 16);
        const shards = await Promise.all(
          Array.from({ length: WEBHOOK_RETRY_SHARDS }, (_, shard) =>
            queryAll(db, { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': webhookRetryPartition(bucket, shard) } }),
          ),
        );
        const rows = shards.flat().map((item) => ({ dueAt: item.dueAt as string, task: item.task as ScheduledRetry['task'] }));
        // A minute is taken whole or not at all, so `through` never passes a retry left behind.
        if (retries.length > 0 && retries.length + rows.length > limit) break;
        retries.push(...rows.sort((a, b) => a.dueAt.localeCompare(b.dueAt)));
        through = new Date(minute);
      }
      return { retries, ...(through ? { through } : {}) };
    },

    async remove(retries) {
      await batchWrite(retries.map((retry) => ({ DeleteRequest: { Key: keyOf(retry) } })));
    },

    async sweptThrough(through) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...webhookRetrySweepKey(), entity: 'WebhookRetrySweep', through: through.toISOString() },
          // Two sweeps never run at once in AWS (one schedule), but the cursor must only move forward.
          ConditionExpression: 'attribute_not_exists(through) OR through < :through',
          ExpressionAttributeValues: { ':through': through.toISOString() },
        }),
      ).catch((error: { name?: string }) => {
        if (error?.name !== 'ConditionalCheckFailedException') throw error;
      });
    },
  };
}
