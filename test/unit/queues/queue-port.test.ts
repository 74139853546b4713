import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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

    expect(sent).toEqual([['local://twilio-events', 'body', { a: '1' }]]);
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
