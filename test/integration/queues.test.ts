import { manualClock } from '../../infra/local/clock';
import { createLambdaRuntime } from '../../infra/local/lambda-runtime';
import { silentLog } from '../../infra/local/log';
import { PROJECT_ROOT } from '../../infra/local/platform';
import { createLocalQueues, InvalidMessageContentsError, QueueDoesNotExistError, type LocalQueues } from '../../infra/local/queues';
import { fixtureCatalog } from './fixtures/catalog';
import { received, reset } from './fixtures/handlers';

/**
 * The in-process queues against a fixture consumer (batch size 3, visibility 30 s, DLQ after 3
 * receives), on a manual clock: redelivery and dead-lettering happen without waiting.
 */
let clock = manualClock();
let queues: LocalQueues;

beforeEach(() => {
  reset();
  clock = manualClock();
  const runtime = createLambdaRuntime({ catalog: fixtureCatalog, rootDir: PROJECT_ROOT, region: 'us-east-1', log: silentLog });
  queues = createLocalQueues({ catalog: fixtureCatalog, runtime, clock, region: 'us-east-1' });
});

const deliveries = (body: string) => received.batches.flatMap((b) => b.Records).filter((r) => r.body === body);

describe('local SQS queues', () => {
  it('delivers records with the SQS event shape and deletes them when the consumer succeeds', async () => {
    const { messageId } = await queues.send('work', 'hello', { kind: 'greeting', size: { dataType: 'Number', stringValue: '5' } });
    const result = await queues.drain();
    expect(result).toEqual({ batches: 1, delivered: 1, deleted: 1, failed: 0, deadLettered: 0 });
    const [record] = received.batches[0]!.Records;
    expect(record).toMatchObject({
      messageId,
      receiptHandle: expect.any(String),
      body: 'hello',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()), ApproximateFirstReceiveTimestamp: String(clock.now()) },
      messageAttributes: {
        kind: { dataType: 'String', stringValue: 'greeting', stringListValues: [], binaryListValues: [] },
        size: { dataType: 'Number', stringValue: '5', stringListValues: [], binaryListValues: [] },
      },
      md5OfBody: '5d41402abc4b2a76b9719d911017c592',
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work',
      awsRegion: 'us-east-1',
    });
    expect(queues.stats('work')).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('keeps a delayed message invisible for its delay on the queues’ clock, and names its group', async () => {
    const start = clock.now();
    await queues.send('work', 'later', {}, { delaySeconds: 300, groupId: 'we_1' });
    expect(await queues.pump()).toMatchObject({ delivered: 0 });
    expect(queues.stats('work')).toEqual({ visible: 0, inFlight: 1, deadLettered: 0 });
    await queues.drain(); // moves the manual clock to the message instead of waiting
    expect(clock.now()).toBe(start + 300_000);
    expect(deliveries('later')).toHaveLength(1);
    expect(deliveries('later')[0]!.attributes).toMatchObject({ MessageGroupId: 'we_1' });
    await expect(queues.send('work', 'x', {}, { delaySeconds: 901 })).rejects.toBeInstanceOf(InvalidMessageContentsError);
  });

  it('batches up to the catalog batch size, oldest first', async () => {
    for (const body of ['m1', 'm2', 'm3', 'm4', 'm5']) await queues.send('work', body);
    await queues.drain();
    expect(received.batches.map((b) => b.Records.map((r) => r.body))).toEqual([['m1', 'm2', 'm3'], ['m4', 'm5']]);
  });

  it('redelivers only the failed records of a batch, after the visibility timeout', async () => {
    await queues.send('work', 'ok-1');
    await queues.send('work', 'fail-once');
    await queues.send('work', 'ok-2');

    const first = await queues.pump();
    expect(first).toMatchObject({ delivered: 3, deleted: 2, failed: 1 });
    expect(queues.stats('work')).toEqual({ visible: 0, inFlight: 1, deadLettered: 0 });

    // Not yet visible again: a poll just before the timeout gets nothing.
    clock.advance(29_999);
    expect((await queues.pump()).delivered).toBe(0);
    clock.advance(1);
    expect(await queues.pump()).toMatchObject({ delivered: 1, deleted: 1, failed: 0 });
    expect(deliveries('fail-once').map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(deliveries('ok-1')).toHaveLength(1);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount, and redrives it once', async () => {
    await queues.send('work', 'fail-always');
    const result = await queues.drain();
    expect(result).toMatchObject({ delivered: 3, failed: 3, deadLettered: 1 });
    expect(deliveries('fail-always').map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(queues.stats('work')).toEqual({ visible: 0, inFlight: 0, deadLettered: 1 });
    expect(queues.deadLetters('work')).toEqual([expect.objectContaining({ body: 'fail-always', receiveCount: 3 })]);

    expect(queues.redrive('work')).toBe(1);
    expect(queues.deadLetters('work')).toEqual([]);
    expect(queues.messages('work')).toEqual([expect.objectContaining({ body: 'fail-always', receiveCount: 0, visible: true })]);
    await queues.pump();
    expect(deliveries('fail-always').at(-1)!.attributes.ApproximateReceiveCount).toBe('1');
  });

  it('treats a thrown error or an unknown item identifier as a failure of the whole batch', async () => {
    await queues.send('work', 'a');
    await queues.send('work', 'throw');
    expect(await queues.pump()).toMatchObject({ delivered: 2, deleted: 0, failed: 2 });

    reset();
    clock.advance(30_000);
    await queues.drain();
    await queues.send('work', 'b');
    await queues.send('work', 'bogus');
    expect(await queues.pump()).toMatchObject({ delivered: 2, deleted: 0, failed: 2 });
  });

  it('ignores a receipt handle from an earlier delivery', async () => {
    await queues.send('work', 'fail-once');
    await queues.pump();
    const stale = received.batches[0]!.Records[0]!.receiptHandle;
    clock.advance(30_000);
    await queues.pump();
    expect(received.batches[1]!.Records[0]!.receiptHandle).not.toBe(stale);
    expect(queues.stats('work')).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
  });

  it('accepts local:// URLs, refuses unknown queues and invalid messages like SQS', async () => {
    expect(queues.urls()).toEqual({ work: 'local://work', unconsumed: 'local://unconsumed' });
    await queues.send('local://unconsumed', 'kept');
    expect(await queues.drain()).toMatchObject({ delivered: 0 });
    expect(queues.messages('unconsumed')).toEqual([expect.objectContaining({ body: 'kept', visible: true })]);

    await expect(queues.send('nope', 'x')).rejects.toBeInstanceOf(QueueDoesNotExistError);
    await expect(queues.send('work', '')).rejects.toBeInstanceOf(InvalidMessageContentsError);
    await expect(queues.send('work', 'bad \u0000 char')).rejects.toBeInstanceOf(InvalidMessageContentsError);
    await expect(queues.send('work', 'x'.repeat(1024 * 1024 + 1))).rejects.toBeInstanceOf(InvalidMessageContentsError);
  });
});
