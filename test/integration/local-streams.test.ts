import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { manualClock } from '../../infra/local/clock';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { createLambdaRuntime } from '../../infra/local/lambda-runtime';
import { silentLog, type LocalLog } from '../../infra/local/log';
import { PROJECT_ROOT, type Platform } from '../../infra/local/platform';
import { createLocalStreams, type LocalStreams } from '../../infra/local/streams';
import { TABLE } from '../../shared/store/table';
import { startTestPlatform } from '../support/local-platform';
import { streamCatalog } from './fixtures/stream-catalog';
import { jobItem, reset, seen } from './fixtures/streams';
import { ENDPOINT_VARIABLE } from './global-setup';

/**
 * The table stream's local event source against DynamoDB Local's real stream, with fixture
 * functions (`fixtures/stream-catalog.ts`): `fx-jobs` takes inserted `Job` rows, 3 a batch, and
 * retries a failing batch twice; `fx-edits` takes modified ones, never retried. Each test gets
 * its own table, so its own stream. Then, on a whole platform with a manual clock: schedules,
 * `settle()` through stream → queue → table → stream chains, and checkpoints across a restart.
 */
const endpoint = () => process.env[ENDPOINT_VARIABLE]!;
let ddb: DynamoDBClient;
const opened: LocalStreams[] = [];

beforeAll(() => {
  ddb = localDynamoClient(endpoint());
});
afterAll(() => ddb.destroy());
beforeEach(reset);
afterEach(async () => {
  for (const streams of opened.splice(0)) await streams.stop();
});

async function freshTable(): Promise<string> {
  const name = `it-streams-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint(), name);
  return name;
}

function capturingLog() {
  const errors: string[] = [];
  const warnings: string[] = [];
  const log: LocalLog = { info: () => undefined, warn: (m) => void warnings.push(m), error: (m) => void errors.push(m) };
  return { log, errors, warnings };
}

function streamsOn(tableName: string, { log = silentLog, checkpointFile }: { log?: LocalLog; checkpointFile?: string } = {}): LocalStreams {
  const runtime = createLambdaRuntime({ catalog: streamCatalog, rootDir: PROJECT_ROOT, region: 'us-east-1', log });
  const streams = createLocalStreams({ catalog: streamCatalog, runtime, endpoint: endpoint(), tableName, region: 'us-east-1', log, checkpointFile });
  opened.push(streams);
  return streams;
}

const putJob = (tableName: string, id: string, mode = 'ok') => ddb.send(new PutItemCommand({ TableName: tableName, Item: jobItem(id, mode) }));
const putOther = (tableName: string, id: string) => ddb.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: `other#${id}` }, sk: { S: 'other' }, entity: { S: 'Other' }, id: { S: id } } }));
const touch = (tableName: string, id: string, mode = 'ok') =>
  ddb.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: `job#${id}` }, sk: { S: 'job' } }, UpdateExpression: 'SET #m = :m, touched = :t', ExpressionAttributeNames: { '#m': 'mode' }, ExpressionAttributeValues: { ':m': { S: mode }, ':t': { S: randomUUID() } } }));
const batchesOf = (fnId: string) => seen.batches[fnId] ?? [];
const sequenceOf = (id: string) => seen.events.flatMap((e) => e.Records).find((r) => r.dynamodb!.NewImage!.id!.S === id)!.dynamodb!.SequenceNumber!;

describe('the table', () => {
  it('is made with a new-image stream, and one is enabled on a table that lacks it or has another view type', async () => {
    const tableName = await freshTable();
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table!.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(Table!.LatestStreamArn).toMatch(new RegExp(`table/${tableName}/stream/`));
    expect(await ensureTable(endpoint(), tableName)).toBe('exists');
    expect((await ddb.send(new DescribeTableCommand({ TableName: tableName }))).Table!.LatestStreamArn).toBe(Table!.LatestStreamArn);

    for (const stream of [undefined, { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const }]) {
      const older = `it-streams-${randomUUID().slice(0, 8)}`;
      await ddb.send(
        new CreateTableCommand({
          TableName: older,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE.sortKey, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
          ],
          StreamSpecification: stream,
        }),
      );
      const before = (await ddb.send(new DescribeTableCommand({ TableName: older }))).Table!.LatestStreamArn;
      expect(await ensureTable(endpoint(), older)).toBe('exists');
      const after = (await ddb.send(new DescribeTableCommand({ TableName: older }))).Table!;
      expect(after.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(after.LatestStreamArn).toBeDefined();
      expect(after.LatestStreamArn).not.toBe(before);
    }
  });
});

describe('the local table stream', () => {
  it('delivers inserted Job rows only, in stream order, in batches of at most 3, shaped as Lambda delivers them', async () => {
    const tableName = await freshTable();
    for (let i = 1; i <= 7; i++) await putJob(tableName, `j${i}`);
    const streams = streamsOn(tableName);
    expect(await streams.drain()).toBe(7);
    expect(batchesOf('fx-jobs')).toEqual([['j1', 'j2', 'j3'], ['j4', 'j5', 'j6'], ['j7']]);

    const [record] = seen.events[0]!.Records;
    expect(record).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:us-east-1:000000000000:table/${tableName}/stream/`)),
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { pk: { S: 'job#j1' }, sk: { S: 'job' } },
        NewImage: jobItem('j1'),
        SequenceNumber: expect.stringMatching(/^\d{21}$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_IMAGE',
      },
    });
    // Epoch seconds, as Lambda sends it (not milliseconds, not a date string).
    expect(Math.abs(record!.dynamodb!.ApproximateCreationDateTime! - Date.now() / 1000)).toBeLessThan(600);
  });

  it('applies the filter: other entities and other change kinds never reach a function, and are checkpointed past', async () => {
    const tableName = await freshTable();
    await putJob(tableName, 'a1');
    await putOther(tableName, 'o1');
    await putJob(tableName, 'a2');
    await touch(tableName, 'a1');
    await putOther(tableName, 'o2');
    await putJob(tableName, 'a3');
    const streams = streamsOn(tableName);
    expect(await streams.drain()).toBe(4);
    // Every batch stays within batchSize; between them they hold each inserted Job once, in order.
    expect(batchesOf('fx-jobs').every((b) => b.length <= 3)).toBe(true);
    expect(batchesOf('fx-jobs').flat()).toEqual(['a1', 'a2', 'a3']);
    expect(batchesOf('fx-edits')).toEqual([['a1']]);
    expect(seen.events.flatMap((e) => e.Records).map((r) => [r.eventName, r.dynamodb!.NewImage!.entity!.S])).toEqual([
      ['INSERT', 'Job'],
      ['INSERT', 'Job'],
      ['MODIFY', 'Job'],
      ['INSERT', 'Job'],
    ]);

    // Nothing is delivered again, and trailing rows nobody takes move the checkpoint along.
    await putOther(tableName, 'o3');
    const checkpoint = streams.checkpoints()['fx-jobs'];
    expect(await streams.drain()).toBe(0);
    expect(streams.checkpoints()['fx-jobs']).not.toEqual(checkpoint);
  });

  it('retries from the record batchItemFailures names: nothing before it is delivered again, nothing after it skipped', async () => {
    const tableName = await freshTable();
    for (const [id, mode] of [['b1', 'ok'], ['b2', 'fail-once'], ['b3', 'ok'], ['b4', 'ok'], ['b5', 'ok']] as const) await putJob(tableName, id, mode);
    const streams = streamsOn(tableName);
    expect(await streams.poll()).toBe(3);
    expect(await streams.poll()).toBe(3);
    expect(await streams.poll()).toBe(1);
    expect(await streams.poll()).toBe(0);
    expect(batchesOf('fx-jobs')).toEqual([['b1', 'b2', 'b3'], ['b2', 'b3', 'b4'], ['b5']]);
    expect(Object.fromEntries([...seen.deliveries].filter(([k]) => k.startsWith('fx-jobs:')).map(([k, v]) => [k.slice('fx-jobs:'.length), v]))).toEqual({ b1: 1, b2: 2, b3: 2, b4: 1, b5: 1 });
  });

  it('retries the whole batch when the function throws', async () => {
    const tableName = await freshTable();
    for (const [id, mode] of [['c1', 'ok'], ['c2', 'throw-once'], ['c3', 'ok'], ['c4', 'ok']] as const) await putJob(tableName, id, mode);
    const { log, errors } = capturingLog();
    const streams = streamsOn(tableName, { log });
    expect(await streams.drain()).toBe(7);
    expect(batchesOf('fx-jobs')).toEqual([['c1', 'c2', 'c3'], ['c1', 'c2', 'c3'], ['c4']]);
    // The runtime reports the failed invocation; nothing was skipped.
    expect(errors).toEqual([expect.stringMatching(/^fx-jobs \(.+\) fx-jobs: handler failed: fixture stream failure/)]);
  });

  it('after the first try and retryAttempts retries, logs the batch as an error naming the function and sequence numbers, skips it, and goes on', async () => {
    const tableName = await freshTable();
    for (const [id, mode] of [['d1', 'ok'], ['d2', 'fail-always'], ['d3', 'ok'], ['d4', 'ok'], ['d5', 'ok']] as const) await putJob(tableName, id, mode);
    const { log, errors } = capturingLog();
    const streams = streamsOn(tableName, { log });
    await streams.drain();
    // d1 succeeds in the first try; the batch from d2 is tried 1 + 2 times, then skipped whole (d3 and d4 with it, as deployed).
    expect(batchesOf('fx-jobs')).toEqual([['d1', 'd2', 'd3'], ['d2', 'd3', 'd4'], ['d2', 'd3', 'd4'], ['d5']]);
    const skipped = errors.filter((m) => m.startsWith('Table stream'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain('fx-jobs failed a batch 3 times (retryAttempts 2)');
    expect(skipped[0]).toContain(`sequence numbers ${['d2', 'd3', 'd4'].map(sequenceOf).join(', ')}`);

    // retryAttempts 0: one try, then skipped; a thrown error counts like a reported failure.
    await touch(tableName, 'd5', 'throw-always');
    await streams.drain();
    expect(batchesOf('fx-edits')).toEqual([['d5']]);
    expect(errors.filter((m) => m.startsWith('Table stream'))[1]).toMatch(/fx-edits failed a batch once \(retryAttempts 0\); skipping its 1 record\(s\), sequence numbers \d{21} in /);
    expect(await streams.drain()).toBe(0);
  });

  it('keeps checkpoints in a file: a poller started again resumes after what was delivered; without the file it starts over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-checkpoints-'));
    try {
      const tableName = await freshTable();
      const checkpointFile = join(dir, 'stream-checkpoints.json');
      await putJob(tableName, 'e1');
      await putJob(tableName, 'e2');
      const first = streamsOn(tableName, { checkpointFile });
      expect(await first.drain()).toBe(2);
      await first.stop();
      const saved = JSON.parse(readFileSync(checkpointFile, 'utf8'));
      expect(Object.keys(saved.tables[tableName])).toEqual(['fx-jobs', 'fx-edits']);

      await putJob(tableName, 'e3');
      reset();
      const again = streamsOn(tableName, { checkpointFile });
      expect(await again.drain()).toBe(1);
      expect(batchesOf('fx-jobs')).toEqual([['e3']]);

      reset();
      const forgetful = streamsOn(tableName);
      expect(await forgetful.drain()).toBe(3);
      expect(batchesOf('fx-jobs')).toEqual([['e1', 'e2', 'e3']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('delivers in the background when polling, and stops cleanly', async () => {
    const tableName = await freshTable();
    const streams = streamsOn(tableName);
    streams.startPolling(20);
    await putJob(tableName, 'f1');
    for (let i = 0; i < 200 && batchesOf('fx-jobs').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await streams.stopPolling();
    expect(batchesOf('fx-jobs')).toEqual([['f1']]);
    expect(await streams.poll()).toBe(0);
  });
});

describe('a platform with a table stream and a schedule', () => {
  let dir: string;
  let platform: Platform | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'platform-streams-'));
  });
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a schedule on the manual clock once per due period, never back-filling', async () => {
    const clock = manualClock();
    platform = await startTestPlatform('streams-schedule', { catalog: streamCatalog, clock });
    expect(await platform.schedules.runDue()).toBe(0);
    clock.advance(5 * 60_000);
    expect(await platform.schedules.runDue()).toBe(1);
    expect(await platform.schedules.runDue()).toBe(0);
    clock.advance(23 * 60_000); // four more periods passed: one run
    expect(await platform.schedules.runDue()).toBe(1);
    expect(seen.ticks.map((t) => t.time)).toEqual([new Date(clock.now() - 23 * 60_000).toISOString().replace('.000Z', 'Z'), new Date(clock.now() - 3 * 60_000).toISOString().replace('.000Z', 'Z')]);
    // settle() runs what is due too, and only that.
    clock.advance(2 * 60_000);
    expect((await platform.settle()).scheduledRuns).toBe(1);
    expect((await platform.settle()).scheduledRuns).toBe(0);
    expect(seen.ticks).toHaveLength(3);
  });

  it('settle() reaches quiescence across stream → queue → table → stream chains, and delayed messages on the manual clock', async () => {
    const clock = manualClock();
    const start = clock.now();
    platform = await startTestPlatform('streams-settle', { catalog: streamCatalog, clock });
    for (const id of ['g1', 'g2']) await ddb.send(new PutItemCommand({ TableName: platform.tableName, Item: jobItem(`${id}.0`, 'chain') }));

    const result = await platform.settle();
    // Each chain: Job gen 0 → queue → Result + Job gen 1 → … → gen 3 → a message delayed 10 minutes.
    expect(seen.consumed.filter((id) => !id.startsWith('later:')).sort()).toEqual(['g1.0', 'g1.1', 'g1.2', 'g1.3', 'g2.0', 'g2.1', 'g2.2', 'g2.3']);
    expect(seen.consumed.filter((id) => id.startsWith('later:')).sort()).toEqual(['later:g1.3', 'later:g2.3']);
    expect(batchesOf('fx-jobs').flat().sort()).toEqual(['g1.0', 'g1.1', 'g1.2', 'g1.3', 'g2.0', 'g2.1', 'g2.2', 'g2.3']);
    // The delayed messages moved the clock 10 minutes: the 5-minute schedule ran once, not twice.
    expect(clock.now()).toBe(start + 10 * 60_000);
    expect(seen.ticks).toHaveLength(1);
    expect(result).toMatchObject({ streamRecords: 8, scheduledRuns: 1 });
    expect(result.rounds).toBeGreaterThan(1);
    expect(platform.queues.stats('jobs')).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    expect(platform.queues.stats('jobs-later')).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });

    // Settled means settled: another call finds nothing to do.
    expect(await platform.settle()).toMatchObject({ rounds: 1, streamRecords: 0, queues: { batches: 0 }, scheduledRuns: 0 });
  });

  it('says so when it cannot settle within its bound', async () => {
    platform = await startTestPlatform('streams-unsettled', { catalog: streamCatalog, clock: manualClock() });
    await ddb.send(new PutItemCommand({ TableName: platform.tableName, Item: jobItem('h1.0', 'chain') }));
    await expect(platform.settle({ maxRounds: 2 })).rejects.toThrow(/did not settle within 2 rounds/);
    await platform.settle();
  });

  it('keeps stream checkpoints under its dataDir, so a restart does not deliver the stream again', async () => {
    const options = { catalog: streamCatalog, clock: manualClock(), dataDir: dir, tableName: `it-streams-restart-${randomUUID().slice(0, 8)}` };
    platform = await startTestPlatform('streams-restart', options);
    await ddb.send(new PutItemCommand({ TableName: platform.tableName, Item: jobItem('r1') }));
    await ddb.send(new PutItemCommand({ TableName: platform.tableName, Item: jobItem('r2') }));
    await platform.settle();
    expect(batchesOf('fx-jobs')).toEqual([['r1', 'r2']]);
    await platform.stop();
    expect(existsSync(join(dir, 'stream-checkpoints.json'))).toBe(true);

    reset();
    platform = await startTestPlatform('streams-restart', options);
    await ddb.send(new PutItemCommand({ TableName: platform.tableName, Item: jobItem('r3') }));
    await platform.settle();
    expect(batchesOf('fx-jobs')).toEqual([['r3']]);
  });
});
