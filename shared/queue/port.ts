import type { QueueName } from '../../infra/catalog';

/** String message attributes; SQS allows at most 10 per message. */
export type MessageAttributes = Readonly<Record<string, string>>;

/**
 * Port for sending work to a catalog queue. Adapters resolve the queue by its catalog name, so callers
 * never see a URL; a send resolves only once the queue has accepted the message (a receiver answers
 * Twilio 2xx only after that), and rejects otherwise.
 */
export interface QueuePort {
  send(queue: QueueName, body: string, attributes?: MessageAttributes): Promise<void>;
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
