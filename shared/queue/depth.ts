import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { QUEUES, type QueueName } from './queues';

/** How many messages a queue holds and how old the oldest is: never their contents. */
export interface Depth {
  /** Visible and in flight (being received, or waiting out a delay). */
  messages: number;
  /**
   * Age of the oldest message; null when empty. Deployed it is SQS's `ApproximateAgeOfOldestMessage`
   * as CloudWatch last reported it (a minute's resolution, a few minutes late; null if not reported yet).
   */
  oldestMessageAgeSeconds: number | null;
}

/** A work queue with its dead-letter queue. */
export interface QueueDepth extends Depth {
  queue: QueueName;
  deadLetters: Depth;
}

/** Port: the depth of every platform queue and its DLQ (GetQueueAttributes + CloudWatch deployed, the in-process queues locally). */
export interface QueueDepthPort {
  depths(): Promise<QueueDepth[]>;
}

/** A work queue and its dead-letter queue, by URL. */
export interface QueuePair {
  url: string;
  deadLetterUrl: string;
}

/** How far back the oldest-message age is looked for: SQS publishes it every minute, with a delay. */
const AGE_LOOKBACK_MS = 15 * 60_000;

const nameOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/**
 * The depth of one SQS queue by URL: its message counts (GetQueueAttributes) and, when it holds
 * any and a CloudWatch client is given, the age of its oldest message (SQS gives it only as a
 * metric). The operator CLI's `dlq list` and the partner status route both read queues this way.
 */
export function sqsDepthReader(client: Pick<SQSClient, 'send'>, cloudWatch?: Pick<CloudWatchClient, 'send'>, now: () => number = Date.now) {
  async function oldestAge(queueName: string): Promise<number | null> {
    if (!cloudWatch) return null;
    const end = now();
    const { MetricDataResults = [] } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(end - AGE_LOOKBACK_MS),
        EndTime: new Date(end),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [{
          Id: 'age',
          MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queueName }] }, Period: 60, Stat: 'Maximum' },
        }],
      }),
    );
    const latest = MetricDataResults[0]?.Values?.[0];
    return latest === undefined ? null : latest;
  }

  return async function depth(url: string): Promise<Depth> {
    const { Attributes = {} } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const found = Attributes as Record<string, string | undefined>;
    const messages = Number(found.ApproximateNumberOfMessages ?? 0) + Number(found.ApproximateNumberOfMessagesNotVisible ?? 0);
    return { messages, oldestMessageAgeSeconds: messages > 0 ? await oldestAge(nameOf(url)) : null };
  };
}

export function sqsQueueDepths(reader: (url: string) => Promise<Depth>, queues: Readonly<Partial<Record<QueueName, QueuePair>>>): QueueDepthPort {
  return {
    depths: () =>
      Promise.all(
        (Object.entries(queues) as Array<[QueueName, QueuePair]>).map(async ([queue, pair]) => {
          const [work, deadLetters] = await Promise.all([reader(pair.url), reader(pair.deadLetterUrl)]);
          return { queue, ...work, deadLetters };
        }),
      ),
  };
}

/** What the local platform's queues answer (published on `globalThis`, see the local queue adapter). */
interface LocalDepthTransport {
  depth(queue: string): Depth;
}
const TRANSPORT = Symbol.for('switchboard.local-queue-transport');

/** The in-process queues of the local platform, `<queue>` and `<queue>-dlq`, aged on the queues' own clock. */
export function localQueueDepths(): QueueDepthPort {
  return {
    async depths() {
      const transport = (globalThis as Record<symbol, LocalDepthTransport | undefined>)[TRANSPORT];
      if (!transport) throw new Error('No local platform is running in this process to read its queues');
      return (Object.keys(QUEUES) as QueueName[]).map((queue) => ({ queue, ...transport.depth(queue), deadLetters: transport.depth(`${queue}-dlq`) }));
    },
  };
}
