import type { QueueName } from './queues';

/** String message attributes; SQS allows at most 10 per message. */
export type MessageAttributes = Readonly<Record<string, string>>;

/**
 * Port for sending work to a catalog queue. Adapters resolve the queue by its catalog name, so callers
 * never see a URL; a send resolves only once the queue has accepted the message (a receiver answers
 * Twilio 2xx only after that), and rejects otherwise.
 */
/**
 * `delaySeconds` (0–900, SQS's range) keeps the message invisible that long; `groupId` is its
 * `MessageGroupId`, which on a standard queue names the tenant for SQS fair queues (one tenant's
 * backlog does not hold back the others' messages).
 */
export interface SendOptions {
  delaySeconds?: number;
  groupId?: string;
}

export interface QueueEntry extends SendOptions {
  body: string;
  attributes?: MessageAttributes;
}

export interface QueuePort {
  send(queue: QueueName, body: string, attributes?: MessageAttributes, options?: SendOptions): Promise<void>;
  /** Many messages, in batches of 10; resolves once every one was accepted, else rejects naming how many were not. */
  sendBatch(queue: QueueName, entries: readonly QueueEntry[]): Promise<void>;
}

export const MAX_DELAY_SECONDS = 900;

/** SQS refuses other delays; a caller passing one has a bug. */
export function checkDelay(delaySeconds: number | undefined): void {
  if (delaySeconds !== undefined && !(Number.isInteger(delaySeconds) && delaySeconds >= 0 && delaySeconds <= MAX_DELAY_SECONDS)) {
    throw new RangeError(`A queue delay is a whole number of seconds from 0 to ${MAX_DELAY_SECONDS}, not ${delaySeconds}`);
  }
}

/** The queue is not configured for this function (no QUEUE_URLS entry): a deployment mistake, not a transient error. */
export class QueueNotConfiguredError extends Error {
  override readonly name = 'QueueNotConfiguredError';

  constructor(queue: string) {
    super(`No URL is configured for queue '${queue}' (QUEUE_URLS)`);
  }
}

/** The URL of `queue`, or a {@link QueueNotConfiguredError}. */
export function urlOf(urls: Readonly<Record<string, string>>, queue: string): string {
  const url = urls[queue];
  if (!url) throw new QueueNotConfiguredError(queue);
  return url;
}
