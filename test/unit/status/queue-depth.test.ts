import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { localQueueDepths, sqsDepthReader, sqsQueueDepths } from '../../../shared/queue/depth';
import { QUEUES } from '../../../shared/queue/queues';

const sqs = mockClient(SQSClient);
const cloudWatch = mockClient(CloudWatchClient);
const ACCOUNT = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

describe('queue depths over SQS', () => {
  beforeEach(() => {
    sqs.reset();
    cloudWatch.reset();
  });

  it('reads counts with GetQueueAttributes and the age from CloudWatch only for a queue that holds messages', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand, { QueueUrl: `${ACCOUNT}/sb-prod-partner-replays` }).resolves({ Attributes: { ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesNotVisible: '1' } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: `${ACCOUNT}/sb-prod-partner-replays-dlq` }).resolves({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } });
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'age', Values: [42] }] });
    const port = sqsQueueDepths(sqsDepthReader(new SQSClient({}), new CloudWatchClient({}), () => NOW), {
      'partner-replays': { url: `${ACCOUNT}/sb-prod-partner-replays`, deadLetterUrl: `${ACCOUNT}/sb-prod-partner-replays-dlq` },
    });

    // Act
    const depths = await port.depths();

    // Assess
    expect(depths).toEqual([{ queue: 'partner-replays', messages: 5, oldestMessageAgeSeconds: 42, deadLetters: { messages: 0, oldestMessageAgeSeconds: null } }]);
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, { QueueUrl: `${ACCOUNT}/sb-prod-partner-replays`, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!.MetricStat!.Metric!.Dimensions).toEqual([{ Name: 'QueueName', Value: 'sb-prod-partner-replays' }]);
  });

  it('gives a null age while CloudWatch has reported none, and fails when SQS does', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'age', Values: [] }] });
    const reader = sqsDepthReader(new SQSClient({}), new CloudWatchClient({}), () => NOW);
    expect(await reader(`${ACCOUNT}/q`)).toEqual({ messages: 2, oldestMessageAgeSeconds: null });

    sqs.on(GetQueueAttributesCommand).rejects(new Error('AccessDenied'));
    await expect(reader(`${ACCOUNT}/q`)).rejects.toThrow('AccessDenied');
  });
});

describe('queue depths of the local platform', () => {
  const TRANSPORT = Symbol.for('switchboard.local-queue-transport');
  afterEach(() => delete (globalThis as Record<symbol, unknown>)[TRANSPORT]);

  it('asks the running platform for every catalog queue and its DLQ', async () => {
    const asked: string[] = [];
    (globalThis as Record<symbol, unknown>)[TRANSPORT] = { depth: (queue: string) => (asked.push(queue), { messages: queue.endsWith('-dlq') ? 1 : 0, oldestMessageAgeSeconds: queue.endsWith('-dlq') ? 9 : null }) };
    const depths = await localQueueDepths().depths();
    expect(depths.map((d) => d.queue)).toEqual(Object.keys(QUEUES));
    expect(depths[0]).toEqual({ queue: 'inbound-messages', messages: 0, oldestMessageAgeSeconds: null, deadLetters: { messages: 1, oldestMessageAgeSeconds: 9 } });
    expect(asked).toHaveLength(Object.keys(QUEUES).length * 2);
  });

  it('fails when no platform runs in the process', async () => {
    await expect(localQueueDepths().depths()).rejects.toThrow('No local platform');
  });
});
