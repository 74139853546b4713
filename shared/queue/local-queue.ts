import { checkDelay, urlOf, type MessageAttributes, type QueuePort, type SendOptions } from './port';

/** What the local platform publishes on `globalThis` while it runs (see the local queues). */
interface LocalQueueTransport {
  send(queue: string, body: string, attributes?: Record<string, string>, options?: SendOptions): Promise<unknown>;
  /** Why a delivered message failed (a consumer's `batchItemFailures` carry only its id). */
  recordFailure?(queue: string, messageId: string, reason: string): void;
}

export const LOCAL_QUEUE_SCHEME = 'local://';
const TRANSPORT = Symbol.for('switchboard.local-queue-transport');

export class LocalQueueUnavailableError extends Error {
  override readonly name = 'LocalQueueUnavailableError';

  constructor() {
    super('QUEUE_URLS names local queues but no local platform is running in this process');
  }
}

/**
 * Adapter for the in-process queues of the local platform. `shared/` must not import the local
 * runtime, so the transport is found on `globalThis` — looked up per send, because the platform
 * publishes it after handler modules may already have been loaded.
 */
export function createLocalQueue(urls: Readonly<Record<string, string>>): QueuePort {
  const transport = (): LocalQueueTransport => {
    const found = (globalThis as Record<symbol, LocalQueueTransport | undefined>)[TRANSPORT];
    if (!found) throw new LocalQueueUnavailableError();
    return found;
  };
  const port: QueuePort = {
    async send(queue, body, attributes: MessageAttributes = {}, options = {}) {
      checkDelay(options.delaySeconds);
      await transport().send(urlOf(urls, queue), body, { ...attributes }, options);
    },
    async sendBatch(queue, entries) {
      for (const entry of entries) checkDelay(entry.delaySeconds);
      const url = urlOf(urls, queue);
      for (const { body, attributes = {}, ...options } of entries) await transport().send(url, body, { ...attributes }, options);
    },
  };
  return port;
}

/** True when every configured queue is a local one (`local://<name>`). */
export function isLocal(urls: Readonly<Record<string, string>>): boolean {
  const values = Object.values(urls);
  return values.length > 0 && values.every((url) => url.startsWith(LOCAL_QUEUE_SCHEME));
}

/**
 * Tells the running local platform why a consumer failed a message, so that its queue can name
 * the last reason when it moves the message to the DLQ (SQS does not need this: there the
 * consumer's own log line is the record). `queue` is the record's `eventSourceARN`. Does nothing
 * when no local platform runs in this process, as in Lambda.
 */
export function reportLocalFailure(queue: string, messageId: string, reason: string): void {
  const transport = (globalThis as Record<symbol, LocalQueueTransport | undefined>)[TRANSPORT];
  transport?.recordFailure?.(queue, messageId, reason);
}
