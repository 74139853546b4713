import fc from 'fast-check';
import { statusRank } from '../../../shared/messaging/status';

/**
 * The store keeps a callback's status only if it ranks above the stored one (the message store's
 * condition `attribute_not_exists(statusRank) OR statusRank < :rank`). Modelled here on
 * `statusRank` alone, so the property holds for the ranks themselves, whatever store applies them.
 */
const STATUSES = ['queued', 'sent', 'delivered', 'undelivered', 'failed', 'read'] as const;
type Stored = { status: string; rank: number } | undefined;

const rankOf = (status: string): number => {
  const rank = statusRank(status);
  if (rank === undefined) throw new Error(`no rank for ${status}`);
  return rank;
};
const apply = (stored: Stored, status: string): Stored => {
  const rank = rankOf(status);
  return stored === undefined || stored.rank < rank ? { status, rank } : stored;
};
const fold = (updates: readonly string[]): Stored => updates.reduce<Stored>(apply, undefined);

/** Callbacks as carriers deliver them: any statuses, repeated, then in any order. */
const updates = fc.array(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 30 });
const reordered = updates.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })));

describe('message status folding (store only if the rank is above the stored one)', () => {
  it('ranks the lifecycle in order: queued < sent < delivered = undelivered = failed < read', () => {
    expect(rankOf('queued')).toBeLessThan(rankOf('sent'));
    expect(rankOf('sent')).toBeLessThan(rankOf('delivered'));
    expect(rankOf('delivered')).toBe(rankOf('undelivered'));
    expect(rankOf('delivered')).toBe(rankOf('failed'));
    expect(rankOf('delivered')).toBeLessThan(rankOf('read'));
  });

  it('ends on the highest rank delivered, whatever the order and the duplicates', () => {
    fc.assert(
      fc.property(updates, (list) => {
        expect(fold(list)!.rank).toBe(Math.max(...list.map(rankOf)));
      }),
    );
  });

  it('ends on the same rank for every order of the same callbacks', () => {
    fc.assert(
      fc.property(reordered, ([inOrder, shuffled]) => {
        expect(fold(shuffled)!.rank).toBe(fold(inOrder)!.rank);
      }),
    );
  });

  it('keeps the first status to arrive at that rank: a later final status of equal rank does not replace it', () => {
    fc.assert(
      fc.property(updates, (list) => {
        const top = Math.max(...list.map(rankOf));
        expect(fold(list)!.status).toBe(list.find((s) => rankOf(s) === top));
      }),
    );
  });

  it('never moves backwards, and a duplicate of the stored status changes nothing', () => {
    fc.assert(
      fc.property(updates, (list) => {
        let stored: Stored;
        for (const status of list) {
          const next = apply(stored, status);
          if (stored) expect(next!.rank).toBeGreaterThanOrEqual(stored.rank);
          if (stored && status === stored.status) expect(next).toBe(stored);
          stored = next;
        }
      }),
    );
  });

  it('writes at most once per rank: duplicates and late callbacks are refused', () => {
    fc.assert(
      fc.property(updates, (list) => {
        let stored: Stored;
        let writes = 0;
        for (const status of list) {
          const next = apply(stored, status);
          if (next !== stored) writes++;
          stored = next;
        }
        expect(writes).toBeLessThanOrEqual(new Set(list.map(rankOf)).size);
      }),
    );
  });
});
