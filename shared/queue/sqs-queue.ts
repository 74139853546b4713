import { SendMessageBatchCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { checkDelay, urlOf, type MessageAttributes, type QueuePort } from './port';

export interface SqsQueueOptions {
  /** Built once per cold start by the composition module and shared; never per call. */
  readonly client: Pick<SQSClient, 'send'>;
  /** Catalog queue name → queue URL (QUEUE_URLS). */
  readonly urls: Readonly<Record<string, string>>;
}

/** SQS's limit on the entries of one SendMessageBatch. */
const BATCH_SIZE = 10;

function toAttributes(attributes: MessageAttributes): Record<string, MessageAttributeValue> | undefined {
  let out: Record<string, MessageAttributeValue> | undefined;
  for (const name in attributes) {
    (out ??= {})[name] = { DataType: 'String', StringValue: attributes[name] };
  }
  return out;
}

/** Amazon SQS adapter of the queue port: one `SendMessage` per message, `SendMessageBatch` for many. */
export function createSqsQueue({ client, urls }: SqsQueueOptions): QueuePort {
  return {
    async send(queue, body, attributes = {}, { delaySeconds, groupId } = {}) {
      checkDelay(delaySeconds);
      const MessageAttributes = toAttributes(attributes);
      await client.send(
        new SendMessageCommand({
          QueueUrl: urlOf(urls, queue),
          MessageBody: body,
          ...(MessageAttributes ? { MessageAttributes } : {}),
          ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
          ...(groupId ? { MessageGroupId: groupId } : {}),
        }),
      );
    },

    async sendBatch(queue, entries) {
      const url = urlOf(urls, queue);
      for (const entry of entries) checkDelay(entry.delaySeconds);
      for (let start = 0; start < entries.length; start += BATCH_SIZE) {
        let pending = entries.slice(start, start + BATCH_SIZE).map((entry, i) => ({ id: String(i), entry }));
        // Entries SQS reports as failed (throttling, a transient error) are sent once more.
        for (let round = 0; pending.length > 0; round++) {
          if (round === 2) throw new Error(`SQS did not accept ${pending.length} of ${entries.length} messages for ${queue}`);
          const reply = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: url,
              Entries: pending.map(({ id, entry }) => {
                const MessageAttributes = toAttributes(entry.attributes ?? {});
                return {
                  Id: id,
                  MessageBody: entry.body,
                  ...(MessageAttributes ? { MessageAttributes } : {}),
                  ...(entry.delaySeconds ? { DelaySeconds: entry.delaySeconds } : {}),
                  ...(entry.groupId ? { MessageGroupId: entry.groupId } : {}),
                };
              }),
            }),
          );
          const failed = new Set((reply.Failed ?? []).map((f) => f.Id));
          pending = pending.filter(({ id }) => failed.has(id));
        }
      }
    },
  };
}
