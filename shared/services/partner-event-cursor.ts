import { ValidationError } from '../domain/errors';
import type { PartnerEvent } from './partner-events-contract';

/**
 * Reading the sharded partner event log: the cursor, how much to read from each shard, and the
 * merge of what was read into one page. Pure functions; the proof that a reader never skips an
 * event rests on three facts, each checked here or by the store:
 *
 * 1. Within a shard, sequence numbers are dense (1, 2, 3, … — the counter moves in the same
 *    transaction as the event is written) and commit in order (an append is conditioned on the
 *    counter still holding the value it builds on).
 * 2. A page takes from each shard only a contiguous run right after the cursor's position
 *    ({@link contiguousRun}): an event not yet visible (a read that lags) ends the run, so nothing
 *    after a missing number is ever returned.
 * 3. A shard's position moves only to the last event of it that the page returned.
 *
 * So every number up to a shard's position was returned to the reader, and any event committing
 * later takes a higher number, which lies after the position.
 */

/** An event read from one shard, with what the merge needs. */
export interface ShardEvent {
  sequence: number;
  /** Append time in microseconds, strictly increasing within one process (orders a page). */
  ts: number;
  event: PartnerEvent;
}

export interface ShardRun {
  shard: number;
  /** Contiguous events right after the shard's position, oldest first. */
  events: ShardEvent[];
}

const VERSION = 'v1';
const MAX_POSITION = 999_999_999_999; // the 12 digits of the sort key
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;

/** FNV-1a (32-bit) in base36: a cursor cut short or mistyped is refused rather than read wrongly. */
function checksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

/** Positions (last sequence returned, per shard) as an opaque base64url string. */
export function encodeCursor(positions: readonly number[]): string {
  const text = `${VERSION}.${positions.length}.${positions.map((p) => (p === 0 ? '' : p.toString(36))).join('.')}`;
  return Buffer.from(`${text}~${checksum(text)}`, 'utf8').toString('base64url');
}

/** The positions a cursor holds; anything that is not a cursor of a log with `shards` shards is a 400 naming `query.after`. */
export function decodeCursor(cursor: string, shards: number): number[] {
  const invalid = (message: string) => new ValidationError('after is not a cursor of this event log', [{ field: 'query.after', message }]);
  if (/^\d+$/.test(cursor)) throw invalid('event ids are no longer cursors: pass the `nextCursor` or `pollCursor` of the previous page, or omit `after` to start at the beginning');
  const notACursor = () => invalid('must be the `nextCursor` or `pollCursor` of a previous page');
  if (!CURSOR_PATTERN.test(cursor)) throw notACursor();
  const decoded = Buffer.from(cursor, 'base64url');
  if (decoded.toString('base64url') !== cursor) throw notACursor();
  const [text = '', sum, ...rest] = decoded.toString('utf8').split('~');
  if (rest.length > 0 || sum !== checksum(text)) throw notACursor();
  const parts = text.split('.');
  if (parts[0] !== VERSION) throw notACursor();
  if (parts[1] !== String(shards)) throw invalid('is from an older layout of the log; start again without `after`');
  if (parts.length !== shards + 2) throw notACursor();
  return parts.slice(2).map((part) => {
    if (part === '') return 0;
    const position = /^[0-9a-z]{1,8}$/.test(part) ? parseInt(part, 36) : NaN;
    if (!Number.isSafeInteger(position) || position > MAX_POSITION) throw notACursor();
    return position;
  });
}

/**
 * How many events to read from each shard, given the cursor's positions and each shard's counter
 * (which may lag: reading less than there is only delays). Everything pending when it fits in the
 * page; otherwise the page is shared in proportion to what each shard holds, at least one each
 * (so an old event in a quiet shard is not held back). Reading in proportion keeps a reader that
 * is behind at about the same point in time on every shard; it reads at most `limit` + one per
 * shard, and what the page does not return is read again by the next one.
 */
export function planReads(positions: readonly number[], heads: readonly number[], limit: number): number[] {
  const pending = positions.map((p, shard) => Math.max(0, (heads[shard] ?? 0) - p));
  const total = pending.reduce((sum, n) => sum + n, 0);
  if (total <= limit) return pending;
  return pending.map((n) => (n === 0 ? 0 : Math.min(n, Math.ceil((limit * n) / total))));
}

/** The events right after `position` with no number missing; a gap (not yet visible) ends the run. */
export function contiguousRun(position: number, events: readonly ShardEvent[]): ShardEvent[] {
  const run: ShardEvent[] = [];
  for (const e of events) {
    if (e.sequence !== position + run.length + 1) break;
    run.push(e);
  }
  return run;
}

type Key = readonly [ts: number, shard: number, sequence: number];
const before = (a: Key, b: Key) => (a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2]);

/**
 * One page from the shards' runs: a k-way merge that keeps each shard's order (so a subject's
 * events stay in append order) and otherwise takes the oldest head first, at most `limit` events.
 * Times within a shard are made non-decreasing (running maximum), as a writer that retried may
 * commit after a later one. Returns the events and the advanced positions: only the shards whose
 * events were returned move, each to the last of them.
 */
export function mergePage(positions: readonly number[], runs: readonly ShardRun[], limit: number): { events: PartnerEvent[]; positions: number[] } {
  const keyed = runs.map((run) => {
    let max = -Infinity;
    return run.events.map((e) => {
      max = Math.max(max, e.ts);
      return { key: [max, run.shard, e.sequence] as Key, e };
    });
  });
  const next = [...positions];
  const heads = keyed.map(() => 0);
  const events: PartnerEvent[] = [];
  while (events.length < limit) {
    let pick = -1;
    for (let i = 0; i < keyed.length; i++) {
      const head = keyed[i]![heads[i]!];
      if (head && (pick < 0 || before(head.key, keyed[pick]![heads[pick]!]!.key))) pick = i;
    }
    if (pick < 0) break;
    const { e } = keyed[pick]![heads[pick]!]!;
    events.push(e.event);
    next[runs[pick]!.shard] = e.sequence;
    heads[pick]!++;
  }
  return { events, positions: next };
}
