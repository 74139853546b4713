import type { KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Every item a Query matches, following its 1 MB pages; for partitions that stay small (one customer's numbers, one contact's ledger). */
export async function queryAll(db: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface QueryUpTo {
  /** At most `wanted` items, in the Query's order. */
  items: Record<string, unknown>[];
  /**
   * Where DynamoDB would continue when it stopped before `wanted` items for another reason than
   * the end of the key range: the page cap (a selective filter) was reached. Undefined otherwise.
   */
  stoppedAt?: Record<string, unknown>;
}

/**
 * Up to `wanted` items of a Query, starting after `start`, following 1 MB pages and the pages a
 * filter leaves short. A list reads one item more than its page (`wanted` = limit + 1): that item
 * says whether a further page exists, so a reader never gets an empty last page (see
 * `shared/services/page.ts`). `maxPages` bounds the requests a selective filter can cost.
 */
export async function queryUpTo(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  wanted: number,
  { start, maxPages = Infinity }: { start?: Record<string, unknown>; maxPages?: number } = {},
): Promise<QueryUpTo> {
  const items: Record<string, unknown>[] = [];
  let next = start;
  for (let pages = 0; items.length < wanted; pages++) {
    if (pages === maxPages) return { items, stoppedAt: next };
    // Limit counts items evaluated, before a filter: a filtered Query keeps asking for a full page.
    const page = await db.send(new QueryCommand({ ...input, Limit: input.FilterExpression ? wanted : wanted - items.length, ExclusiveStartKey: next }));
    items.push(...(page.Items ?? []).slice(0, wanted - items.length));
    next = page.LastEvaluatedKey;
    if (!next) break;
  }
  return { items };
}

/** Keys a BatchGetItem takes at once. */
const BATCH_GET_MAX_KEYS = 100;
/** Rounds for keys DynamoDB leaves unprocessed (throttling) before the read fails. */
const BATCH_GET_ROUNDS = 5;

/**
 * The items of `keys` that exist (in no particular order), in batches of 100. Keys DynamoDB
 * leaves unprocessed are asked for again after a short, growing pause, as AWS advises; still
 * unprocessed after a few rounds, the read fails rather than report an item missing that is not.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: Pick<KeysAndAttributes, 'ConsistentRead' | 'ProjectionExpression' | 'ExpressionAttributeNames'> = {},
  pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + BATCH_GET_MAX_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round === BATCH_GET_ROUNDS) throw new Error(`DynamoDB left ${pending.length} key(s) unprocessed after ${BATCH_GET_ROUNDS} batch reads`);
      if (round > 0) await pause(25 * 2 ** round * (0.5 + Math.random() / 2));
      const out = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { ...options, Keys: pending } } }));
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return items;
}
