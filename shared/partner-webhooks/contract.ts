/**
 * Partner webhooks: the shapes every part of event delivery agrees on.
 *
 * Flow: an event committed to a partner's log (shared/services/partner-events.ts) reaches the
 * table's change stream; the fan-out function (functions/streams/partner-events.ts) writes one
 * {@link DeliveryTask} per matching enabled endpoint to a delivery queue; a delivery consumer
 * (functions/queues/deliveries.ts) makes exactly one signed attempt per message, records it
 * ({@link DeliveryAttempt}) and, when it failed, schedules the next attempt itself: on the retry
 * queue with an SQS delay when it is due within 15 minutes, else as a {@link ScheduledRetry} row
 * that the sweeper (functions/schedules/delivery-retries.ts) moves to the queue when it comes due.
 * The event log stays the source of truth: redeliver and replay read it again.
 */
import type { PartnerEvent } from '../services/partner-events-contract';

/** A signing secret as stored: encrypted, never returned after the call that created it. */
export interface StoredSecret {
  /** Key-service blob of the `whsec_…` secret, under {@link webhookSecretContext}. */
  ciphertext: string;
  createdAt: string;
  /** Set on the previous secret by a rotation: deliveries carry its signature until then. */
  expiresAt?: string;
}

export type DisabledReason = 'gone' | 'failing' | 'partner';

/** A webhook endpoint as the store holds it. */
export interface StoredWebhookEndpoint {
  partnerId: string;
  /** `we_<ULID>`. */
  id: string;
  /** https (http to loopback only where PARTNER_WEBHOOKS_ALLOW_LOOPBACK is on). */
  url: string;
  /** Event types, or `['*']` for all. */
  eventTypes: string[];
  description?: string;
  enabled: boolean;
  /** Why it is disabled (when `enabled` is false): 410 Gone, failing for 5 days, or the partner's PATCH. */
  disabledReason?: DisabledReason;
  disabledAt?: string;
  /** Oldest first; the last is the current one. At most two (current and the one being rolled off). */
  secrets: StoredSecret[];
  /** First failed attempt of the current run of failures; removed by a success. Routes deliveries to the retry lane. */
  failingSince?: string;
  lastFailureAt?: string;
  lastSuccessAt?: string;
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: every update checks and increments it. */
  version: number;
}

/** An event as delivered: the log's event, or a synthetic `webhook_endpoint.test` (not in the log). */
export type DeliverableEvent = Pick<PartnerEvent, 'id' | 'occurredAt' | 'customerId'> & { type: string; data: Record<string, unknown> };

/** Why this delivery exists. */
export type DeliveryOrigin = 'event' | 'redeliver' | 'replay' | 'test';

/** The body of a delivery queue message: one attempt of one event to one endpoint. */
export interface DeliveryTask {
  partnerId: string;
  endpointId: string;
  event: DeliverableEvent;
  /** 1-based number of the attempt this message asks for. */
  attempt: number;
  origin: DeliveryOrigin;
  /** Set by `replay`: the replay it belongs to. */
  replayId?: string;
  /**
   * Moved from the healthy lane to the retry lane because its endpoint was slow there (see the
   * delivery service): the same attempt again, with the retry lane's full timeout.
   */
  deferred?: true;
  /**
   * The queue the message was sent to, stamped by the sender (enqueue.ts): the delivery function
   * serves both lanes and the healthy lane has its own rules. Absent on messages sent before it
   * existed, whose lane is then inferred ({@link laneOf}).
   */
  lane?: DeliveryLane;
}

export type DeliveryLane = 'partner-deliveries' | 'partner-deliveries-retry';

/** How one attempt ended. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'refused';

/** One attempt, as recorded in the endpoint's delivery log (expires after {@link DELIVERY_LOG_TTL_DAYS}). */
export interface DeliveryAttempt {
  partnerId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  origin: DeliveryOrigin;
  attemptedAt: string;
  outcome: AttemptOutcome;
  /** HTTP status of the response, when there was one. */
  responseStatus?: number;
  durationMs: number;
  /** What went wrong: `timeout`, `connection refused`, `HTTP 503`, `ssrf: private address 10.0.0.8`, … */
  error?: string;
  /** When the next attempt is due; absent after a success or the last attempt. */
  nextAttemptAt?: string;
}

/** A retry due more than 15 minutes after its failure, waiting in the table for the sweeper. */
export interface ScheduledRetry {
  dueAt: string;
  task: DeliveryTask;
}

/** Endpoints per partner (one Query reads them all on every fan-out). */
export const MAX_ENDPOINTS_PER_PARTNER = 20;
export const DELIVERY_LOG_TTL_DAYS = 30;
/** Default overlap of a rotated secret, during which deliveries carry both signatures. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 60 * 60;
/** An endpoint that failed every attempt for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60 * 1000;

/** The encryption context of a webhook signing secret: its own keys, never a subaccount token's. */
export interface WebhookSecretContext {
  readonly purpose: 'partner-webhook-secret';
  readonly partnerId: string;
  readonly webhookEndpointId: string;
}
export const webhookSecretContext = (partnerId: string, webhookEndpointId: string): WebhookSecretContext => ({
  purpose: 'partner-webhook-secret',
  partnerId,
  webhookEndpointId,
});

/** Does the endpoint want events of this type? */
export const subscribes = (endpoint: Pick<StoredWebhookEndpoint, 'eventTypes'>, type: string): boolean =>
  endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type);

/** The queue a delivery goes to: the retry lane for retries and for endpoints that are failing. */
export const laneOf = (endpoint: Pick<StoredWebhookEndpoint, 'failingSince'>, attempt: number): DeliveryLane =>
  attempt > 1 || endpoint.failingSince ? 'partner-deliveries-retry' : 'partner-deliveries';

/** A page of the delivery log: `next` is the position after it (raw, the service seals it into a cursor), null on the last page. */
export interface LogPage<T> {
  data: T[];
  next: string | null;
}

/**
 * The table side of partner webhooks (shared/store/webhook-endpoints.ts). Every method is scoped
 * by partner: an endpoint of another partner is `undefined`, exactly like a missing one.
 */
export interface WebhookEndpointStore {
  /** Fails with a conflict when the partner already has {@link MAX_ENDPOINTS_PER_PARTNER}. */
  create(endpoint: StoredWebhookEndpoint): Promise<void>;
  get(partnerId: string, endpointId: string): Promise<StoredWebhookEndpoint | undefined>;
  /** All of the partner's endpoints (one Query; at most {@link MAX_ENDPOINTS_PER_PARTNER}), oldest first. */
  all(partnerId: string): Promise<StoredWebhookEndpoint[]>;
  /**
   * Writes `next` if the stored row still has `expectedVersion` (next.version must be expectedVersion + 1);
   * false when it changed meanwhile or was deleted.
   */
  replace(next: StoredWebhookEndpoint, expectedVersion: number): Promise<boolean>;
  delete(partnerId: string, endpointId: string): Promise<boolean>;
  /** Marks a failed attempt: `failingSince` if not yet set, `lastFailureAt`; returns the row after the update (undefined when deleted). */
  markFailure(partnerId: string, endpointId: string, at: string): Promise<StoredWebhookEndpoint | undefined>;
  /** Clears `failingSince` after a success (a no-op when it is not set), sets `lastSuccessAt`. */
  markSuccess(partnerId: string, endpointId: string, at: string): Promise<void>;
  /** Disables the endpoint unless it is already disabled; true when this call disabled it. */
  disable(partnerId: string, endpointId: string, reason: DisabledReason, at: string): Promise<boolean>;

  /** Records attempts (BatchWriteItem: a delivery consumer writes a batch's attempts at once). */
  recordAttempts(attempts: DeliveryAttempt[]): Promise<void>;
  /** The endpoint's attempts, newest first, after a position (`next` of a previous page). */
  attempts(partnerId: string, endpointId: string, after: string | undefined, limit: number): Promise<LogPage<DeliveryAttempt>>;
}

/** Retries due later than SQS can delay (shared/store/webhook-retries.ts). */
export interface ScheduledRetryStore {
  schedule(retries: ScheduledRetry[]): Promise<void>;
  /**
   * Retries not yet moved that are due in the minutes up to `until`'s, oldest minute first, at most
   * about `limit`; `through` is the last minute all of whose retries are in `retries` (undefined
   * when not even the first one fit).
   */
  due(until: Date, limit: number): Promise<{ retries: ScheduledRetry[]; through?: Date }>;
  /** Removes retries the sweeper has moved to the queue. */
  remove(retries: ScheduledRetry[]): Promise<void>;
  /** Records that every minute up to `through` has been moved: the next sweep starts after it. */
  sweptThrough(through: Date): Promise<void>;
}

/** The body of a `partner-replays` message: one step of a replay of the log to one endpoint. */
export interface ReplayTask {
  partnerId: string;
  endpointId: string;
  replayId: string;
  /** Cursor of the log: the step sends the events after it. */
  after: string;
  /** The log's head when the replay was asked for: the replay ends there (later events are delivered live). */
  until: string;
  /** Events sent so far. */
  sent: number;
}
