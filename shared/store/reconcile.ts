import { DeleteCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  RECONCILE_SHARDS,
  messageReconcileIndex,
  messageReconcileKey,
  onboardingKey,
  onboardingReconcileIndex,
  reconcilePartition,
  type ReconcileKind,
} from './keys';

/**
 * The reconciliation sweep's view of the table: records waiting on Twilio, oldest first, from the
 * sparse gsi1 partitions of keys.ts (onboarding records with a waiting step, message markers).
 * Every move of an entry is conditional on the sort key the sweep read, so of two sweeps that
 * read the same entry only one claims it, and a record that changed meanwhile (a step that went
 * waiting again) keeps the entry its own write gave it.
 */
export interface ReconcileCandidate {
  kind: ReconcileKind;
  partnerId: string;
  customerId: string;
  /** Messages only. */
  messageId?: string;
  /** When the record was last heard of or checked (ISO), from the index sort key. */
  since: string;
  /** The index sort key as read: the claim's condition. */
  sortKey: string;
}

/** How long a closed message marker is kept, with its reason, before the table's TTL deletes it. */
const CLOSED_MARKER_SECONDS = 30 * 24 * 3600;

const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function candidateOf(kind: ReconcileKind, sortKey: string): ReconcileCandidate | undefined {
  const [since, partnerId, customerId, messageId] = sortKey.split('#');
  if (!since || !partnerId || !customerId || (kind === 'message' && !messageId)) return undefined;
  return { kind, partnerId, customerId, ...(kind === 'message' ? { messageId } : {}), since, sortKey };
}

export function reconcileStore(db: DynamoDBDocumentClient, tableName: string) {
  const keyOf = (c: ReconcileCandidate) => (c.kind === 'onboarding' ? onboardingKey(c.partnerId, c.customerId) : messageReconcileKey(c.partnerId, c.customerId, c.messageId!));
  const sortKeyAt = (c: ReconcileCandidate, at: string) =>
    c.kind === 'onboarding' ? onboardingReconcileIndex(c.partnerId, c.customerId, at).gsi1sk : messageReconcileIndex(c.partnerId, c.customerId, c.messageId!, at).gsi1sk;

  return {
    /**
     * Up to `limit` entries of one kind last heard of or checked before `before` (ISO), oldest
     * first across the shards: one Query per shard, each bounded by the key range and the limit.
     */
    async due(kind: ReconcileKind, before: string, limit: number): Promise<ReconcileCandidate[]> {
      const shards = await Promise.all(
        Array.from({ length: RECONCILE_SHARDS }, async (_, shard) => {
          const { Items = [] } = await db.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'gsi1',
              // '#' sorts below every character of an id, so `< before#` is "since before `before`".
              KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
              ExpressionAttributeValues: { ':pk': reconcilePartition(kind, shard), ':before': `${before}#` },
              Limit: limit,
            }),
          );
          return Items.map((item) => candidateOf(kind, String(item.gsi1sk))).filter((c): c is ReconcileCandidate => c !== undefined);
        }),
      );
      return shards
        .flat()
        .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
        .slice(0, limit);
    },

    /**
     * Moves the entry to the back (checked `at`) if it still is what the sweep read; false when
     * another sweep claimed it first or the record moved on meanwhile. The claim is what makes an
     * overlapping run skip the entry instead of repairing (and telling) it twice.
     */
    async claim(c: ReconcileCandidate, at: string): Promise<ReconcileCandidate | undefined> {
      const sortKey = sortKeyAt(c, at);
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(c),
            UpdateExpression: 'SET gsi1sk = :next',
            ConditionExpression: 'gsi1sk = :seen',
            ExpressionAttributeValues: { ':next': sortKey, ':seen': c.sortKey },
          }),
        );
        return { ...c, since: at, sortKey };
      } catch (error) {
        if (conditionFailed(error)) return undefined;
        throw error;
      }
    },

    /**
     * Takes a claimed entry out of the index: nothing is waited for any more. An onboarding record
     * keeps its row (only its index keys go); a message marker is deleted, or with `reason`
     * (given up: gone at Twilio, no final status in time) kept for a while with why.
     */
    async close(c: ReconcileCandidate, at: string, reason?: string): Promise<boolean> {
      try {
        if (c.kind === 'message' && !reason) {
          await db.send(new DeleteCommand({ TableName: tableName, Key: keyOf(c), ConditionExpression: 'gsi1sk = :seen', ExpressionAttributeValues: { ':seen': c.sortKey } }));
          return true;
        }
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(c),
            UpdateExpression: reason ? 'REMOVE gsi1pk, gsi1sk SET closedAt = :at, closedReason = :reason, expiresAt = :expires' : 'REMOVE gsi1pk, gsi1sk',
            ConditionExpression: 'gsi1sk = :seen',
            ExpressionAttributeValues: {
              ':seen': c.sortKey,
              ...(reason ? { ':at': at, ':reason': reason, ':expires': Math.floor(Date.parse(at) / 1000) + CLOSED_MARKER_SECONDS } : {}),
            },
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },
  };
}

export type ReconcileStore = ReturnType<typeof reconcileStore>;
