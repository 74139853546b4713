import fc from 'fast-check';
import { ValidationError } from '../../../shared/domain/errors';
import { contiguousRun, decodeCursor, encodeCursor, mergePage, planReads, type ShardEvent, type ShardRun } from '../../../shared/services/partner-event-cursor';
import type { PartnerEvent } from '../../../shared/services/partner-events-contract';

const SHARDS = 16;

function event(shard: number, sequence: number, ts: number): ShardEvent {
  const view = { id: `evt_${shard}_${sequence}`, type: 'message.canceled', occurredAt: new Date(ts / 1000).toISOString(), data: { messageId: `m${shard}`, sid: null } } as PartnerEvent;
  return { sequence, ts, event: view };
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors?.[0]?.field;
  }
  throw new Error('expected a ValidationError');
}

describe('partner event cursor', () => {
  it('round-trips any positions through an opaque base64url string', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 999_999_999_999 }), { minLength: SHARDS, maxLength: SHARDS }), (positions) => {
        const cursor = encodeCursor(positions);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor, SHARDS)).toEqual(positions);
      }),
    );
  });

  it('stays short: 16 shards with 12-digit positions fit the query schema', () => {
    expect(encodeCursor(new Array(SHARDS).fill(0)).length).toBeLessThan(50);
    expect(encodeCursor(new Array(SHARDS).fill(999_999_999_999)).length).toBeLessThanOrEqual(512);
  });

  it('refuses old numeric cursors and anything else that is not a cursor, naming query.after', () => {
    const valid = encodeCursor(new Array(SHARDS).fill(3));
    const bad = [
      '1',
      '000000000012',
      'abc',
      valid.slice(0, -2),
      `${valid}A`,
      valid.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      encodeCursor(new Array(8).fill(0)), // another shard count
      encodeCursor(new Array(SHARDS).fill(0)).replace(/^d/, 'e'), // tampered
      Buffer.from('v1.16.-1' + '.'.repeat(15)).toString('base64url'),
      'a+b/c=',
    ];
    for (const cursor of bad) expect(fieldOf(() => decodeCursor(cursor, SHARDS))).toBe('query.after');
    expect(() => decodeCursor('42', SHARDS)).toThrow(ValidationError);
    try {
      decodeCursor('42', SHARDS);
    } catch (error) {
      expect((error as ValidationError).errors?.[0]?.message).toMatch(/no longer cursors/);
    }
    try {
      decodeCursor(encodeCursor(new Array(8).fill(0)), SHARDS);
    } catch (error) {
      expect((error as ValidationError).errors?.[0]?.message).toMatch(/older layout/);
    }
  });
});

describe('planning reads', () => {
  it('reads exactly what is pending when it fits the page, nothing from shards with nothing new', () => {
    const positions = [0, 5, 9, 0];
    const heads = [3, 5, 7, 1]; // shard 2's counter lags behind the cursor: read nothing there
    expect(planReads(positions, heads, 50)).toEqual([3, 0, 0, 1]);
  });

  it('shares a page in proportion to what each shard holds, at least one each, never more than pending', () => {
    expect(planReads([0, 0, 0, 0], [1000, 1000, 10, 0], 20)).toEqual([10, 10, 1, 0]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(50), fc.nat(200)), { minLength: 1, maxLength: 16 }), fc.integer({ min: 1, max: 100 }), (shards, limit) => {
        const positions = shards.map(([p]) => p);
        const heads = shards.map(([p, more]) => p + more);
        const plan = planReads(positions, heads, limit);
        plan.forEach((n, i) => {
          const pending = heads[i]! - positions[i]!;
          expect(n).toBeLessThanOrEqual(pending);
          if (pending > 0) expect(n).toBeGreaterThanOrEqual(1);
        });
        // Over-reading is bounded by one event per shard.
        expect(plan.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Math.max(limit, 0) + shards.length);
      }),
    );
  });
});

describe('contiguous runs', () => {
  it('stops at the first missing sequence number (an event not yet visible)', () => {
    const read = [event(0, 4, 1), event(0, 5, 2), event(0, 7, 3)];
    expect(contiguousRun(3, read).map((e) => e.sequence)).toEqual([4, 5]);
    expect(contiguousRun(2, read)).toEqual([]);
  });
});

describe('merging a page', () => {
  it('orders by append time, keeps each shard in sequence order, and moves only the shards it returned', () => {
    const positions = new Array(SHARDS).fill(0);
    const runs: ShardRun[] = [
      { shard: 0, events: [event(0, 1, 10), event(0, 2, 40)] },
      { shard: 3, events: [event(3, 1, 20), event(3, 2, 30)] },
    ];
    const page = mergePage(positions, runs, 3);
    expect(page.events.map((e) => e.id)).toEqual(['evt_0_1', 'evt_3_1', 'evt_3_2']);
    expect(page.positions[0]).toBe(1);
    expect(page.positions[3]).toBe(2);
    expect(page.positions.filter((_, i) => i !== 0 && i !== 3).every((p) => p === 0)).toBe(true);
  });

  it('never reorders a shard, even when a later number carries an earlier time (a slow writer)', () => {
    const runs: ShardRun[] = [
      { shard: 1, events: [event(1, 1, 50), event(1, 2, 10)] },
      { shard: 2, events: [event(2, 1, 30)] },
    ];
    expect(mergePage(new Array(SHARDS).fill(0), runs, 10).events.map((e) => e.id)).toEqual(['evt_2_1', 'evt_1_1', 'evt_1_2']);
  });

  it('leaves what does not fit the page for the next one', () => {
    const runs: ShardRun[] = [
      { shard: 0, events: [event(0, 1, 10), event(0, 2, 20)] },
      { shard: 1, events: [event(1, 1, 15), event(1, 2, 25), event(1, 3, 35)] },
    ];
    const page = mergePage(new Array(SHARDS).fill(0), runs, 3);
    expect(page.events.map((e) => e.id)).toEqual(['evt_0_1', 'evt_1_1', 'evt_0_2']);
    expect(page.positions.slice(0, 2)).toEqual([2, 1]);
  });

  it('returns a prefix of each shard, and as much as the page holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ shard: fc.integer({ min: 0, max: SHARDS - 1 }), times: fc.array(fc.nat(1000), { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 20 }),
        (specs, limit) => {
          const seen = new Set<number>();
          const runs = specs
            .filter((s) => !seen.has(s.shard) && seen.add(s.shard))
            .map((s) => ({ shard: s.shard, events: s.times.map((t, i) => event(s.shard, i + 1, t)) }));
          const page = mergePage(new Array(SHARDS).fill(0), runs, limit);
          const read = runs.reduce((n, r) => n + r.events.length, 0);
          expect(page.events.length).toBe(Math.min(limit, read));
          // Each shard contributes a prefix of its run, and its position is the last one returned.
          for (const run of runs) {
            const mine = page.events.filter((e) => e.id.startsWith(`evt_${run.shard}_`)).map((e) => e.id);
            expect(mine).toEqual(run.events.slice(0, mine.length).map((e) => e.event.id));
            expect(page.positions[run.shard]).toBe(mine.length);
          }
        },
      ),
    );
  });
});
