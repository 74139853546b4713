import type { PartnerEventLog } from '../services/partner-events-contract';
import type { Clock } from '../services/support';
import {
  DISABLE_AFTER_FAILING_MS,
  laneOf,
  subscribes,
  webhookSecretContext,
  type DeliveryAttempt,
  type DeliveryTask,
  type DisabledReason,
  type ScheduledRetryStore,
  type StoredWebhookEndpoint,
  type WebhookEndpointStore,
  type WebhookSecretContext,
} from './contract';
import type { AttemptInput, AttemptResult } from './deliver';
import { SOCKETS_PER_TARGET } from './sender';
import { MAX_QUEUE_DELAY_SECONDS, type DeliveryQueues } from './enqueue';
import { nextDelayMs } from './retry-policy';
import type { Lookup } from './url-guard';

/** What became of one delivery task. */
export type DeliveryOutcome =
  | 'succeeded'
  /** Failed; the next attempt is scheduled. */
  | 'retrying'
  /** Failed on its last attempt, or its endpoint was disabled by this failure. */
  | 'failed'
  /** Nothing sent: the endpoint was deleted, is disabled, or no longer takes the event's type. */
  | 'dropped'
  /**
   * Moved to the retry lane because the endpoint is slow: before its attempt (nothing sent), or
   * after the healthy lane's {@link HEALTHY_LANE_TIMEOUT_MS} passed without an answer (recorded,
   * and sent again there with the full timeout).
   */
  | 'deferred';

export interface DeliveryServiceDeps {
  endpoints: WebhookEndpointStore;
  retries: ScheduledRetryStore;
  queues: Pick<DeliveryQueues, 'retry'>;
  /** For `webhook_endpoint.disabled`. */
  events: Pick<PartnerEventLog, 'append'>;
  decrypt(ciphertext: string, context: WebhookSecretContext): Promise<string>;
  attempt(input: AttemptInput): Promise<AttemptResult>;
  allowLoopback: boolean;
  lookup?: Lookup;
  clock: Clock;
  /** Jitter of retry delays; injectable so tests are exact. */
  random?: () => number;
  /** How long an endpoint read is reused within the process (default 1 s). */
  endpointCacheMs?: number;
  /** Monotonic milliseconds for the slow-endpoint breaker (default `performance.now`). */
  monotonic?: () => number;
}

/**
 * The healthy lane serves endpoints that answer in milliseconds, and its batches end with their
 * slowest attempt, so an endpoint that is slow there would hold everyone's consumers. Three guards:
 * - a healthy-lane attempt waits {@link HEALTHY_LANE_TIMEOUT_MS} for its answer, not the full
 *   10 s: without one the task moves to the retry lane at once, where it is sent again with the
 *   full timeout (the receiver may get it twice; it deduplicates on `webhook-id`), and the
 *   endpoint is marked failing, so the fan-out sends its next events to the retry lane;
 * - after such a timeout, the endpoint's healthy-lane work in this process goes straight to the
 *   retry lane for {@link SLOW_COOLDOWN_MS};
 * - so it does when {@link SLOW_IN_FLIGHT} of its attempts in this process have been running for
 *   longer than {@link SLOW_AFTER_MS} (a hang is seen before the first timeout ends).
 * A busy endpoint that answers in time stays on the healthy lane however many attempts it has
 * running: the retry lane is where slow endpoints wait, no place for a healthy one.
 */
export const HEALTHY_LANE_TIMEOUT_MS = 2_000;
export const SLOW_COOLDOWN_MS = 60_000;
export const SLOW_AFTER_MS = 1_000;
export const SLOW_IN_FLIGHT = 2;
/** A failing endpoint's row is marked at most this often (a dead endpoint must not heat its item). */
const FAILURE_MARK_INTERVAL_MS = 60_000;
const MAX_CACHED = 10_000;

/** A Map used as a bounded cache: the oldest entry goes first. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.delete(key);
  if (map.size >= MAX_CACHED) map.delete(map.keys().next().value as K);
  map.set(key, value);
  return value;
}

/** Attempts recorded by one write at most: the store packs them into rows per endpoint (25 a row, 25 rows a BatchWriteItem). */
const ATTEMPTS_PER_FLUSH = 250;

/** Batches attempt records made in the same turn of the event loop into one store write. */
function attemptRecorder(write: (attempts: DeliveryAttempt[]) => Promise<void>) {
  let pending: Array<{ attempt: DeliveryAttempt; settle: () => void; fail: (error: unknown) => void }> = [];
  const flush = () => {
    const batch = pending.splice(0, ATTEMPTS_PER_FLUSH);
    if (pending.length > 0) setImmediate(flush);
    write(batch.map((p) => p.attempt)).then(
      () => batch.forEach((p) => p.settle()),
      (error: unknown) => batch.forEach((p) => p.fail(error)),
    );
  };
  return (attempt: DeliveryAttempt) =>
    new Promise<void>((settle, fail) => {
      if (pending.push({ attempt, settle, fail }) === 1) setImmediate(flush);
    });
}

/**
 * One attempt per task: the endpoint as it is now (deleted, disabled or unsubscribed: nothing is
 * sent), its live secrets, the guarded and signed POST, the attempt recorded, and after a failure
 * the next attempt scheduled — on the retry queue when it is due within SQS's 15-minute delay,
 * else in the table for the sweeper — or the endpoint disabled (410 Gone at once; failing every
 * attempt for 5 days).
 */
export function deliveryService(deps: DeliveryServiceDeps) {
  const { endpoints, clock, random = Math.random, endpointCacheMs = 1_000, monotonic = () => performance.now() } = deps;
  const cachedEndpoints = new Map<string, { endpoint: StoredWebhookEndpoint | undefined; at: number }>();
  const secrets = new Map<string, Promise<string>>();
  const inFlight = new Map<string, Set<number>>();
  /** Endpoints whose healthy-lane work goes to the retry lane until then (monotonic ms). */
  const slowUntil = new Map<string, number>();
  const record = attemptRecorder((attempts) => endpoints.recordAttempts(attempts));

  const cacheKey = (partnerId: string, endpointId: string) => `${partnerId}\u0000${endpointId}`;
  async function endpointOf(partnerId: string, endpointId: string): Promise<StoredWebhookEndpoint | undefined> {
    const key = cacheKey(partnerId, endpointId);
    const cached = cachedEndpoints.get(key);
    if (cached && monotonic() - cached.at < endpointCacheMs) return cached.endpoint;
    return refresh(await endpoints.get(partnerId, endpointId), partnerId, endpointId);
  }
  /**
   * Only an enabled endpoint is reused: a disabled or deleted one is read again every time, so
   * enabling it again takes effect on the next delivery (there are few of those reads: drops).
   */
  function refresh(endpoint: StoredWebhookEndpoint | undefined, partnerId: string, endpointId: string): StoredWebhookEndpoint | undefined {
    const key = cacheKey(partnerId, endpointId);
    if (endpoint?.enabled) remember(cachedEndpoints, key, { endpoint, at: monotonic() });
    else cachedEndpoints.delete(key);
    return endpoint;
  }

  /** The secrets that sign now: the current one, and the previous one until its overlap ends. Decrypted once per process. */
  function liveSecrets(endpoint: StoredWebhookEndpoint, now: Date): Promise<string[]> {
    const live = endpoint.secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime());
    return Promise.all(
      live.map((s) => {
        const known = secrets.get(s.ciphertext);
        if (known) return known;
        const opened = deps.decrypt(s.ciphertext, webhookSecretContext(endpoint.partnerId, endpoint.id));
        opened.catch(() => secrets.delete(s.ciphertext));
        return remember(secrets, s.ciphertext, opened);
      }),
    );
  }

  /** Is this endpoint too slow for the healthy lane in this process? */
  function isSlow(endpointId: string): boolean {
    const now = monotonic();
    if ((slowUntil.get(endpointId) ?? -Infinity) > now) return true;
    const started = inFlight.get(endpointId);
    if (!started) return false;
    let slow = 0;
    for (const at of started) if (now - at > SLOW_AFTER_MS && ++slow >= SLOW_IN_FLIGHT) return true;
    return false;
  }
  /**
   * Runs an attempt once the endpoint has one of its {@link SOCKETS_PER_TARGET} connections free
   * in this process, timed from then: waiting for our own connection pool is not the endpoint
   * being slow.
   */
  async function timed<T>(endpointId: string, run: () => Promise<T>): Promise<T> {
    await acquireSlot(endpointId);
    try {
      return await measured(endpointId, run);
    } finally {
      releaseSlot(endpointId);
    }
  }
  const slots = new Map<string, { running: number; waiting: Array<() => void> }>();
  async function acquireSlot(endpointId: string): Promise<void> {
    const slot = slots.get(endpointId) ?? slots.set(endpointId, { running: 0, waiting: [] }).get(endpointId)!;
    if (slot.running < SOCKETS_PER_TARGET) {
      slot.running++;
      return;
    }
    // The releasing attempt hands its slot over: `running` stays as it is.
    await new Promise<void>((resolve) => slot.waiting.push(resolve));
  }
  function releaseSlot(endpointId: string): void {
    const slot = slots.get(endpointId)!;
    const next = slot.waiting.shift();
    if (next) next();
    else if (--slot.running === 0) slots.delete(endpointId);
  }
  async function measured<T>(endpointId: string, run: () => Promise<T>): Promise<T> {
    const at = monotonic();
    const started = inFlight.get(endpointId) ?? inFlight.set(endpointId, new Set()).get(endpointId)!;
    // Two attempts may start in the same millisecond: keep them apart in the set.
    let token = at;
    while (started.has(token)) token += 1e-6;
    started.add(token);
    try {
      return await run();
    } finally {
      started.delete(token);
      if (started.size === 0) inFlight.delete(endpointId);
    }
  }

  async function disable(endpoint: StoredWebhookEndpoint, reason: Exclude<DisabledReason, 'partner'>, at: Date, lastError?: string): Promise<void> {
    if (!(await endpoints.disable(endpoint.partnerId, endpoint.id, reason, at.toISOString()))) return;
    refresh(undefined, endpoint.partnerId, endpoint.id);
    await deps.events.append(endpoint.partnerId, {
      type: 'webhook_endpoint.disabled',
      data: { endpointId: endpoint.id, url: endpoint.url, reason, ...(endpoint.failingSince ? { failingSince: endpoint.failingSince } : {}), ...(lastError ? { lastError } : {}) },
    });
  }

  /**
   * The endpoint's run of failures, marked on its row (at most once a minute); undefined when it
   * is gone. Attempts failing at the same time share one write.
   */
  const marking = new Map<string, Promise<StoredWebhookEndpoint | undefined>>();
  async function markFailing(endpoint: StoredWebhookEndpoint, now: Date): Promise<StoredWebhookEndpoint | undefined> {
    const lastMark = endpoint.lastFailureAt ? Date.parse(endpoint.lastFailureAt) : -Infinity;
    if (endpoint.failingSince && now.getTime() - lastMark < FAILURE_MARK_INTERVAL_MS) return endpoint;
    const key = cacheKey(endpoint.partnerId, endpoint.id);
    const pending = marking.get(key);
    if (pending) return pending;
    const mark = endpoints
      .markFailure(endpoint.partnerId, endpoint.id, now.toISOString())
      .then((marked) => refresh(marked, endpoint.partnerId, endpoint.id))
      .finally(() => marking.delete(key));
    marking.set(key, mark);
    return mark;
  }

  /**
   * A success ends the endpoint's run of failures. Attempts that read the row while it was
   * failing all succeed at about the same time: one write clears it, once per run.
   */
  const cleared = new Map<string, string>();
  async function markRecovered(endpoint: StoredWebhookEndpoint, now: Date): Promise<void> {
    const key = cacheKey(endpoint.partnerId, endpoint.id);
    if (!endpoint.failingSince || cleared.get(key) === endpoint.failingSince) return;
    remember(cleared, key, endpoint.failingSince);
    cachedEndpoints.delete(key);
    try {
      await endpoints.markSuccess(endpoint.partnerId, endpoint.id, now.toISOString());
    } catch (error) {
      cleared.delete(key);
      throw error;
    }
  }

  /** After a failed attempt: the endpoint's failure run, and what comes next (a retry, or the end). */
  async function afterFailure(task: DeliveryTask, endpoint: StoredWebhookEndpoint, result: AttemptResult, now: Date): Promise<{ nextAttemptAt?: string; outcome: DeliveryOutcome }> {
    const current = await markFailing(endpoint, now);
    if (!current) return { outcome: 'failed' };
    if (current.failingSince && now.getTime() - Date.parse(current.failingSince) >= DISABLE_AFTER_FAILING_MS) {
      await disable(current, 'failing', now, result.error);
      return { outcome: 'failed' };
    }
    const delay = nextDelayMs(task.attempt, result, random);
    if (delay === undefined) return { outcome: 'failed' };
    const next: DeliveryTask = { ...task, attempt: task.attempt + 1 };
    delete next.deferred;
    const dueAt = new Date(now.getTime() + delay);
    if (delay <= MAX_QUEUE_DELAY_SECONDS * 1000) await deps.queues.retry(next, delay / 1000);
    else await deps.retries.schedule([{ dueAt: dueAt.toISOString(), task: next }]);
    return { nextAttemptAt: dueAt.toISOString(), outcome: 'retrying' };
  }

  return {
    /**
     * Makes the task's attempt. `inline` (replays, which send in order themselves) never defers
     * to the retry lane.
     */
    async deliver(task: DeliveryTask, options: { inline?: boolean } = {}): Promise<DeliveryOutcome> {
      const endpoint = await endpointOf(task.partnerId, task.endpointId);
      if (!endpoint || !endpoint.enabled) return 'dropped';
      if (task.origin !== 'test' && !subscribes(endpoint, task.event.type)) return 'dropped';
      const onHealthyLane = !options.inline && (task.lane ?? (task.deferred ? 'partner-deliveries-retry' : laneOf(endpoint, task.attempt))) === 'partner-deliveries';
      if (onHealthyLane && isSlow(endpoint.id)) {
        await deps.queues.retry({ ...task, deferred: true }, 0);
        return 'deferred';
      }

      const now = clock.now();
      const result = await timed(endpoint.id, async () =>
        deps.attempt({
          url: endpoint.url,
          secrets: await liveSecrets(endpoint, now),
          event: task.event,
          now,
          allowLoopback: deps.allowLoopback,
          lookup: deps.lookup,
          ...(onHealthyLane ? { timeoutMs: HEALTHY_LANE_TIMEOUT_MS } : {}),
        }),
      );

      let outcome: DeliveryOutcome;
      let nextAttemptAt: string | undefined;
      let error = result.error;
      if (onHealthyLane && result.timedOut) {
        // Too slow for the healthy lane: at once to the retry lane, with the full timeout there.
        remember(slowUntil, endpoint.id, monotonic() + SLOW_COOLDOWN_MS);
        await deps.queues.retry({ ...task, deferred: true }, 0);
        await markFailing(endpoint, now);
        outcome = 'deferred';
        nextAttemptAt = now.toISOString();
        error = `no answer within ${HEALTHY_LANE_TIMEOUT_MS / 1000} s on the healthy lane; sent again at once on the retry lane, which waits the full 10 s`;
      } else if (result.verdict.kind === 'succeeded') {
        outcome = 'succeeded';
        await markRecovered(endpoint, now);
      } else if (result.verdict.kind === 'gone') {
        outcome = 'failed';
        await disable(endpoint, 'gone', now, result.error ?? 'HTTP 410');
      } else {
        ({ outcome, nextAttemptAt } = await afterFailure(task, endpoint, result, now));
      }

      await record({
        partnerId: task.partnerId,
        endpointId: task.endpointId,
        eventId: task.event.id,
        eventType: task.event.type,
        attempt: task.attempt,
        origin: task.origin,
        attemptedAt: now.toISOString(),
        outcome: result.verdict.kind === 'succeeded' ? 'succeeded' : result.refusedBy ? 'refused' : 'failed',
        ...(result.status !== undefined ? { responseStatus: result.status } : {}),
        durationMs: Math.round(result.durationMs),
        ...(error ? { error } : {}),
        ...(nextAttemptAt ? { nextAttemptAt } : {}),
      });
      return outcome;
    },
  };
}

export type DeliveryService = ReturnType<typeof deliveryService>;
