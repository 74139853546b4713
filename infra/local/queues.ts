import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT, type LambdaRuntime } from './lambda-runtime';
import { isManual, systemClock, type Clock } from './clock';
import { functionsOf, type LocalCatalog, type QueuePolicy } from './local-catalog';
import type { LocalLog } from './log';

/**
 * In-process queues with the SQS semantics the consumers rely on: a received message is
 * invisible for the visibility timeout and comes back if it is not deleted; a consumer deletes
 * by succeeding, or reports the failed records of a batch (`batchItemFailures`), as with
 * `ReportBatchItemFailures`; a message received more than `maxReceiveCount` times moves to the
 * queue's DLQ (`<name>-dlq`), from where it can be redriven.
 *
 * Time is a {@link Clock}: with a manual clock, {@link LocalQueues.drain} advances it to the next
 * redelivery instead of waiting, so retries and dead-lettering are tested without sleeping.
 */

/** SQS's message size limit (body plus attributes). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const LOCAL_QUEUE_SCHEME = 'local://';
export const DLQ_SUFFIX = '-dlq';

export type MessageAttributeInput = string | { dataType: 'String' | 'Number'; stringValue: string } | { dataType: 'Binary'; binaryValue: string };

/**
 * What a local adapter of the (future) queue port needs: `send` to a queue by name or by its
 * `local://<name>` URL (QUEUE_URLS holds those locally). Published on `globalThis` under
 * {@link LOCAL_QUEUE_TRANSPORT} while a platform runs, because `shared/` must not import the
 * local runtime.
 */
/** SQS's DelaySeconds and MessageGroupId (the fair-queue tenant of a standard queue). */
export interface SendOptions {
  delaySeconds?: number;
  groupId?: string;
}

export interface QueueTransport {
  send(queue: string, body: string, attributes?: Record<string, MessageAttributeInput>, options?: SendOptions): Promise<{ messageId: string }>;
  /**
   * Why a consumer failed a delivered message (its `batchItemFailures` carry only the id), by
   * queue name, URL or ARN (a record's `eventSourceARN`). Kept with the message so that moving it
   * to the DLQ logs the last reason. Unknown queues and messages are ignored.
   */
  recordFailure(queue: string, messageId: string, reason: string): void;
}
export const LOCAL_QUEUE_TRANSPORT = Symbol.for('switchboard.local-queue-transport');

export class QueueDoesNotExistError extends Error {
  override readonly name = 'QueueDoesNotExist';
}
export class InvalidMessageContentsError extends Error {
  override readonly name = 'InvalidMessageContents';
}

interface StoredMessage {
  messageId: string;
  body: string;
  attributes: SQSMessageAttributes;
  md5OfBody: string;
  md5OfMessageAttributes: string | null;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
  /** MessageGroupId: the fair-queue tenant. */
  groupId?: string;
  receiptHandle?: string;
  deadLetterSourceArn?: string;
  /** Why the last failed receive failed, and which receive that was. */
  lastFailure?: { reason: string; receiveCount: number };
}

/** A message as tests and tools see it (never a live receipt handle). */
export interface QueuedMessage {
  messageId: string;
  body: string;
  messageAttributes: SQSMessageAttributes;
  receiveCount: number;
  visible: boolean;
  /** When it was first sent (ms on the queues' clock); a dead letter keeps its original time. */
  sentAt: number;
  /** Why its last failed receive failed (a dead letter's reason). */
  lastFailure?: string;
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  deadLettered: number;
}

/** One message moved to a DLQ: ids, counts and the reason, never the body (it holds personal data). */
export interface DeadLetterNotice {
  queue: string;
  messageId: string;
  receiveCount: number;
  reason: string;
}

export interface DrainResult {
  /** Consumer invocations. */
  batches: number;
  /** Records delivered (a redelivery counts again). */
  delivered: number;
  deleted: number;
  failed: number;
  deadLettered: number;
}

class LocalQueue {
  readonly arn: string;
  /** By message id, in arrival order (a Map keeps insertion order): oldest first, O(1) removal. */
  private readonly messages = new Map<string, StoredMessage>();
  private readonly byReceiptHandle = new Map<string, StoredMessage>();

  constructor(
    readonly name: string,
    readonly policy: QueuePolicy,
    region: string,
    private readonly clock: Clock,
    readonly dlq?: LocalQueue,
  ) {
    this.arn = `arn:aws:sqs:${region}:${LOCAL_ACCOUNT}:${name}`;
  }

  get url(): string {
    return `${LOCAL_QUEUE_SCHEME}${this.name}`;
  }

  send(body: string, attributes: SQSMessageAttributes, { delaySeconds = 0, groupId }: SendOptions = {}): StoredMessage {
    const message: StoredMessage = {
      ...(groupId ? { groupId } : {}),
      messageId: randomUUID(),
      body,
      attributes,
      md5OfBody: md5(body),
      md5OfMessageAttributes: Object.keys(attributes).length ? md5OfAttributes(attributes) : null,
      sentAt: this.clock.now(),
      receiveCount: 0,
      // A delayed message is invisible until its delay has passed, on the queues' clock.
      visibleAt: this.clock.now() + delaySeconds * 1000,
    };
    this.messages.set(message.messageId, message);
    return message;
  }

  /** Up to `max` visible messages, oldest first; those over the receive limit go to the DLQ instead. */
  receive(max: number): { received: StoredMessage[]; deadLettered: StoredMessage[] } {
    const now = this.clock.now();
    const received: StoredMessage[] = [];
    const deadLettered: StoredMessage[] = [];
    // Deleting the entry being visited is safe while iterating a Map.
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.dlq && message.receiveCount >= this.policy.maxReceiveCount) {
        this.remove(message);
        this.dlq.accept({ ...message, receiptHandle: undefined, visibleAt: now, deadLetterSourceArn: this.arn });
        deadLettered.push(message);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.policy.visibilityTimeoutSeconds * 1000;
      if (message.receiptHandle) this.byReceiptHandle.delete(message.receiptHandle);
      message.receiptHandle = randomBytes(24).toString('base64url');
      this.byReceiptHandle.set(message.receiptHandle, message);
      received.push(message);
    }
    return { received, deadLettered };
  }

  /** Deletes by receipt handle; a handle from an earlier receive no longer matches, as in SQS. */
  delete(receiptHandle: string): boolean {
    const message = this.byReceiptHandle.get(receiptHandle);
    if (!message || message.receiptHandle !== receiptHandle) return false;
    this.remove(message);
    return true;
  }

  accept(message: StoredMessage): void {
    this.messages.set(message.messageId, message);
  }

  /** The message with this id, if it is still in the queue. */
  find(messageId: string): StoredMessage | undefined {
    return this.messages.get(messageId);
  }

  takeAll(): StoredMessage[] {
    const all = [...this.messages.values()];
    this.messages.clear();
    this.byReceiptHandle.clear();
    return all;
  }

  list(): QueuedMessage[] {
    const now = this.clock.now();
    return [...this.messages.values()].map((m) => ({
      messageId: m.messageId,
      body: m.body,
      messageAttributes: m.attributes,
      receiveCount: m.receiveCount,
      visible: m.visibleAt <= now,
      sentAt: m.sentAt,
      ...(m.lastFailure ? { lastFailure: m.lastFailure.reason } : {}),
    }));
  }

  stats(): QueueStats {
    const now = this.clock.now();
    let visible = 0;
    for (const m of this.messages.values()) if (m.visibleAt <= now) visible++;
    return { visible, inFlight: this.messages.size - visible, deadLettered: this.dlq?.messages.size ?? 0 };
  }

  nextVisibleAt(): number | undefined {
    const now = this.clock.now();
    let next: number | undefined;
    for (const m of this.messages.values()) if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  record(message: StoredMessage, region: string): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle!,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'AROALOCAL:local',
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
        ...(message.deadLetterSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterSourceArn } : {}),
        ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
      },
      messageAttributes: message.attributes,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: region,
    };
  }

  private remove(message: StoredMessage): void {
    this.messages.delete(message.messageId);
    if (message.receiptHandle) this.byReceiptHandle.delete(message.receiptHandle);
  }
}

export interface LocalQueuesOptions {
  catalog: LocalCatalog;
  /** Invokes the consumers; without it the queues only store messages. */
  runtime?: LambdaRuntime;
  region?: string;
  clock?: Clock;
  /** Where dead-lettering is reported (queue, message id, receive count, last reason). */
  log?: LocalLog;
}

/** How the background polling (npm start) feeds a consumer, like Lambda's SQS event source mapping. */
export interface PollingOptions {
  /** How often idle queues are looked at again, in ms (default 100). */
  intervalMs?: number;
  /**
   * Batches of one consumer in flight at once (default 5, the pollers Lambda starts an SQS event
   * source with); a trigger's own `maxConcurrency` in the catalog wins. A consumer that finishes
   * a batch receives the next one at once while messages are visible, instead of waiting for the
   * next interval.
   */
  concurrency?: number;
}

export interface LocalQueues extends QueueTransport {
  /** `local://<name>` per catalog queue, the value of QUEUE_URLS locally. */
  urls(): Record<string, string>;
  /** One polling round: every consumer gets at most one batch of visible messages. */
  pump(): Promise<DrainResult>;
  /**
   * Polls until no consumer has a visible message left. With a manual clock it also advances time
   * to each pending redelivery, so it returns only when every message was deleted or dead-lettered.
   */
  drain(options?: { maxRounds?: number }): Promise<DrainResult>;
  /** Moves every message of `<queue>-dlq` back to `<queue>` with a fresh receive count; returns how many. */
  redrive(queue: string): number;
  messages(queue: string): QueuedMessage[];
  deadLetters(queue: string): QueuedMessage[];
  stats(queue: string): QueueStats;
  /**
   * Messages held (visible and in flight) and the age of the oldest on the queues' clock, by
   * queue name (`<queue>-dlq` too): what SQS's attributes and CloudWatch tell deployed, no contents.
   */
  depth(queue: string): { messages: number; oldestMessageAgeSeconds: number | null };
  /** Background polling on the real clock (npm start); a number is the interval in ms. */
  startPolling(options?: number | PollingOptions): void;
  /** Stops polling and waits for the batches in flight. */
  stopPolling(): Promise<void>;
  /** What background polling has done since it started (tools and benchmarks read it). */
  pollingTotals(): DrainResult;
}

const UNREPORTED_FAILURE = 'reported in batchItemFailures without a reason (the consumer did not call reportLocalFailure)';

export function createLocalQueues({ catalog, runtime, region = 'us-east-1', clock = systemClock, log }: LocalQueuesOptions): LocalQueues {
  const queues = new Map<string, LocalQueue>();
  for (const [name, policy] of Object.entries(catalog.queues)) {
    const dlqName = `${name}${DLQ_SUFFIX}`;
    // The DLQ keeps messages long enough to investigate; it has no consumer and no DLQ of its own.
    const dlq = new LocalQueue(dlqName, { visibilityTimeoutSeconds: policy.visibilityTimeoutSeconds, maxReceiveCount: Infinity }, region, clock);
    queues.set(dlqName, dlq);
    queues.set(name, new LocalQueue(name, policy, region, clock, dlq));
  }
  const consumers = functionsOf(catalog, 'queue').map((fn) => {
    const queue = queues.get(fn.trigger.queue);
    if (!queue) throw new Error(`Function ${fn.id} consumes queue '${fn.trigger.queue}', which the catalog does not declare`);
    return { fn, queue, inFlight: 0 };
  });
  type Consumer = (typeof consumers)[number];

  function queueNamed(nameOrUrl: string): LocalQueue {
    const name = nameOrUrl.startsWith(LOCAL_QUEUE_SCHEME) ? nameOrUrl.slice(LOCAL_QUEUE_SCHEME.length) : nameOrUrl;
    const queue = queues.get(name);
    if (!queue) throw new QueueDoesNotExistError(`The queue ${nameOrUrl} does not exist`);
    return queue;
  }

  /** By name, `local://` URL or ARN; undefined when unknown. */
  function queueOf(reference: string): LocalQueue | undefined {
    const name = reference.startsWith('arn:') ? reference.slice(reference.lastIndexOf(':') + 1) : reference.startsWith(LOCAL_QUEUE_SCHEME) ? reference.slice(LOCAL_QUEUE_SCHEME.length) : reference;
    return queues.get(name);
  }

  function failed(message: StoredMessage, reason: string): void {
    message.lastFailure = { reason, receiveCount: message.receiveCount };
  }

  /** Each message moved to a DLQ is logged with its ids, counts and last reason: never its body. */
  function reportDeadLetters(queue: LocalQueue, moved: StoredMessage[]): void {
    for (const message of moved) {
      const notice: DeadLetterNotice = { queue: queue.name, messageId: message.messageId, receiveCount: message.receiveCount, reason: message.lastFailure?.reason ?? 'unknown (no failure was recorded)' };
      log?.warn(`Dead-lettered: queue=${notice.queue} messageId=${notice.messageId} receiveCount=${notice.receiveCount} → ${queue.dlq!.name}; last failure: ${notice.reason}`);
    }
  }

  /** Receives one batch (moving messages over the receive limit to the DLQ), or nothing. */
  function receiveBatch({ fn, queue }: Consumer, totals: DrainResult): SQSEvent | undefined {
    const { received, deadLettered } = queue.receive(Math.min(fn.trigger.batchSize, 10));
    totals.deadLettered += deadLettered.length;
    reportDeadLetters(queue, deadLettered);
    if (received.length === 0) return undefined;
    totals.batches++;
    totals.delivered += received.length;
    return { Records: received.map((m) => queue.record(m, region)) };
  }

  async function invokeBatch({ fn, queue }: Consumer, event: SQSEvent, totals: DrainResult): Promise<void> {
    let failedIds: Set<string>;
    let batchFailure: string | undefined;
    try {
      failedIds = failuresOf(await runtime!.invoke(fn.id, event), event);
    } catch (error) {
      // As in Lambda, an invocation that throws or times out returns the whole batch.
      failedIds = new Set(event.Records.map((r) => r.messageId));
      batchFailure = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    }
    for (const record of event.Records) {
      if (failedIds.has(record.messageId)) {
        totals.failed++;
        const message = queue.find(record.messageId);
        // The consumer's own reason for this receive when it gave one, else what the queue saw.
        if (message && message.lastFailure?.receiveCount !== message.receiveCount) failed(message, batchFailure ?? UNREPORTED_FAILURE);
      } else if (queue.delete(record.receiptHandle)) totals.deleted++;
    }
  }

  async function deliver(consumer: Consumer, totals: DrainResult): Promise<void> {
    const event = receiveBatch(consumer, totals);
    if (event) await invokeBatch(consumer, event, totals);
  }

  let pumping: Promise<DrainResult> | undefined;
  async function pumpOnce(): Promise<DrainResult> {
    const totals = emptyResult();
    if (!runtime) return totals;
    // Consumers run one after another: deterministic order, and no consumer sees a half-updated queue.
    for (const consumer of consumers) await deliver(consumer, totals);
    return totals;
  }
  const pump = (): Promise<DrainResult> => {
    pumping ??= pumpOnce().finally(() => (pumping = undefined));
    return pumping;
  };

  // Background polling: per consumer up to `concurrency` batches in flight, the next one received
  // as soon as one finishes, as Lambda's pollers do; the interval only wakes idle consumers.
  let timer: NodeJS.Timeout | undefined;
  let concurrency = 5;
  const inFlight = new Set<Promise<void>>();
  const polled = emptyResult();
  function poll(consumer: Consumer): void {
    while (timer && runtime && consumer.inFlight < (consumer.fn.trigger.maxConcurrency ?? concurrency)) {
      const event = receiveBatch(consumer, polled);
      if (!event) return;
      consumer.inFlight++;
      const batch: Promise<void> = invokeBatch(consumer, event, polled)
        .catch((error: unknown) => log?.error('Queue polling failed', error as Error))
        .finally(() => {
          consumer.inFlight--;
          inFlight.delete(batch);
          poll(consumer);
        });
      inFlight.add(batch);
    }
  }

  // A message sent while polling reaches an idle consumer at once, as SQS long polling returns
  // it, not at the next interval; sends in one tick share one wake-up.
  const waking = new Set<LocalQueue>();
  function wakeConsumersOf(queue: LocalQueue): void {
    if (!timer || waking.has(queue)) return;
    waking.add(queue);
    setImmediate(() => {
      waking.delete(queue);
      for (const consumer of consumers) if (consumer.queue === queue) poll(consumer);
    });
  }

  return {
    async send(queue, body, attributes = {}, options = {}) {
      const target = queueNamed(queue);
      const messageAttributes = toMessageAttributes(attributes);
      validateMessage(body, messageAttributes);
      if (options.delaySeconds !== undefined && !(Number.isInteger(options.delaySeconds) && options.delaySeconds >= 0 && options.delaySeconds <= 900)) {
        throw new InvalidMessageContentsError(`DelaySeconds must be 0–900, not ${options.delaySeconds}`);
      }
      const { messageId } = target.send(body, messageAttributes, options);
      if (!options.delaySeconds) wakeConsumersOf(target);
      return { messageId };
    },
    recordFailure(queue, messageId, reason) {
      const message = queueOf(queue)?.find(messageId);
      if (message) failed(message, reason);
    },
    urls: () => Object.fromEntries([...queues.values()].filter((q) => q.dlq).map((q) => [q.name, q.url])),
    pump,
    async drain({ maxRounds = 10_000 } = {}) {
      const totals = emptyResult();
      for (let round = 0; round < maxRounds; round++) {
        const result = await pump();
        add(totals, result);
        if (result.batches > 0 || result.deadLettered > 0) continue;
        const next = Math.min(...consumers.map(({ queue }) => queue.nextVisibleAt() ?? Infinity));
        if (!isManual(clock) || next === Infinity) return totals;
        clock.set(next);
      }
      throw new Error(`Queues did not drain within ${maxRounds} rounds: a consumer keeps producing messages`);
    },
    redrive(queue) {
      const source = queueNamed(queue);
      if (!source.dlq) throw new QueueDoesNotExistError(`${queue} has no dead-letter queue`);
      const moved = source.dlq.takeAll();
      const now = clock.now();
      for (const message of moved) {
        source.accept({ ...message, receiveCount: 0, firstReceivedAt: undefined, receiptHandle: undefined, visibleAt: now, deadLetterSourceArn: undefined, lastFailure: undefined });
      }
      return moved.length;
    },
    messages: (queue) => queueNamed(queue).list(),
    deadLetters: (queue) => {
      const source = queueNamed(queue);
      if (!source.dlq) throw new QueueDoesNotExistError(`${queue} has no dead-letter queue`);
      return source.dlq.list();
    },
    stats: (queue) => queueNamed(queue).stats(),
    depth(queue) {
      const held = queueNamed(queue).list();
      const oldest = held.reduce<number | undefined>((min, m) => (min === undefined || m.sentAt < min ? m.sentAt : min), undefined);
      return { messages: held.length, oldestMessageAgeSeconds: oldest === undefined ? null : Math.max(0, Math.floor((clock.now() - oldest) / 1000)) };
    },
    startPolling(options = {}) {
      const { intervalMs = 100, concurrency: batches = 5 } = typeof options === 'number' ? { intervalMs: options } : options;
      if (timer || consumers.length === 0) return;
      if (!(Number.isInteger(batches) && batches >= 1)) throw new RangeError(`Polling concurrency must be a positive integer, got ${batches}`);
      concurrency = batches;
      const wake = () => {
        for (const consumer of consumers) poll(consumer);
      };
      timer = setInterval(wake, intervalMs);
      timer.unref();
      wake();
    },
    async stopPolling() {
      clearInterval(timer);
      timer = undefined;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await pumping;
    },
    pollingTotals: () => ({ ...polled }),
  };
}

/**
 * The records a consumer reported as failed. As in Lambda, an item identifier that is empty or
 * not in the batch makes the whole batch a failure; no `batchItemFailures` means all succeeded.
 */
function failuresOf(result: unknown, event: SQSEvent): Set<string> {
  const all = new Set(event.Records.map((r) => r.messageId));
  const reported = (result as Partial<SQSBatchResponse> | undefined)?.batchItemFailures;
  if (reported === undefined || reported === null) return new Set();
  if (!Array.isArray(reported)) return all;
  const failed = new Set<string>();
  for (const item of reported) {
    const id = (item as { itemIdentifier?: unknown })?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

function toMessageAttributes(input: Record<string, MessageAttributeInput>): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === 'string') out[name] = { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] };
    else if (value.dataType === 'Binary') out[name] = { dataType: 'Binary', binaryValue: value.binaryValue, stringListValues: [], binaryListValues: [] };
    else out[name] = { dataType: value.dataType, stringValue: value.stringValue, stringListValues: [], binaryListValues: [] };
  }
  return out;
}

/** SQS refuses empty bodies, characters outside its XML-safe set, and oversized messages. */
function validateMessage(body: string, attributes: SQSMessageAttributes): void {
  if (body.length === 0) throw new InvalidMessageContentsError('The message body must not be empty');
  if (/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(body)) {
    throw new InvalidMessageContentsError('The message body contains characters outside the allowed set');
  }
  if (Object.keys(attributes).length > 10) throw new InvalidMessageContentsError('A message has at most 10 attributes');
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.dataType) + Buffer.byteLength(value.stringValue ?? value.binaryValue ?? '');
  }
  if (size > MAX_MESSAGE_BYTES) throw new InvalidMessageContentsError(`The message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
}

const md5 = (value: string | Buffer) => createHash('md5').update(value).digest('hex');

/** SQS's digest of message attributes: sorted names, each part length-prefixed, a transport byte per value. */
function md5OfAttributes(attributes: SQSMessageAttributes): string {
  const chunks: Buffer[] = [];
  const prefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name]!;
    prefixed(Buffer.from(name));
    prefixed(Buffer.from(value.dataType));
    if (value.dataType === 'Binary') {
      chunks.push(Buffer.from([2]));
      prefixed(Buffer.from(value.binaryValue ?? '', 'base64'));
    } else {
      chunks.push(Buffer.from([1]));
      prefixed(Buffer.from(value.stringValue ?? ''));
    }
  }
  return md5(Buffer.concat(chunks));
}

function emptyResult(): DrainResult {
  return { batches: 0, delivered: 0, deleted: 0, failed: 0, deadLettered: 0 };
}

function add(into: DrainResult, from: DrainResult): void {
  into.batches += from.batches;
  into.delivered += from.delivered;
  into.deleted += from.deleted;
  into.failed += from.failed;
  into.deadLettered += from.deadLettered;
}
