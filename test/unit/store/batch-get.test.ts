import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from '../../../shared/store/query';

type Key = { pk: string; sk: string };
const keyOf = (n: number): Key => ({ pk: 'P', sk: `K#${String(n).padStart(3, '0')}` });

/** A client answering BatchGetItem from `stored`, leaving the keys `leave(round, keys)` names unprocessed. */
function fakeDb(stored: Set<string>, leave: (call: number, keys: Key[]) => Key[] = () => []) {
  const calls: Array<{ keys: Key[]; options: Record<string, unknown> }> = [];
  const db = {
    send: async (command: { input: { RequestItems: Record<string, { Keys: Key[] } & Record<string, unknown>> } }) => {
      const { Keys, ...options } = command.input.RequestItems.table!;
      calls.push({ keys: Keys, options });
      const unprocessed = leave(calls.length, Keys);
      const answered = Keys.filter((k) => !unprocessed.some((u) => u.sk === k.sk) && stored.has(k.sk));
      return { Responses: { table: answered.map((k) => ({ ...k, id: k.sk })) }, UnprocessedKeys: unprocessed.length ? { table: { Keys: unprocessed } } : {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return { db, calls };
}

describe('batchGetAll', () => {
  it('reads in batches of 100 with the options given, and returns only the items that exist', async () => {
    const keys = Array.from({ length: 230 }, (_, n) => keyOf(n));
    const { db, calls } = fakeDb(new Set(keys.filter((_, n) => n % 2 === 0).map((k) => k.sk)));
    const items = await batchGetAll(db, 'table', keys, { ProjectionExpression: 'id' });
    expect(calls.map((c) => c.keys.length)).toEqual([100, 100, 30]);
    expect(calls.every((c) => c.options.ProjectionExpression === 'id')).toBe(true);
    expect(items.map((i) => i.id).sort()).toEqual(keys.filter((_, n) => n % 2 === 0).map((k) => k.sk));
  });

  it('asks again for the keys DynamoDB left unprocessed, after a growing pause', async () => {
    const keys = [keyOf(1), keyOf(2), keyOf(3)];
    const { db, calls } = fakeDb(new Set(keys.map((k) => k.sk)), (call, asked) => (call <= 2 ? asked.slice(1) : []));
    const pauses: number[] = [];
    const items = await batchGetAll(db, 'table', keys, {}, async (ms) => void pauses.push(ms));
    expect(calls.map((c) => c.keys.map((k) => k.sk))).toEqual([['K#001', 'K#002', 'K#003'], ['K#002', 'K#003'], ['K#003']]);
    expect(items).toHaveLength(3);
    expect(pauses).toHaveLength(2);
    expect(pauses[1]!).toBeGreaterThanOrEqual(pauses[0]!);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(100);
  });

  it('fails after five rounds that leave keys unprocessed, rather than answer an item missing', async () => {
    const { db, calls } = fakeDb(new Set(['K#001']), (_, asked) => asked);
    await expect(batchGetAll(db, 'table', [keyOf(1)], {}, async () => {})).rejects.toThrow('DynamoDB left 1 key(s) unprocessed after 5 batch reads');
    expect(calls).toHaveLength(5);
  });

  it('reads nothing for no keys', async () => {
    const { db, calls } = fakeDb(new Set());
    expect(await batchGetAll(db, 'table', [])).toEqual([]);
    expect(calls).toEqual([]);
  });
});
