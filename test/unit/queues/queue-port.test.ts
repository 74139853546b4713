import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalQueue, createSqsQueue, isLocal, LocalQueueUnavailableError, QueueNotConfiguredError } from '../../../shared/queue';

const URLS = { 'status-callbacks': 'https://sqs.us-east-1.amazonaws.com/123456789012/status-callbacks' };

describe('SQS queue adapter', () => {
  const sqs = mockClient(SQSClient);
  const client = new SQSClient({ region: 'us-east-1' });
  beforeEach(() => sqs.reset());

  it('sends the body to the URL configured for the catalog queue, with string attributes', async () => {
    // Prepare
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const queue = createSqsQueue({ client, urls: URLS });

    // Act
    await queue.send('status-callbacks', '{"kind":"status"}', { kind: 'status' });

    // Assess
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: URLS['status-callbacks'],
      MessageBody: '{"kind":"status"}',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'status' } },
    });
  });

  it('sends no MessageAttributes member when there are none', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await createSqsQueue({ client, urls: URLS }).send('status-callbacks', 'x');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: URLS['status-callbacks'], MessageBody: 'x' });
  });

  it('passes a delay and a message group (the fair-queue tenant), and refuses delays SQS does not take', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const queue = createSqsQueue({ client, urls: URLS });
    await queue.send('status-callbacks', 'x', {}, { delaySeconds: 300, groupId: 'we_1' });
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: URLS['status-callbacks'], MessageBody: 'x', DelaySeconds: 300, MessageGroupId: 'we_1' });
    for (const delaySeconds of [-1, 901, 1.5]) await expect(queue.send('status-callbacks', 'x', {}, { delaySeconds })).rejects.toBeInstanceOf(RangeError);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('sends many messages in batches of 10, sends the entries SQS failed once more, then gives up naming them', async () => {
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => {
      calls++;
      // The first call fails its first entry; the retry of it succeeds.
      return calls === 1 ? { Successful: input.Entries.slice(1).map((e) => ({ Id: e.Id })), Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] } : { Successful: input.Entries.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    const queue = createSqsQueue({ client, urls: URLS });
    await queue.sendBatch('status-callbacks', Array.from({ length: 12 }, (_, i) => ({ body: `m${i}`, groupId: 'we_1', delaySeconds: i === 0 ? 5 : undefined })));
    const sent = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.map((e) => e.MessageBody));
    expect(sent).toEqual([['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'], ['m0'], ['m10', 'm11']]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]).toMatchObject({ DelaySeconds: 5, MessageGroupId: 'we_1' });

    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(queue.sendBatch('status-callbacks', [{ body: 'x' }])).rejects.toThrow('SQS did not accept 1 of 1 messages');
  });

  it('rejects when SQS refuses, so the caller does not acknowledge', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('ServiceUnavailable'));
    await expect(createSqsQueue({ client, urls: URLS }).send('status-callbacks', 'x')).rejects.toThrow('ServiceUnavailable');
  });

  it('names the queue when it has no URL, without calling SQS', async () => {
    await expect(createSqsQueue({ client, urls: {} }).send('inbound-messages', 'x')).rejects.toBeInstanceOf(QueueNotConfiguredError);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

describe('local queue adapter', () => {
  const TRANSPORT = Symbol.for('switchboard.local-queue-transport');
  const registry = globalThis as Record<symbol, unknown>;
  afterEach(() => delete registry[TRANSPORT]);

  it('sends through the transport the running platform publishes, by local URL', async () => {
    const sent: unknown[][] = [];
    const queue = createLocalQueue({ 'twilio-events': 'local://twilio-events' });
    // Published after the adapter was built, as when a handler module loads before the platform is up.
    registry[TRANSPORT] = { send: async (...args: unknown[]) => void sent.push(args) };

    await queue.send('twilio-events', 'body', { a: '1' });

    expect(sent).toEqual([['local://twilio-events', 'body', { a: '1' }, {}]]);
  });

  it('fails clearly when no platform runs in the process', async () => {
    await expect(createLocalQueue({ 'twilio-events': 'local://twilio-events' }).send('twilio-events', 'x')).rejects.toBeInstanceOf(LocalQueueUnavailableError);
  });

  it('is chosen only when every configured URL is local', () => {
    expect(isLocal({ a: 'local://a', b: 'local://b' })).toBe(true);
    expect(isLocal({ a: 'local://a', b: 'https://sqs.us-east-1.amazonaws.com/1/b' })).toBe(false);
    expect(isLocal({})).toBe(false);
  });
});
