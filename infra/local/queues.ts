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
export interface QueueTransport {
  send(queue: string, body: string, attributes?: Record<string, MessageAttributeInput>): Promise<{ messageId: string }>;
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
  receiptHandle?: string;
  deadLetterSourceArn?: string;
}

/** A message as tests and tools see it (never a live receipt handle). */
export interface QueuedMessage {
  messageId: string;
  body: string;
  messageAttributes: SQSMessageAttributes;
  receiveCount: number;
  visible: boolean;
}

export interface QueueStats {
  visible: number;
  inFlight: number;
  deadLettered: number;
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
  private readonly messages: StoredMessage[] = [];

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

  send(body: string, attributes: SQSMessageAttributes): StoredMessage {
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      attributes,
      md5OfBody: md5(body),
      md5OfMessageAttributes: Object.keys(attributes).length ? md5OfAttributes(attributes) : null,
      sentAt: this.clock.now(),
      receiveCount: 0,
      visibleAt: this.clock.now(),
    };
    this.messages.push(message);
    return message;
  }

  /** Up to `max` visible messages, oldest first; those over the receive limit go to the DLQ instead. */
  receive(max: number): { received: StoredMessage[]; deadLettered: number } {
    const now = this.clock.now();
    const received: StoredMessage[] = [];
    let deadLettered = 0;
    for (const message of [...this.messages]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.dlq && message.receiveCount >= this.policy.maxReceiveCount) {
        this.remove(message);
        this.dlq.accept({ ...message, receiptHandle: undefined, visibleAt: now, deadLetterSourceArn: this.arn });
        deadLettered++;
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.policy.visibilityTimeoutSeconds * 1000;
      message.receiptHandle = randomBytes(24).toString('base64url');
      received.push(message);
    }
    return { received, deadLettered };
  }

  /** Deletes by receipt handle; a handle from an earlier receive no longer matches, as in SQS. */
  delete(receiptHandle: string): boolean {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    this.remove(message);
    return true;
  }

  accept(message: StoredMessage): void {
    this.messages.push(message);
  }

  takeAll(): StoredMessage[] {
    return this.messages.splice(0, this.messages.length);
  }

  list(): QueuedMessage[] {
    const now = this.clock.now();
    return this.messages.map((m) => ({
      messageId: m.messageId,
      body: m.body,
      messageAttributes: m.attributes,
      receiveCount: m.receiveCount,
      visible: m.visibleAt <= now,
    }));
  }

  stats(): QueueStats {
    const now = this.clock.now();
    const visible = this.messages.filter((m) => m.visibleAt <= now).length;
    return { visible, inFlight: this.messages.length - visible, deadLettered: this.dlq?.messages.length ?? 0 };
  }

  nextVisibleAt(): number | undefined {
    const now = this.clock.now();
    const pending = this.messages.map((m) => m.visibleAt).filter((t) => t > now);
    return pending.length ? Math.min(...pending) : undefined;
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
    const at = this.messages.indexOf(message);
    if (at !== -1) this.messages.splice(at, 1);
  }
}

export interface LocalQueuesOptions {
  catalog: LocalCatalog;
  /** Invokes the consumers; without it the queues only store messages. */
  runtime?: LambdaRuntime;
  region?: string;
  clock?: Clock;
  log?: LocalLog;
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
  /** Background polling on the real clock (npm start). */
  startPolling(intervalMs?: number): void;
  stopPolling(): Promise<void>;
}

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
    return { fn, queue };
  });

  function queueNamed(nameOrUrl: string): LocalQueue {
    const name = nameOrUrl.startsWith(LOCAL_QUEUE_SCHEME) ? nameOrUrl.slice(LOCAL_QUEUE_SCHEME.length) : nameOrUrl;
    const queue = queues.get(name);
    if (!queue) throw new QueueDoesNotExistError(`The queue ${nameOrUrl} does not exist`);
    return queue;
  }

  async function deliver(fn: (typeof consumers)[number]['fn'], queue: LocalQueue, totals: DrainResult): Promise<boolean> {
    const { received, deadLettered } = queue.receive(Math.min(fn.trigger.batchSize, 10));
    totals.deadLettered += deadLettered;
    if (received.length === 0) return deadLettered > 0;
    const event: SQSEvent = { Records: received.map((m) => queue.record(m, region)) };
    totals.batches++;
    totals.delivered += received.length;
    let failedIds: Set<string>;
    try {
      failedIds = failuresOf(await runtime!.invoke(fn.id, event), event);
    } catch {
      failedIds = new Set(received.map((m) => m.messageId));
    }
    for (const record of event.Records) {
      if (failedIds.has(record.messageId)) totals.failed++;
      else if (queue.delete(record.receiptHandle)) totals.deleted++;
    }
    return true;
  }

  let pumping: Promise<DrainResult> | undefined;
  async function pumpOnce(): Promise<DrainResult> {
    const totals = emptyResult();
    if (!runtime) return totals;
    // Consumers run one after another: deterministic order, and no consumer sees a half-updated queue.
    for (const { fn, queue } of consumers) await deliver(fn, queue, totals);
    return totals;
  }
  const pump = (): Promise<DrainResult> => {
    pumping ??= pumpOnce().finally(() => (pumping = undefined));
    return pumping;
  };

  let timer: NodeJS.Timeout | undefined;

  return {
    async send(queue, body, attributes = {}) {
      const target = queueNamed(queue);
      const messageAttributes = toMessageAttributes(attributes);
      validateMessage(body, messageAttributes);
      return { messageId: target.send(body, messageAttributes).messageId };
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
        source.accept({ ...message, receiveCount: 0, firstReceivedAt: undefined, receiptHandle: undefined, visibleAt: now, deadLetterSourceArn: undefined });
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
    startPolling(intervalMs = 100) {
      if (timer || consumers.length === 0) return;
      timer = setInterval(() => {
        pump()
          .then((r) => r.deadLettered && log?.warn(`${r.deadLettered} message(s) moved to a dead-letter queue`))
          .catch((error: unknown) => log?.error('Queue polling failed', error as Error));
      }, intervalMs);
      timer.unref();
    },
    async stopPolling() {
      clearInterval(timer);
      timer = undefined;
      await pumping;
    },
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
