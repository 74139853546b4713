import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { LambdaRuntime } from '../../../infra/local/lambda-runtime';
import type { LocalCatalog } from '../../../infra/local/local-catalog';
import { silentLog, type LocalLog } from '../../../infra/local/log';
import { createLocalStreams, type LocalStreams } from '../../../infra/local/streams';

/**
 * The poller against a stand-in for the streams API, for what DynamoDB Local's server never
 * does: roll shards over (parents, children), page DescribeStream, expire an iterator between two
 * reads or trim a checkpoint away. The integration tests run the rest against DynamoDB Local.
 */
const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2025-01-01T00:00:00.000';
const seq = (n: number) => String(n).padStart(21, '0');

interface FakeShard {
  id: string;
  parent?: string;
  records: number[];
  closed: boolean;
}

function fakeStreams(shards: FakeShard[], { pageSize = 2, expireAtRead = 0, trimmedBelow = 0 } = {}) {
  const calls: string[] = [];
  let reads = 0;
  const record = (n: number): _Record => ({
    eventID: `e${n}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: { Keys: { pk: { S: `k${n}` } }, NewImage: { pk: { S: `k${n}` }, entity: { S: 'Job' } }, SequenceNumber: seq(n), SizeBytes: 10, StreamViewType: 'NEW_IMAGE' },
  });
  const table = {
    send: async (command: unknown) => {
      if (!(command instanceof DescribeTableCommand)) throw new Error('unexpected table call');
      return { Table: { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' }, LatestStreamArn: STREAM } };
    },
  };
  const streams = {
    send: async (command: unknown): Promise<unknown> => {
      if (command instanceof DescribeStreamCommand) {
        calls.push(`DescribeStream ${command.input.ExclusiveStartShardId ?? '-'}`);
        // Children first, one shard a page: the poller must order and page them itself.
        const listed = [...shards].reverse();
        const from = command.input.ExclusiveStartShardId ? listed.findIndex((s) => s.id === command.input.ExclusiveStartShardId) + 1 : 0;
        const shard = listed[from]!;
        const description: Shard = {
          ShardId: shard.id,
          ParentShardId: shard.parent,
          SequenceNumberRange: { StartingSequenceNumber: seq(shard.records[0]!), ...(shard.closed ? { EndingSequenceNumber: seq(shard.records.at(-1)!) } : {}) },
        };
        return { StreamDescription: { StreamArn: STREAM, Shards: [description], LastEvaluatedShardId: from + 1 < listed.length ? shard.id : undefined } };
      }
      if (command instanceof GetShardIteratorCommand) {
        const { ShardId, ShardIteratorType, SequenceNumber } = command.input;
        calls.push(`GetShardIterator ${ShardId} ${ShardIteratorType} ${SequenceNumber ?? ''}`.trim());
        const shard = shards.find((s) => s.id === ShardId)!;
        if (ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' && Number(SequenceNumber) < trimmedBelow) {
          throw Object.assign(new Error('The operation attempted to read past the oldest stream record in a shard.'), { name: 'TrimmedDataAccessException' });
        }
        const visible = shard.records.filter((n) => n >= trimmedBelow);
        const position = ShardIteratorType === 'TRIM_HORIZON' ? 0 : visible.filter((n) => n <= Number(SequenceNumber)).length;
        return { ShardIterator: `${ShardId}|${position}` };
      }
      if (command instanceof GetRecordsCommand) {
        const [shardId, at] = command.input.ShardIterator!.split('|');
        calls.push(`GetRecords ${shardId} ${at}`);
        if (++reads === expireAtRead) {
          throw Object.assign(new Error('Iterator expired'), { name: 'ExpiredIteratorException' });
        }
        const shard = shards.find((s) => s.id === shardId)!;
        const visible = shard.records.filter((n) => n >= trimmedBelow);
        const start = Number(at);
        const page = visible.slice(start, start + Math.min(pageSize, command.input.Limit ?? 1000));
        const end = start + page.length;
        // The last page of a closed shard has no next iterator (as in AWS); an open one always has one.
        const next = shard.closed && end >= visible.length ? undefined : `${shardId}|${end}`;
        return { Records: page.map(record), NextShardIterator: next };
      }
      throw new Error('unexpected streams call');
    },
  };
  return { table, streams, calls };
}

const catalogOf = ({ batchSize = 2, retryAttempts = 1 } = {}): LocalCatalog => ({
  functions: [{ id: 'fx', entry: 'unused.ts', description: 'fixture', access: {}, trigger: { kind: 'tableStream', filter: { entity: ['Job'], eventName: ['INSERT'] }, batchSize, retryAttempts } }],
  queues: {},
});
const catalog = catalogOf();

function runtime(answer: (event: DynamoDBStreamEvent) => unknown = () => ({ batchItemFailures: [] })) {
  const batches: number[][] = [];
  const fake: LambdaRuntime = {
    region: 'us-east-1',
    spec: () => catalog.functions[0]!,
    missingEntries: () => [],
    invoke: async (_id, event) => {
      const e = event as DynamoDBStreamEvent;
      batches.push(e.Records.map((r) => Number(r.dynamodb!.SequenceNumber)));
      return answer(e);
    },
  };
  return { fake, batches };
}

function poller(fake: ReturnType<typeof fakeStreams>, lambda: LambdaRuntime, { log = silentLog, checkpointFile, local = catalog }: { log?: LocalLog; checkpointFile?: string; local?: LocalCatalog } = {}): LocalStreams {
  return createLocalStreams({ catalog: local, runtime: lambda, endpoint: 'http://unused', tableName: 't', region: 'us-east-1', log, checkpointFile, clients: { table: fake.table as never, streams: fake.streams as never } });
}

describe('the local stream poller, on shards DynamoDB Local does not make', () => {
  it('reads a parent shard to its end before its child, and the child before the grandchild, whatever order DescribeStream pages them in', async () => {
    const api = fakeStreams([
      { id: 'shard-a', records: [1, 2, 3], closed: true },
      { id: 'shard-b', parent: 'shard-a', records: [4, 5], closed: true },
      { id: 'shard-c', parent: 'shard-b', records: [6], closed: false },
    ]);
    const { fake, batches } = runtime();
    const streams = poller(api, fake);
    expect(await streams.drain()).toBe(6);
    expect(batches).toEqual([[1, 2], [3], [4, 5], [6]]);
    expect(streams.checkpoints()).toEqual({ fx: { 'shard-a': 'closed', 'shard-b': 'closed', 'shard-c': seq(6) } });
    // Every page of DescribeStream was read.
    expect(api.calls.filter((c) => c.startsWith('DescribeStream')).slice(0, 3)).toEqual(['DescribeStream -', 'DescribeStream shard-c', 'DescribeStream shard-b']);
    await streams.stop();
  });

  it('replaces an iterator that expired between two reads from the checkpoint, redelivering nothing', async () => {
    const shards: FakeShard[] = [{ id: 'shard-a', records: [1, 2], closed: false }];
    // Reads 1 and 2 deliver 1–2 and find the end; read 3, with the kept iterator, finds it expired.
    const api = fakeStreams(shards, { expireAtRead: 3 });
    const { fake, batches } = runtime();
    const streams = poller(api, fake);
    expect(await streams.drain()).toBe(2);
    shards[0]!.records.push(3);
    expect(await streams.drain()).toBe(1);
    expect(batches).toEqual([[1, 2], [3]]);
    expect(api.calls.filter((c) => c.startsWith('GetShardIterator'))).toEqual(['GetShardIterator shard-a TRIM_HORIZON', `GetShardIterator shard-a AFTER_SEQUENCE_NUMBER ${seq(2)}`]);
    await streams.stop();
  });

  it('reads from the trim horizon, with a warning, when its checkpoint was trimmed away (records older than 24 hours)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stream-checkpoints-'));
    try {
      const checkpointFile = join(dir, 'stream-checkpoints.json');
      const { fake, batches } = runtime();
      const first = poller(fakeStreams([{ id: 'shard-a', records: [1, 2], closed: false }]), fake, { checkpointFile });
      await first.drain();
      await first.stop();
      // Restarted a day later: the checkpoint (2) and record 3 were trimmed; 4 and 5 remain.
      const warnings: string[] = [];
      const later = fakeStreams([{ id: 'shard-a', records: [1, 2, 3, 4, 5], closed: false }], { trimmedBelow: 4 });
      const second = poller(later, fake, { checkpointFile, log: { ...silentLog, warn: (m) => void warnings.push(m) } });
      expect(await second.drain()).toBe(2);
      expect(batches).toEqual([[1, 2], [4, 5]]);
      expect(later.calls.filter((c) => c.startsWith('GetShardIterator'))).toEqual([`GetShardIterator shard-a AFTER_SEQUENCE_NUMBER ${seq(2)}`, 'GetShardIterator shard-a TRIM_HORIZON']);
      expect(warnings).toEqual([expect.stringMatching(/fx's checkpoint 0+2 in shard-a is older than the stream keeps/)]);
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries from the lowest sequence number reported, and treats an identifier not in the batch as a failure of the whole batch', async () => {
    const api = fakeStreams([{ id: 'shard-a', records: [1, 2, 3, 4], closed: false }], { pageSize: 10 });
    let call = 0;
    const { fake, batches } = runtime((event) => {
      call++;
      const seqs = event.Records.map((r) => r.dynamodb!.SequenceNumber!);
      if (call === 1) return { batchItemFailures: [{ itemIdentifier: seqs[2] }, { itemIdentifier: seqs[1] }] };
      if (call === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      return { batchItemFailures: [] };
    });
    const streams = poller(api, fake, { local: catalogOf({ batchSize: 3, retryAttempts: 5 }) });
    expect(await streams.drain()).toBe(9);
    expect(batches).toEqual([[1, 2, 3], [2, 3, 4], [2, 3, 4]]);
    expect(streams.checkpoints()).toEqual({ fx: { 'shard-a': seq(4) } });
    await streams.stop();
  });
});
