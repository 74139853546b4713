import { PartnerEventInputSchema, subjectOf } from '../domain/event-types';
import type { EventDraft, PartnerEventRepository, ShardAppend } from '../store/partner-events';
import { contiguousRun, decodeCursor, encodeCursor, mergePage, planReads, type ShardRun } from './partner-event-cursor';
import {
  MAX_APPEND_WITH_ITEMS,
  type AppendWithResult,
  type PartnerEvent,
  type PartnerEventInput,
  type PartnerEventLog,
  type TransactWriteItem,
} from './partner-events-contract';
import { ValidationError } from '../domain/errors';
import type { Clock } from './support';

export interface PartnerEventServiceDeps {
  events: PartnerEventRepository;
  clock: Clock;
  /** Backoff between contended attempts, and the monotonic milliseconds it is timed by; injectable so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told about each attempt that has to be made again (for benchmarks and metrics). */
  onRetry?: (reason: 'conflict' | 'contended') => void;
}

/**
 * An append contends only with appends to the same shard from other processes (about 1/16 of a
 * partner's traffic); each failed attempt learns the shard's counter from the cancellation and
 * waits a jittered multiple (up to 8×) of the last transaction's duration. The time budget is a
 * bound for pathological contention, not the expected case: past it the caller gets an error
 * (a queue consumer's record is then retried).
 */
const APPEND_BUDGET_MS = 10_000;
const BACKOFF_BASE_MS = 2;
const BACKOFF_CAP_MS = 500;

/**
 * Per process: the last counter value this process wrote or saw for each (partner, shard), so an
 * append can skip the read before it (one call per append where one process writes the shard).
 * Not trusted for a minute after the shard was contended: other processes append to it too, the
 * value is then likely stale, and a failed transaction costs more than a read (4+ WCU and a round
 * trip against 1 RCU).
 */
const MAX_HINTS = 10_000;
const HINT_TTL_MS = 60_000;
const CONTENTION_MEMORY_MS = 60_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Microseconds since the epoch, strictly increasing within the process: sequential appends keep their order in a page. */
let lastTs = 0;
function appendTime(clock: Clock): { occurredAt: string; ts: number } {
  const now = clock.now();
  lastTs = Math.max(now.getTime() * 1000, lastTs + 1);
  return { occurredAt: now.toISOString(), ts: lastTs };
}

/** DynamoDB stores no `undefined`; the event returned to the emitter is the one read back later. */
function pruned<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(pruned) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, pruned(v)])) as T;
  }
  return value;
}

/**
 * One page of the log. `nextCursor` is set only while the counters show more after this page (so
 * a reader paging to the end never gets an empty last page); `pollCursor` is always set: just
 * after what this page returned, to call again later for what commits meanwhile.
 */
export interface PartnerEventPage {
  data: PartnerEvent[];
  nextCursor: string | null;
  pollCursor: string;
}

export type PartnerEventService = PartnerEventLog & {
  list(partnerId: string, after: string | undefined, limit: number): Promise<PartnerEventPage>;
  /** One event by id; undefined for an unknown id (another partner's included). */
  get(partnerId: string, eventId: string): Promise<PartnerEvent | undefined>;
  /** A cursor just after the newest event committed now (reading from it returns only later events). */
  headCursor(partnerId: string): Promise<string>;
  /** The cursor before the first event of any log: reading (or replaying) from it covers the whole log. */
  startCursor(): string;
  /** Throws a {@link ValidationError} naming `field` unless `cursor` is one of this log's cursors. */
  checkCursor(cursor: string, field: string): void;
};

/** One appendWith call waiting for (or taking part in) a transaction. */
interface Caller {
  drafts: Array<{ shard: number; draft: EventDraft }>;
  items: TransactWriteItem[];
  /** The items' table keys: two callers touching one item never share a transaction. */
  keys: string[];
  settle(result: AppendWithResult): void;
  fail(error: unknown): void;
}

/** Items a batch of callers writes: theirs, one counter per shard, one per event. */
function sizeOf(callers: Caller[]): number {
  const shards = new Set(callers.flatMap((c) => c.drafts.map((d) => d.shard)));
  return shards.size + callers.reduce((n, c) => n + c.items.length + c.drafts.length, 0);
}

export function partnerEventService({ events: store, clock, sleep = defaultSleep, now: elapsed = () => performance.now(), onRetry }: PartnerEventServiceDeps): PartnerEventService {
  const hints = new Map<string, { head: number; at: number; contendedAt: number }>();
  const hintKey = (partnerId: string, shard: number) => `${partnerId}\u0000${shard}`;
  const remember = (partnerId: string, shard: number, head: number, contended = false) => {
    const key = hintKey(partnerId, shard);
    const previous = hints.get(key);
    hints.delete(key);
    if (hints.size >= MAX_HINTS) hints.delete(hints.keys().next().value!);
    const now = performance.now();
    hints.set(key, { head, at: now, contendedAt: contended ? now : (previous?.contendedAt ?? -Infinity) });
  };
  const hinted = (partnerId: string, shard: number): number | undefined => {
    const hint = hints.get(hintKey(partnerId, shard));
    const now = performance.now();
    return hint && now - hint.at <= HINT_TTL_MS && now - hint.contendedAt > CONTENTION_MEMORY_MS ? hint.head : undefined;
  };

  /** Checked, pruned and timed, in the caller's order, with the shard of each. */
  function drafts(events: PartnerEventInput[]): Array<{ shard: number; draft: EventDraft }> {
    return events.map((input) => {
      const checked = PartnerEventInputSchema.safeParse(input);
      if (!checked.success) {
        throw new Error(`Partner event ${input.type} does not match its schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      const event = pruned(input);
      return { shard: store.shardOf(subjectOf(event)), draft: { event, ...appendTime(clock) } };
    });
  }

  /**
   * Commits a batch of callers in one transaction, retrying contention. A caller whose own
   * condition fails is answered `committed: false` and the rest go again without it; an error
   * that is not a cancellation is told to a lone caller, while a batch is split so that only the
   * caller at fault gets it. `callers` is updated in place (those answered leave it); before a
   * retry, `topUp` may add callers that queued meanwhile, so a contended commit carries more.
   */
  async function commit(partnerId: string, callers: Caller[], topUp?: (callers: Caller[]) => void): Promise<void> {
    /** Counters as the last cancellation reported them: exact a moment ago, better than any hint. */
    const learned = new Map<number, number>();
    let took = 0;
    const started = elapsed();
    for (let attempt = 0; callers.length > 0; attempt++) {
      if (attempt > 0) topUp?.(callers);
      const byShard = new Map<number, EventDraft[]>();
      for (const c of callers) for (const { shard, draft } of c.drafts) byShard.set(shard, [...(byShard.get(shard) ?? []), draft]);
      let result: Awaited<ReturnType<PartnerEventRepository['write']>>;
      let appends: ShardAppend[];
      try {
        appends = await Promise.all(
          [...byShard].map(async ([shard, list]) => ({
            shard,
            expected: learned.get(shard) ?? hinted(partnerId, shard) ?? (await store.head(partnerId, shard)),
            events: list,
          })),
        );
        const began = elapsed();
        result = await store.write(partnerId, appends, callers.flatMap((c) => c.items));
        took = elapsed() - began;
      } catch (error) {
        if (callers.length === 1) callers[0]!.fail(error);
        else for (const c of callers) await commit(partnerId, [c]);
        return;
      }

      if (result.outcome === 'committed') {
        for (const a of appends) remember(partnerId, a.shard, a.expected + a.events.length);
        const written = new Map<EventDraft, PartnerEvent>();
        let i = 0;
        for (const a of appends) for (const d of a.events) written.set(d, result.events[i++]!);
        for (const c of callers) c.settle({ committed: true, events: c.drafts.map(({ draft }) => written.get(draft)!) });
        return;
      }
      if (result.outcome === 'refused') {
        // Map the failed indexes back to their callers; the others did nothing wrong.
        const failed = new Set(result.failed);
        let offset = 0;
        const refused = new Set<Caller>();
        for (const c of callers) {
          const mine = c.items.flatMap((_, i) => (failed.has(offset + i) ? [i] : []));
          offset += c.items.length;
          if (mine.length > 0) {
            c.settle({ committed: false, failed: mine });
            refused.add(c);
          }
        }
        callers.splice(0, callers.length, ...callers.filter((c) => !refused.has(c)));
        continue;
      }
      if (result.outcome === 'conflict') {
        for (const [shard, head] of result.heads) {
          if (head === undefined) {
            learned.delete(shard);
            hints.delete(hintKey(partnerId, shard));
          } else {
            learned.set(shard, head);
            remember(partnerId, shard, head, true);
          }
        }
      }
      if (elapsed() - started >= APPEND_BUDGET_MS) {
        const events = callers.reduce((n, c) => n + c.drafts.length, 0);
        const error = new Error(`Could not append ${events} partner event(s) for ${partnerId}: still contended after ${attempt + 1} attempts in ${APPEND_BUDGET_MS / 1000} s`);
        for (const c of callers) c.fail(error);
        return;
      }
      onRetry?.(result.outcome);
      // Full jitter, in units of what a transaction takes now: contenders that all just learnt the
      // same counter spread out over a few transaction times instead of colliding again.
      await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, Math.max(BACKOFF_BASE_MS, took) * 2 ** Math.min(attempt, 3)));
    }
  }

  /** {@link commit}, and whatever escapes it goes to the callers: nobody is left waiting. */
  const settled = (partnerId: string, batch: Caller[], topUp?: (callers: Caller[]) => void) =>
    commit(partnerId, batch, topUp).catch((error: unknown) => batch.forEach((c) => c.fail(error)));

  /**
   * Group commit. Within this process, callers whose events all go to one shard queue on that
   * (partner, shard): one transaction at a time, carrying every caller that waited meanwhile (up
   * to 100 items, no item twice). Appends from one process then never conflict with each other,
   * and a busy consumer writes one counter update for many events. Other callers go alone.
   */
  const lanes = new Map<string, Caller[]>();
  async function drain(partnerId: string, lane: string, queue: Caller[]): Promise<void> {
    /** Moves queued callers into the batch, in order, while they fit and touch no item already in it. */
    const fill = (batch: Caller[]) => {
      const keys = new Set(batch.flatMap((c) => c.keys));
      while (queue.length > 0) {
        const next = queue[0]!;
        if (batch.length > 0 && (next.keys.some((k) => keys.has(k)) || sizeOf([...batch, next]) > MAX_APPEND_WITH_ITEMS)) break;
        for (const k of next.keys) keys.add(k);
        batch.push(queue.shift()!);
      }
    };
    while (queue.length > 0) {
      const batch: Caller[] = [];
      fill(batch);
      await settled(partnerId, batch, fill);
    }
    lanes.delete(lane);
  }

  function appendWith(partnerId: string, events: PartnerEventInput[], items: TransactWriteItem[]): Promise<AppendWithResult> {
    return new Promise<AppendWithResult>((settle, fail) => {
      const caller: Caller = { drafts: drafts(events), items, keys: items.map(store.keyOf), settle, fail };
      const size = sizeOf([caller]);
      if (size > MAX_APPEND_WITH_ITEMS) {
        const shards = new Set(caller.drafts.map((d) => d.shard)).size;
        throw new RangeError(`A transaction takes at most ${MAX_APPEND_WITH_ITEMS} items: ${items.length} given, ${events.length} events on ${shards} shards (one counter each) make ${size}`);
      }
      if (size === 0) return settle({ committed: true, events: [] });
      const shards = new Set(caller.drafts.map((d) => d.shard));
      if (shards.size !== 1) return void settled(partnerId, [caller]);
      const lane = hintKey(partnerId, [...shards][0]!);
      const queue = lanes.get(lane);
      if (queue) return void queue.push(caller);
      const fresh = [caller];
      lanes.set(lane, fresh);
      void drain(partnerId, lane, fresh);
    });
  }

  return {
    get: (partnerId, eventId) => store.get(partnerId, eventId),
    headCursor: async (partnerId) => encodeCursor(await store.heads(partnerId)),
    startCursor: () => encodeCursor(new Array<number>(store.shards).fill(0)),
    checkCursor(cursor, field) {
      try {
        decodeCursor(cursor, store.shards);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        throw new ValidationError(error.message, (error.errors ?? []).map((e) => ({ ...e, field })));
      }
    },

    async append(partnerId, event) {
      const result = await appendWith(partnerId, [event], []);
      // With no caller items there is no condition but ours, so only `committed` can come back.
      if (!result.committed) throw new Error('unreachable: an append without items was refused');
      return result.events[0]!;
    },

    appendWith,

    /**
     * One page: each shard's counter (one BatchGetItem), then the shards with something new
     * after the cursor (one bounded Query each, in parallel), merged (partner-event-cursor.ts).
     */
    async list(partnerId, after, limit) {
      const positions = after === undefined ? new Array<number>(store.shards).fill(0) : decodeCursor(after, store.shards);
      const heads = await store.heads(partnerId);
      // A position past its shard's counter is another partner's cursor, a hand-made one, or a
      // counter read that lags. Handing it back would skip the events that later take those
      // numbers, so it is clamped to the counter, read consistently (a lagging read would only
      // move the reader back to events it already had).
      await Promise.all(
        positions.map(async (position, shard) => {
          if (position <= heads[shard]!) return;
          heads[shard] = await store.head(partnerId, shard);
          positions[shard] = Math.min(position, heads[shard]!);
        }),
      );
      const plan = planReads(positions, heads, limit);
      const page = plan.every((n) => n === 0)
        ? { events: [], positions }
        : mergePage(
            positions,
            await Promise.all(
              plan.flatMap((n, shard): Array<Promise<ShardRun>> => {
                if (n === 0) return [];
                return [store.read(partnerId, shard, positions[shard]!, n).then((read) => ({ shard, events: contiguousRun(positions[shard]!, read) }))];
              }),
            ),
            limit,
          );
      const pollCursor = encodeCursor(page.positions);
      const more = page.events.length > 0 && page.positions.some((position, shard) => position < heads[shard]!);
      return { data: page.events, nextCursor: more ? pollCursor : null, pollCursor };
    },
  };
}
