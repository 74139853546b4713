import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

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
