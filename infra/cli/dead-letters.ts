import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { sqsDepthReader, type QueuePair } from '../../shared/queue/depth';
import type { QueueName } from '../../shared/queue/queues';

/** A work queue and its dead-letter queue, as the stateful stack outputs them. */
export type { QueuePair };

/** A row of `dlq list`. */
export interface DeadLetterQueueView {
  queue: QueueName;
  deadLetterQueue: string;
  /** Messages in the DLQ (visible and in flight: a peek in progress hides some for seconds). */
  depth: number;
  /**
   * Age of the oldest dead letter; null when empty. Deployed it is SQS's `ApproximateAgeOfOldestMessage`
   * as CloudWatch last reported it (a minute's resolution, a few minutes late; null if not reported yet).
   */
  oldestMessageAgeSeconds: number | null;
  /** The queue a redrive moves them back to. */
  redrivesTo: QueueName;
}

/** One dead letter as `dlq peek` shows it. */
export interface DeadLetterView {
  messageId: string;
  body: string;
  /** SQS system attributes (SentTimestamp, DeadLetterQueueSourceArn, …). */
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  receiveCount: number;
  /** The last failure's reason where the platform records one (locally); deployed, find the message id in the consumer's logs. */
  lastFailure: string | null;
}

export interface DeadLetterPeek extends DeadLetterQueueView {
  messages: DeadLetterView[];
}

/** Dead letters of the target: the local platform's queues or a deployed stack's SQS queues. */
export interface DeadLetterPort {
  list(): Promise<DeadLetterQueueView[]>;
  /** Up to `max` messages, left in the DLQ. */
  peek(queue: QueueName, max: number): Promise<DeadLetterPeek>;
  redrive(queue: QueueName, maxPerSecond?: number): Promise<Record<string, unknown>>;
  redriveStatus(queue: QueueName): Promise<Record<string, unknown>>;
}

/**
 * How long a peeked message is hidden at most: the peek gives each one back at once
 * (ChangeMessageVisibility 0), so this only matters if the CLI dies in between. Long enough to
 * receive the next batch without seeing the same messages again.
 */
export const PEEK_VISIBILITY_SECONDS = 20;
const RECEIVE_MAX = 10;

export function sqsDeadLetters(
  client: Pick<SQSClient, 'send'>,
  queues: Readonly<Record<QueueName, QueuePair>>,
  cloudWatch?: Pick<CloudWatchClient, 'send'>,
  now: () => number = Date.now,
): DeadLetterPort {
  // The same read as the partner status route's: message counts, and the oldest age from CloudWatch.
  const depthOf = sqsDepthReader(client, cloudWatch, now);
  const pairOf = (queue: QueueName): QueuePair => queues[queue];
  const nameOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

  async function attributes(url: string, names: Array<'QueueArn'>) {
    const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
    return Attributes as Record<string, string | undefined>;
  }

  async function view(queue: QueueName): Promise<DeadLetterQueueView> {
    const pair = pairOf(queue);
    const { messages, oldestMessageAgeSeconds } = await depthOf(pair.deadLetterUrl);
    return { queue, deadLetterQueue: nameOf(pair.deadLetterUrl), depth: messages, oldestMessageAgeSeconds, redrivesTo: queue };
  }

  async function arns(queue: QueueName): Promise<{ source: string; destination: string }> {
    const pair = pairOf(queue);
    const [dlq, work] = await Promise.all([attributes(pair.deadLetterUrl, ['QueueArn']), attributes(pair.url, ['QueueArn'])]);
    if (!dlq.QueueArn || !work.QueueArn) throw new Error(`SQS returned no QueueArn for ${queue} or its dead-letter queue`);
    return { source: dlq.QueueArn, destination: work.QueueArn };
  }

  function letter(message: Message): DeadLetterView {
    const attributes = (message.Attributes ?? {}) as Record<string, string>;
    return {
      messageId: message.MessageId ?? '',
      body: message.Body ?? '',
      attributes,
      messageAttributes: message.MessageAttributes ?? {},
      receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
      lastFailure: null,
    };
  }

  return {
    list: () => Promise.all((Object.keys(queues) as QueueName[]).map(view)),

    async peek(queue, max) {
      const url = pairOf(queue).deadLetterUrl;
      const received: Message[] = [];
      try {
        // Each batch stays hidden while the next is received, so no message is counted twice.
        while (received.length < max) {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: Math.min(RECEIVE_MAX, max - received.length),
              VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
              WaitTimeSeconds: 0,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          );
          if (Messages.length === 0) break;
          received.push(...Messages);
        }
      } finally {
        // Back at once, whatever happened above: a peek must not hold dead letters.
        for (let i = 0; i < received.length; i += RECEIVE_MAX) {
          const batch = received.slice(i, i + RECEIVE_MAX);
          await client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: url,
              Entries: batch.map((m, n) => ({ Id: String(i + n), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
            }),
          );
        }
      }
      return { ...(await view(queue)), messages: received.map(letter) };
    },

    async redrive(queue, maxPerSecond) {
      const { source, destination } = await arns(queue);
      const { TaskHandle } = await client.send(
        new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination, ...(maxPerSecond ? { MaxNumberOfMessagesPerSecond: maxPerSecond } : {}) }),
      );
      return { queue, deadLetterQueue: nameOf(pairOf(queue).deadLetterUrl), status: 'STARTED', taskHandle: TaskHandle, ...(maxPerSecond ? { maxPerSecond } : {}) };
    },

    async redriveStatus(queue) {
      const { source } = await arns(queue);
      const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: source, MaxResults: 10 }));
      return {
        queue,
        deadLetterQueue: nameOf(pairOf(queue).deadLetterUrl),
        tasks: Results.map((task) => ({
          status: task.Status,
          ...(task.TaskHandle ? { taskHandle: task.TaskHandle } : {}),
          movedSoFar: task.ApproximateNumberOfMessagesMoved ?? 0,
          toMove: task.ApproximateNumberOfMessagesToMove ?? null,
          ...(task.MaxNumberOfMessagesPerSecond ? { maxPerSecond: task.MaxNumberOfMessagesPerSecond } : {}),
          startedAt: task.StartedTimestamp ? new Date(task.StartedTimestamp).toISOString() : null,
          ...(task.FailureReason ? { failureReason: task.FailureReason } : {}),
        })),
      };
    },
  };
}
