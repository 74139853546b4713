import fc from 'fast-check';
import { partnerEventService } from '../../../shared/services/partner-events';
import type { ShardEvent } from '../../../shared/services/partner-event-cursor';
import type { PartnerEvent, PartnerEventInput, TransactWriteItem } from '../../../shared/services/partner-events-contract';
import { PARTNER_EVENT_SHARDS, partnerEventShardOf } from '../../../shared/store/keys';
import type { AppendAttempt, PartnerEventRepository, ShardAppend } from '../../../shared/store/partner-events';
import { fixedClock } from '../../support/fakes';

/**
 * The event log's contract in memory, with what makes it hard: concurrent writers interleave at
 * every await, committed events become visible to readers late and out of order (so a read can
 * see a gap), and the counters readers see lag behind. Caller items are `Put`s of keys that must
 * not exist yet and `ConditionCheck`s of keys that must.
 */
function laggingRepository(random: () => number) {
  const counters = new Array<number>(PARTNER_EVENT_SHARDS).fill(0);
  const seenHeads = new Array<number>(PARTNER_EVENT_SHARDS).fill(0);
  const shards = counters.map(() => [] as Array<ShardEvent & { visible: boolean }>);
  const keys = new Set<string>();
  const calls = { write: 0, head: 0, heads: 0, read: 0 };
  const pause = async () => {
    for (let i = Math.floor(random() * 3); i > 0; i--) await new Promise((r) => setImmediate(r));
  };
  const keyOf = (k: Record<string, unknown> | undefined) => `${k?.pk}|${k?.sk}`;

  const repo: PartnerEventRepository & { calls: typeof calls; settle(): void; keys: Set<string>; stored(): number } = {
    shards: PARTNER_EVENT_SHARDS,
    shardOf: partnerEventShardOf,
    keyOf: (item) => keyOf(item.Put?.Item ?? item.ConditionCheck?.Key ?? item.Update?.Key ?? item.Delete?.Key),
    calls,
    keys,
    stored: () => shards.reduce((n, s) => n + s.length, 0),
    settle() {
      for (const s of shards) for (const e of s) e.visible = true;
      seenHeads.splice(0, seenHeads.length, ...counters);
    },
    async heads() {
      calls.heads++;
      await pause();
      // A lagging replica: each counter catches up some of the way.
      counters.forEach((c, i) => {
        if (random() < 0.6) seenHeads[i] = c;
      });
      return [...seenHeads];
    },
    async get(_partnerId, eventId) {
      return shards.flat().find((e) => e.visible && e.event.id === eventId)?.event;
    },
    async head(_partnerId, shard) {
      calls.head++;
      await pause();
      return counters[shard]!;
    },
    async write(_partnerId, appends: ShardAppend[], items: TransactWriteItem[]): Promise<AppendAttempt> {
      calls.write++;
      await pause();
      // Everything below is one atomic step, as a transaction is.
      const failed = items.flatMap((item, i) => {
        if (item.Put) return keys.has(keyOf(item.Put.Item)) ? [i] : [];
        if (item.ConditionCheck) return keys.has(keyOf(item.ConditionCheck.Key)) ? [] : [i];
        return [];
      });
      if (failed.length) return { outcome: 'refused', failed };
      const moved = appends.filter((a) => counters[a.shard] !== a.expected);
      if (moved.length) return { outcome: 'conflict', heads: new Map(moved.map((a) => [a.shard, counters[a.shard]!])) };
      for (const item of items) if (item.Put) keys.add(keyOf(item.Put.Item));
      const events: PartnerEvent[] = [];
      for (const a of appends) {
        a.events.forEach((d, i) => {
          const sequence = a.expected + i + 1;
          const event = { id: `evt_${a.shard}_${sequence}`, occurredAt: d.occurredAt, ...d.event } as PartnerEvent;
          events.push(event);
          shards[a.shard]!.push({ sequence, ts: d.ts, event, visible: random() < 0.5 });
        });
        counters[a.shard] = a.expected + a.events.length;
      }
      // Some earlier events become visible meanwhile, in any order.
      for (const s of shards) for (const e of s) if (!e.visible && random() < 0.3) e.visible = true;
      return { outcome: 'committed', events };
    },
    async read(_partnerId, shard, after, limit) {
      calls.read++;
      await pause();
      return shards[shard]!.filter((e) => e.sequence > after && e.visible).slice(0, limit).map(({ visible: _v, ...e }) => e);
    },
  };
  return repo;
}

/** A small seeded generator, so a failing run can be replayed from fast-check's seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const status = (messageId: string, i: number): PartnerEventInput => ({
  type: 'message.status.updated',
  customerId: 'cus_1',
  data: { messageId, sid: `SM${messageId}`, status: `step-${i}`, occurredAt: '2026-01-01T00:00:00.000Z' },
});

async function readAll(log: ReturnType<typeof partnerEventService>, after: string | undefined, limit: number, seen: PartnerEvent[]): Promise<string | undefined> {
  const page = await log.list('ptn_a', after, limit);
  seen.push(...page.data);
  return page.pollCursor;
}

describe('partner event service over a lagging store', () => {
  it('a reader paging while writers append concurrently gets every event exactly once, each subject in append order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        async (seed, writers, limit) => {
          const random = mulberry32(seed);
          const repo = laggingRepository(random);
          // Two processes (each batches its own appends), and the reader in a third.
          const service = () => partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
          const processes = [service(), service()];
          const log = service();
          const appended = new Map<string, number>();
          let running = writers;
          const writing = Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < 12; i++) {
              const subject = `msg_w${w}_${i % 3}`;
              const n = (appended.get(subject) ?? 0) + 1;
              appended.set(subject, n);
              if (i % 4 === 3) {
                // Two events of different subjects in one outbox transaction.
                const other = `msg_w${w}_x${i}`;
                appended.set(other, 1);
                await processes[w % 2]!.appendWith('ptn_a', [status(subject, n), status(other, 1)], []);
              } else {
                await processes[w % 2]!.append('ptn_a', status(subject, n));
              }
            }
            running--;
          });
          const seen: PartnerEvent[] = [];
          let cursor: string | undefined;
          const reading = (async () => {
            while (running > 0) cursor = await readAll(log, cursor, limit, seen);
          })();
          await Promise.all([...writing, reading]);
          repo.settle();
          for (let i = 0; i < 1000; i++) {
            const before = seen.length;
            cursor = await readAll(log, cursor, limit, seen);
            if (seen.length === before) break;
          }

          const ids = seen.map((e) => e.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids.length).toBe(repo.stored());
          expect(ids.length).toBe([...appended.values()].reduce((a, b) => a + b, 0));
          const bySubject = new Map<string, string[]>();
          for (const e of seen) {
            const data = e.data as { messageId: string; status: string };
            bySubject.set(data.messageId, [...(bySubject.get(data.messageId) ?? []), data.status]);
          }
          for (const [subject, n] of appended) expect(bySubject.get(subject)).toEqual(Array.from({ length: n }, (_, i) => `step-${i + 1}`));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('learns the counter from a conflict and retries; reads it first when it knows nothing or the shard was contended', async () => {
    const repo = laggingRepository(() => 0.99);
    const retries: string[] = [];
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined, onRetry: (r) => retries.push(r) });
    const other = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    await log.append('ptn_a', status('msg_1', 1));
    expect(repo.calls).toMatchObject({ head: 1, write: 1 });
    await log.append('ptn_a', status('msg_1', 2));
    expect(repo.calls).toMatchObject({ head: 1, write: 2 }); // the counter it wrote is remembered
    await other.append('ptn_a', status('msg_1', 3)); // another process moves the counter
    await log.append('ptn_a', status('msg_1', 4));
    expect(retries).toEqual(['conflict']);
    expect(repo.calls.head).toBe(2); // the other process read once; the retry used what the conflict told
    await log.append('ptn_a', status('msg_1', 5));
    expect(repo.calls.head).toBe(3); // contended a moment ago: read first rather than risk a failed transaction
    expect(retries).toEqual(['conflict']);
  });

  it('appendWith commits the caller items and the events together, or neither when a caller condition fails', async () => {
    const repo = laggingRepository(() => 0.99);
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    const put = (sk: string): TransactWriteItem => ({ Put: { TableName: 't', Item: { pk: 'MSG', sk }, ConditionExpression: 'attribute_not_exists(pk)' } });

    const first = await log.appendWith('ptn_a', [status('msg_1', 1), status('msg_2', 1)], [put('a')]);
    expect(first.committed).toBe(true);
    expect(first.committed && first.events.map((e) => (e.data as { messageId: string }).messageId)).toEqual(['msg_1', 'msg_2']);

    const again = await log.appendWith('ptn_a', [status('msg_1', 2)], [put('b'), put('a')]);
    expect(again).toEqual({ committed: false, failed: [1] });
    expect(repo.keys.has('MSG|b')).toBe(false);
    expect(repo.stored()).toBe(2);

    expect(await log.appendWith('ptn_a', [], [put('c')])).toEqual({ committed: true, events: [] });
    expect(repo.keys.has('MSG|c')).toBe(true);
    expect(await log.appendWith('ptn_a', [], [])).toEqual({ committed: true, events: [] });
  });

  it('batches concurrent callers of one process into one transaction; a refused caller does not take the others down', async () => {
    const repo = laggingRepository(() => 0.99);
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    const put = (sk: string): TransactWriteItem => ({ Put: { TableName: 't', Item: { pk: 'MSG', sk }, ConditionExpression: 'attribute_not_exists(pk)' } });
    repo.keys.add('MSG|taken');
    await log.append('ptn_a', status('msg_1', 0));
    const writes = repo.calls.write;
    const results = await Promise.all([
      log.appendWith('ptn_a', [status('msg_1', 1)], [put('one')]),
      log.appendWith('ptn_a', [status('msg_1', 2)], [put('taken')]),
      log.appendWith('ptn_a', [status('msg_1', 3)], [put('three')]),
      log.append('ptn_a', status('msg_1', 4)),
    ]);
    expect(results[1]).toEqual({ committed: false, failed: [0] });
    expect([results[0], results[2]].every((r) => 'committed' in r && r.committed)).toBe(true);
    // One transaction with the first caller alone (the lane was idle), then the three that queued
    // meanwhile together, then the two that were not refused.
    expect(repo.calls.write - writes).toBeLessThanOrEqual(4);
    repo.settle();
    const page = await log.list('ptn_a', undefined, 50);
    expect(page.data.map((e) => (e.data as { status: string }).status)).toEqual(['step-0', 'step-1', 'step-3', 'step-4']);
    expect(repo.keys.has('MSG|one') && repo.keys.has('MSG|three')).toBe(true);
  });

  it('never puts two operations on one item into a batch, and an invalid item fails only its caller', async () => {
    const repo = laggingRepository(() => 0.99);
    const seenItems: TransactWriteItem[][] = [];
    const write = repo.write.bind(repo);
    repo.write = async (partnerId, appends, items) => {
      seenItems.push(items);
      if (items.some((i) => i.Put?.Item?.sk === 'invalid')) throw new Error('ValidationException: bad item');
      return write(partnerId, appends, items);
    };
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    const put = (sk: string): TransactWriteItem => ({ Put: { TableName: 't', Item: { pk: 'MSG', sk } } });
    void log.append('ptn_a', status('msg_1', 0)); // keeps the lane busy so the next three queue
    const results = await Promise.allSettled([
      log.appendWith('ptn_a', [status('msg_1', 1)], [put('same')]),
      log.appendWith('ptn_a', [status('msg_1', 2)], [put('same')]),
      log.appendWith('ptn_a', [status('msg_1', 3)], [put('invalid')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    for (const items of seenItems) expect(items.filter((i) => i.Put?.Item?.sk === 'same').length).toBeLessThanOrEqual(1);
  });

  it('refuses more than 100 items in all before writing anything, counting one counter per shard', async () => {
    const repo = laggingRepository(() => 0.99);
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    const items = Array.from({ length: 80 }, (_, i): TransactWriteItem => ({ ConditionCheck: { TableName: 't', Key: { pk: `K${i}`, sk: 'x' }, ConditionExpression: 'attribute_exists(pk)' } }));
    const events = Array.from({ length: 19 }, (_, i) => status(`msg_${i}`, 1)); // 80 + 19 events + their shards > 100
    await expect(log.appendWith('ptn_a', events, items)).rejects.toThrow(RangeError);
    expect(repo.calls.write).toBe(0);
    // 19 events of one subject: 80 + 19 + 1 counter = 100.
    for (let i = 0; i < 80; i++) repo.keys.add(`K${i}|x`);
    const oneSubject = Array.from({ length: 19 }, (_, i) => status('msg_same', i + 1));
    expect((await log.appendWith('ptn_a', oneSubject, items)).committed).toBe(true);
  });

  it('refuses an event whose data does not match its type, and writes nothing', async () => {
    const repo = laggingRepository(() => 0.99);
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    const bad = { type: 'message.canceled', customerId: 'cus_1', data: { sid: null } } as unknown as PartnerEventInput;
    await expect(log.append('ptn_a', bad)).rejects.toThrow(/message\.canceled does not match its schema: data\.messageId/);
    expect(repo.calls.write).toBe(0);
  });

  it('gives up after 10 s of contention with a clear error, backing off at most 500 ms at a time', async () => {
    const repo = laggingRepository(() => 0.99);
    repo.write = async () => ({ outcome: 'contended' });
    let now = 0;
    const sleeps: number[] = [];
    const log = partnerEventService({ events: repo, clock: fixedClock(), now: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) });
    await expect(log.append('ptn_a', status('msg_1', 1))).rejects.toThrow(/still contended after \d+ attempts in 10 s/);
    expect(now).toBeGreaterThanOrEqual(10_000);
    expect(now).toBeLessThan(10_500);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(500);
  });

  it('an empty log or a caught-up reader gets the cursor back and reads no shard', async () => {
    const repo = laggingRepository(() => 0.99);
    const log = partnerEventService({ events: repo, clock: fixedClock(), sleep: async () => undefined });
    const empty = await log.list('ptn_a', undefined, 10);
    expect(empty).toEqual({ data: [], nextCursor: null, pollCursor: expect.any(String) });
    await log.append('ptn_a', status('msg_1', 1));
    repo.settle();
    const page = await log.list('ptn_a', undefined, 10);
    expect(page.data).toHaveLength(1);
    expect(page.nextCursor).toBeNull();
    expect(page.pollCursor).not.toBe(empty.pollCursor);
    const reads = repo.calls.read;
    expect(await log.list('ptn_a', page.pollCursor, 10)).toEqual({ data: [], nextCursor: null, pollCursor: page.pollCursor });
    expect(repo.calls.read).toBe(reads);
  });
});
