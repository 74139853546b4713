import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { urlOf, type MessageAttributes, type QueuePort } from './port';

export interface SqsQueueOptions {
  /** Built once per cold start by the composition module and shared; never per call. */
  readonly client: Pick<SQSClient, 'send'>;
  /** Catalog queue name → queue URL (QUEUE_URLS). */
  readonly urls: Readonly<Record<string, string>>;
}

function toAttributes(attributes: MessageAttributes): Record<string, MessageAttributeValue> | undefined {
  let out: Record<string, MessageAttributeValue> | undefined;
  for (const name in attributes) {
    (out ??= {})[name] = { DataType: 'String', StringValue: attributes[name] };
  }
  return out;
}

/** Amazon SQS adapter of the queue port: one `SendMessage` per message. */
export function createSqsQueue({ client, urls }: SqsQueueOptions): QueuePort {
  return {
    async send(queue, body, attributes = {}) {
      const MessageAttributes = toAttributes(attributes);
      await client.send(new SendMessageCommand({ QueueUrl: urlOf(urls, queue), MessageBody: body, ...(MessageAttributes ? { MessageAttributes } : {}) }));
    },
  };
}
