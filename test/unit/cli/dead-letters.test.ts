import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PEEK_VISIBILITY_SECONDS, sqsDeadLetters, type QueuePair } from '../../../infra/cli/dead-letters';
import { QUEUES, type QueueName } from '../../../shared/queue/queues';

const sqs = mockClient(SQSClient);
const cloudWatch = mockClient(CloudWatchClient);
const ACCOUNT = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const pair = (queue: string): QueuePair => ({ url: `${ACCOUNT}/sb-prod-${queue}`, deadLetterUrl: `${ACCOUNT}/sb-prod-${queue}-dlq` });
const queues = Object.fromEntries((Object.keys(QUEUES) as QueueName[]).map((q) => [q, pair(q)])) as Record<QueueName, QueuePair>;
const arnOf = (url: string) => `arn:aws:sqs:eu-west-1:123456789012:${url.slice(url.lastIndexOf('/') + 1)}`;

const message = (n: number) => ({
  MessageId: `m-${n}`,
  ReceiptHandle: `rh-${n}`,
  Body: `{"n":${n}}`,
  Attributes: { ApproximateReceiveCount: String(n + 3), SentTimestamp: '1735787045000', DeadLetterQueueSourceArn: arnOf(pair('partner-replays').url) },
});

describe('sqsDeadLetters', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).callsFake(({ QueueUrl, AttributeNames }: { QueueUrl: string; AttributeNames: string[] }) => ({
      Attributes: AttributeNames.includes('QueueArn')
        ? { QueueArn: arnOf(QueueUrl) }
        : { ApproximateNumberOfMessages: QueueUrl.endsWith('partner-replays-dlq') ? '4' : '0', ApproximateNumberOfMessagesNotVisible: QueueUrl.endsWith('partner-replays-dlq') ? '1' : '0' },
    }));
  });

  it('lists every DLQ with its depth (visible and in flight) and the queue it redrives to, reading no message', async () => {
    const listed = await sqsDeadLetters(new SQSClient({}), queues).list();

    expect(listed).toHaveLength(Object.keys(QUEUES).length);
    expect(listed).toContainEqual({ queue: 'partner-replays', deadLetterQueue: 'sb-prod-partner-replays-dlq', depth: 5, oldestMessageAgeSeconds: null, redrivesTo: 'partner-replays' });
    expect(listed).toContainEqual({ queue: 'inbound-messages', deadLetterQueue: 'sb-prod-inbound-messages-dlq', depth: 0, oldestMessageAgeSeconds: null, redrivesTo: 'inbound-messages' });
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: pair('partner-replays').deadLetterUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    });
    expect(sqs).not.toHaveReceivedCommand(ReceiveMessageCommand);
  });

  it("reads the oldest dead letter's age from CloudWatch, only for a DLQ that holds messages", async () => {
    cloudWatch.reset();
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'age', Values: [5400, 5340], Timestamps: [] }] });
    const now = Date.parse('2026-12-04T03:00:00Z');
    const listed = await sqsDeadLetters(new SQSClient({}), queues, new CloudWatchClient({}), () => now).list();

    expect(listed.find((q) => q.queue === 'partner-replays')?.oldestMessageAgeSeconds).toBe(5400);
    expect(listed.find((q) => q.queue === 'inbound-messages')?.oldestMessageAgeSeconds).toBeNull();
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(cloudWatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date(now - 15 * 60_000), EndTime: new Date(now), ScanBy: 'TimestampDescending',
      MetricDataQueries: [expect.objectContaining({
        MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: 'sb-prod-partner-replays-dlq' }] }, Period: 60, Stat: 'Maximum' },
      })],
    });
    // Not reported yet (a DLQ that just got its first message): null, not 0.
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'age', Values: [] }] });
    expect((await sqsDeadLetters(new SQSClient({}), queues, new CloudWatchClient({})).list()).find((q) => q.queue === 'partner-replays')?.oldestMessageAgeSeconds).toBeNull();
  });

  it('peeks with a short visibility timeout and gives every message back at once', async () => {
    // Prepare: 12 dead letters, received 10 then 2.
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: Array.from({ length: 10 }, (_, i) => message(i)) })
      .resolvesOnce({ Messages: [message(10), message(11)] })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });

    // Act
    const peek = await sqsDeadLetters(new SQSClient({}), queues).peek('partner-replays', 12);

    // Assess
    expect(peek.messages).toHaveLength(12);
    expect(peek.messages[0]).toEqual({ messageId: 'm-0', body: '{"n":0}', attributes: message(0).Attributes, messageAttributes: {}, receiveCount: 3, lastFailure: null });
    expect(sqs).toHaveReceivedNthCommandWith(1, ReceiveMessageCommand, {
      QueueUrl: pair('partner-replays').deadLetterUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    });
    expect(sqs).toHaveReceivedNthCommandWith(2, ReceiveMessageCommand, { MaxNumberOfMessages: 2 });
    const returned = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(returned.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual(Array.from({ length: 12 }, (_, i) => [`rh-${i}`, 0]));
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((call) => call.args[0].input.QueueUrl)).toEqual([pair('partner-replays').deadLetterUrl, pair('partner-replays').deadLetterUrl]);
  });

  it('stops at an empty receive, and gives back what it holds even when a later receive fails', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message(1)] }).rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});

    await expect(sqsDeadLetters(new SQSClient({}), queues).peek('partner-replays', 5)).rejects.toThrow('throttled');

    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityBatchCommand, { Entries: [{ Id: '0', ReceiptHandle: 'rh-1', VisibilityTimeout: 0 }] });
  });

  it('redrives with a message move task from the DLQ to its source queue, at the rate asked', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });

    const started = await sqsDeadLetters(new SQSClient({}), queues).redrive('status-callbacks', 50);

    expect(sqs).toHaveReceivedCommandWith(StartMessageMoveTaskCommand, {
      SourceArn: arnOf(pair('status-callbacks').deadLetterUrl),
      DestinationArn: arnOf(pair('status-callbacks').url),
      MaxNumberOfMessagesPerSecond: 50,
    });
    expect(started).toEqual({ queue: 'status-callbacks', deadLetterQueue: 'sb-prod-status-callbacks-dlq', status: 'STARTED', taskHandle: 'task-1', maxPerSecond: 50 });
  });

  it('leaves the rate to SQS when none is asked', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-2' });

    await sqsDeadLetters(new SQSClient({}), queues).redrive('status-callbacks');

    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({ SourceArn: arnOf(pair('status-callbacks').deadLetterUrl), DestinationArn: arnOf(pair('status-callbacks').url) });
  });

  it("reports the DLQ's move tasks", async () => {
    sqs.on(ListMessageMoveTasksCommand).resolves({
      Results: [
        { TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 10, MaxNumberOfMessagesPerSecond: 5, StartedTimestamp: 1735787045000 },
        { Status: 'FAILED', ApproximateNumberOfMessagesMoved: 0, StartedTimestamp: 1735700000000, FailureReason: 'AWS.SimpleQueueService.NonExistentQueue' },
      ],
    });

    const status = await sqsDeadLetters(new SQSClient({}), queues).redriveStatus('inbound-messages');

    expect(sqs).toHaveReceivedCommandWith(ListMessageMoveTasksCommand, { SourceArn: arnOf(pair('inbound-messages').deadLetterUrl), MaxResults: 10 });
    expect(status).toEqual({
      queue: 'inbound-messages',
      deadLetterQueue: 'sb-prod-inbound-messages-dlq',
      tasks: [
        { status: 'RUNNING', taskHandle: 'task-1', movedSoFar: 3, toMove: 10, maxPerSecond: 5, startedAt: '2025-01-02T03:04:05.000Z' },
        { status: 'FAILED', movedSoFar: 0, toMove: null, startedAt: '2025-01-01T02:53:20.000Z', failureReason: 'AWS.SimpleQueueService.NonExistentQueue' },
      ],
    });
  });
});
