import fc from 'fast-check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ValidationError } from '../../../shared/domain/errors';
import { pager } from '../../../shared/services/page';
import { queryUpTo } from '../../../shared/store/query';

const ids = pager<{ id: string }>('things', /^th_\d{3}$/, (t) => t.id);
const thing = (n: number) => ({ id: `th_${String(n).padStart(3, '0')}` });
const scope = ['ptn_a'];

/** Walks a list read whole to its end, the way a partner pages with nextCursor. */
function walk(all: Array<{ id: string }>, limit: number, at = scope) {
  const pages: string[][] = [];
  const cursors: Array<string | null> = [];
  let cursor: string | undefined;
  do {
    const { items, nextCursor } = ids.pageOfAll(all, limit, ids.after(cursor, at), at);
    pages.push(items.map((t) => t.id));
    cursors.push(nextCursor);
    cursor = nextCursor ?? undefined;
  } while (cursor && pages.length < 1000);
  return { pages, cursors };
}

function fieldOf(attempt: () => unknown): string | undefined {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors?.map((e) => e.field).join(',');
    throw error;
  }
  return undefined;
}

describe('pager', () => {
  it('answers exactly `limit` items with a null nextCursor', () => {
    const read = [thing(1), thing(2), thing(3)];
    expect(ids.page(read, 3, scope)).toEqual({ items: read, nextCursor: null });
  });

  it('cuts limit + 1 items to a page with a cursor that starts the next page after its last item', () => {
    const read = [thing(1), thing(2), thing(3)];
    const { items, nextCursor } = ids.page(read, 2, scope);
    expect(items).toEqual([thing(1), thing(2)]);
    expect(ids.after(nextCursor!, scope)).toBe('th_002');
  });

  it('walks any list once, in order, with full pages and no empty last page', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 999 }), { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (numbers, limit) => {
        const all = [...numbers].sort((a, b) => a - b).map(thing);
        const { pages, cursors } = walk(all, limit);
        expect(pages.flat()).toEqual(all.map((t) => t.id));
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
        if (all.length > 0) expect(pages.at(-1)!.length).toBeGreaterThan(0);
        expect(cursors.at(-1)).toBeNull();
        expect(pages).toHaveLength(Math.max(1, Math.ceil(all.length / limit)));
      }),
    );
  });

  it('continues after a position whose item is gone', () => {
    const { nextCursor } = ids.pageOfAll([thing(1), thing(2), thing(3)], 1, undefined, scope);
    expect(ids.pageOfAll([thing(2), thing(3)], 1, ids.after(nextCursor!, scope), scope).items).toEqual([thing(2)]);
  });

  it("refuses malformed cursors, and the cursors of another list or another scope, naming query.cursor", () => {
    const { nextCursor } = ids.page([thing(1), thing(2)], 1, scope);
    const cursor = nextCursor!;
    const others = pager<{ id: string }>('other-things', /^th_\d{3}$/, (t) => t.id);
    const forged = Buffer.from(JSON.stringify({ p: 'th_001', s: 'x' })).toString('base64url');
    const badPosition = Buffer.from(JSON.stringify({ p: 'PARTNER#ptn_b', s: 'x' })).toString('base64url');
    const flipped = cursor.slice(0, -1) + (cursor.endsWith('A') ? 'B' : 'A');
    for (const bad of ['garbage!', '', 'x'.repeat(600), cursor.slice(0, -2), flipped, forged, badPosition, Buffer.from('[1]').toString('base64url'), Buffer.from('null').toString('base64url')]) {
      expect(fieldOf(() => ids.after(bad, scope))).toBe('query.cursor');
    }
    expect(fieldOf(() => ids.after(cursor, ['ptn_b']))).toBe('query.cursor');
    expect(fieldOf(() => others.after(cursor, scope))).toBe('query.cursor');
    expect(fieldOf(() => ids.after(cursor, scope))).toBeUndefined();
  });

  it('makes a cursor for a reader that knows where its next page starts, and none at the end', () => {
    expect(ids.continueAfter(undefined, scope)).toBeNull();
    expect(ids.after(ids.continueAfter('th_007', scope)!, scope)).toBe('th_007');
  });
});

describe('queryUpTo', () => {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const ddb = mockClient(db);
  beforeEach(() => ddb.reset());
  const input = { TableName: 'tbl', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'P' } };

  it('follows short pages until it has what was wanted, asking only for what is missing', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ n: 1 }], LastEvaluatedKey: { pk: 'P', sk: '1' } })
      .resolvesOnce({ Items: [{ n: 2 }, { n: 3 }], LastEvaluatedKey: { pk: 'P', sk: '3' } });
    await expect(queryUpTo(db, input, 3, { start: { pk: 'P', sk: '0' } })).resolves.toEqual({ items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(ddb.commandCalls(QueryCommand).map((c) => [c.args[0].input.Limit, c.args[0].input.ExclusiveStartKey])).toEqual([
      [3, { pk: 'P', sk: '0' }],
      [2, { pk: 'P', sk: '1' }],
    ]);
  });

  it('stops at the end of the key range', async () => {
    ddb.on(QueryCommand).resolvesOnce({ Items: [{ n: 1 }] });
    await expect(queryUpTo(db, input, 5)).resolves.toEqual({ items: [{ n: 1 }] });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 1);
  });

  it('keeps asking a filtered Query for a full page, and says where it stopped at the page cap', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: { pk: 'P', sk: 'x' } });
    await expect(queryUpTo(db, { ...input, FilterExpression: 'a = :a' }, 4, { maxPages: 2 })).resolves.toEqual({ items: [], stoppedAt: { pk: 'P', sk: 'x' } });
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit)).toEqual([4, 4]);
  });
});
