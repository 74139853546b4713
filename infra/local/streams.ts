import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type AttributeValue as StreamAttributeValue,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { TableStreamTrigger } from '../catalog';
import { localDynamoClient, localStreamsClient } from './dynamodb';
import { LOCAL_ACCOUNT, type LambdaRuntime } from './lambda-runtime';
import { functionsOf, type LocalCatalog, type WithTrigger } from './local-catalog';
import type { LocalLog } from './log';

/**
 * The table stream's event source on one machine: what Lambda's DynamoDB event source mapping
 * does for each catalog function with a `tableStream` trigger, polling DynamoDB Local's stream.
 *
 * Per function, like one event source mapping: shards in order (a child only once its parent is
 * read to its end), from TRIM_HORIZON the first time and after the checkpoint since; the catalog
 * `filter` applied as the stack's FilterCriteria (records filtered out are checkpointed, never
 * delivered); a batch is the matching records among the next `batchSize` records of the shard,
 * so never more than `batchSize`, fewer where the filter drops some; `batchItemFailures`
 * (sequence numbers) checkpoint before the first failed record and retry from it; a thrown error
 * retries the whole batch; a batch that fails its first try and `retryAttempts` retries from the
 * same record is logged as an error and skipped from that record to the batch's end (deployed, it
 * goes to the mapping's on-failure queue). No bisecting: locally a failing batch is retried
 * whole, which only changes which records share a retry. Checkpoints live in memory, and in
 * `checkpointFile` when the platform is persistent.
 *
 * What DynamoDB Local 10.3.0 does, which this is written against:
 * - A stream record is readable as soon as the write that made it returns (transactions too); a
 *   write that changes nothing makes none, as in AWS.
 * - GetRecords on the open shard's end returns an empty page with a NextShardIterator, forever; an
 *   empty page is where one round of a shard stops.
 * - Iterators can be read more than once, and expire 15 minutes after GetShardIterator
 *   (ExpiredIteratorException): a kept iterator is replaced from the checkpoint then.
 * - Records older than 24 hours are trimmed: TRIM_HORIZON starts after them, and AFTER_SEQUENCE_NUMBER
 *   of a trimmed record fails with TrimmedDataAccessException (then, as Lambda, from the trim horizon).
 * - Sequence numbers are 21-digit zero-padded decimal strings, so they order as strings;
 *   ApproximateCreationDateTime is cut to the minute.
 * - Records and shard ARNs name the region `ddblocal` whatever the client's region.
 * - Its server process never rolls a shard over on its own (the 4-hour rollover is only reachable
 *   through its embedded API), and a persistent database keeps the same open shard across restarts;
 *   disabling the stream closes its shard (EndingSequenceNumber) and a re-enabled stream is a new
 *   ARN. Parent and child shards, as AWS returns them, are followed all the same.
 */

/** A subset of the EventBridge-style patterns of Lambda filter criteria: exact values, in lists, in nested objects. */
export type FilterPattern = { readonly [field: string]: readonly FilterValue[] | FilterPattern };
type FilterValue = string | number | boolean | null;

/** The pattern the stack sends as FilterCriteria for a `tableStream` trigger (see `infra/constructs/catalog-functions.ts`). */
export function streamFilterPattern(filter: TableStreamTrigger['filter']): FilterPattern {
  return { eventName: [...filter.eventName], dynamodb: { NewImage: { entity: { S: [...filter.entity] } } } };
}

/**
 * Whether `value` matches `pattern` as Lambda event filtering decides it: every field of the
 * pattern must match (fields it does not name are ignored); a list matches when the value — or,
 * for an array value, one of its elements — equals one of its entries; an object is matched
 * field by field one level down. A pattern outside this subset (e.g. `{ prefix: … }` rules) is
 * refused, whatever the value, rather than half-applied.
 */
export function matchesFilter(pattern: FilterPattern, value: unknown): boolean {
  return compileFilter(pattern)(value);
}

/** Checks the pattern once and returns its matcher (the poller compiles each function's filter at start). */
export function compileFilter(pattern: FilterPattern): (value: unknown) => boolean {
  checkPattern(pattern, '');
  return (value) => matches(pattern, value);
}

function checkPattern(pattern: FilterPattern, path: string): void {
  for (const [field, rule] of Object.entries(pattern)) {
    const where = `${path}${field}`;
    if (Array.isArray(rule)) {
      if (rule.length === 0) throw new Error(`Filter field '${where}' has an empty list: nothing could match`);
      for (const entry of rule) {
        if (entry !== null && typeof entry === 'object') throw new Error(`Filter field '${where}': only exact values are supported locally, not ${JSON.stringify(entry)}`);
      }
    } else if (isObject(rule)) {
      checkPattern(rule as FilterPattern, `${where}.`);
    } else {
      throw new Error(`Filter field '${where}' must be a list of values or a nested pattern`);
    }
  }
}

function matches(pattern: FilterPattern, value: unknown): boolean {
  for (const [field, rule] of Object.entries(pattern)) {
    const actual = isObject(value) ? value[field] : undefined;
    if (Array.isArray(rule)) {
      const values: unknown[] = Array.isArray(actual) ? actual : [actual];
      if (!rule.some((entry) => values.some((v) => v !== undefined && v === entry))) return false;
    } else if (!matches(rule as FilterPattern, actual)) {
      return false;
    }
  }
  return true;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The streams API calls the poller makes, so a test can stand in for DynamoDB Local (e.g. to show shard lineage). */
export type StreamsApi = Pick<DynamoDBStreamsClient, 'send'>;

export interface LocalStreamsOptions {
  catalog: LocalCatalog;
  runtime: LambdaRuntime;
  /** DynamoDB (Local) endpoint and table. */
  endpoint: string;
  tableName: string;
  region: string;
  log: LocalLog;
  /** Where checkpoints are kept across restarts (persistent platforms); without it, in memory only. */
  checkpointFile?: string;
  /** Default: clients for `endpoint`, as the table client makes them. */
  clients?: { table: Pick<DynamoDBClient, 'send'>; streams: StreamsApi };
}

export interface LocalStreams {
  /** One round over every stream function: each gets at most one batch per shard. Returns the records delivered (failed tries included). */
  poll(): Promise<number>;
  /** Polls until a round delivers nothing; returns the records delivered. */
  drain(options?: { maxRounds?: number }): Promise<number>;
  /** Real time: a round every `intervalMs` (default 250, four polls a second as Lambda polls a shard), at once again after a round that delivered. */
  startPolling(intervalMs?: number): void;
  /** Stops background polling and waits for the round in flight. */
  stopPolling(): Promise<void>;
  /** Stops polling, writes the checkpoints, closes the clients. */
  stop(): Promise<void>;
  /** Per function, per shard: the sequence number delivered through (or `closed` for a shard read to its end). */
  checkpoints(): Record<string, Record<string, string>>;
}

const CLOSED = 'closed';
const MAX_GET_RECORDS = 1000;
const DEFAULT_INTERVAL_MS = 250;
/**
 * How long a round reuses the stream's ARN and shard list. DescribeTable and DescribeStream cost
 * DynamoDB Local about 17 and 7 ms of CPU each, GetRecords about 6: describing every round made
 * an idle platform spend a fifth of a core on it. Lambda's pollers also learn of new shards only
 * now and then. A shard read to its end or a failed round describes again at once.
 */
const TOPOLOGY_TTL_MS = 10_000;

/** A function's position in one stream: per shard, the last sequence number done with, or CLOSED. */
interface Position {
  streamArn: string;
  shards: Map<string, string>;
}

interface CheckpointFile {
  version: 1;
  /** By table name, then function id. */
  tables: Record<string, Record<string, { streamArn: string; shards: Record<string, string> }>>;
}

interface Failure {
  firstSequenceNumber: string;
  tries: number;
}

type Consumer = WithTrigger<'tableStream'> & { matches: (record: DynamoDBRecord) => boolean };

export function createLocalStreams(options: LocalStreamsOptions): LocalStreams {
  const { runtime, tableName, region, log, checkpointFile } = options;
  const consumers: Consumer[] = functionsOf(options.catalog, 'tableStream').map((fn) => {
    if (!(Number.isInteger(fn.trigger.batchSize) && fn.trigger.batchSize >= 1)) throw new Error(`Stream function ${fn.id}: batchSize must be a positive integer`);
    return { ...fn, matches: compileFilter(streamFilterPattern(fn.trigger.filter)) };
  });
  const ownClients = !options.clients;
  const table = options.clients?.table ?? localDynamoClient(options.endpoint, region);
  const streams = options.clients?.streams ?? localStreamsClient(options.endpoint, region);

  const positions = new Map<string, Position>(loadCheckpoints());
  /** Iterators kept between rounds, per function and shard: each stays valid for 15 minutes. */
  const iterators = new Map<string, string>();
  const failures = new Map<string, Failure>();
  let dirty = false;

  function loadCheckpoints(): [string, Position][] {
    if (!checkpointFile) return [];
    let parsed: CheckpointFile;
    try {
      parsed = JSON.parse(readFileSync(checkpointFile, 'utf8')) as CheckpointFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`Table stream checkpoints in ${checkpointFile} are unreadable (${(error as Error).message}); the stream is read from its trim horizon`);
      return [];
    }
    return Object.entries(parsed.tables?.[tableName] ?? {}).map(([fnId, saved]) => [fnId, { streamArn: saved.streamArn, shards: new Map(Object.entries(saved.shards)) }]);
  }

  /**
   * Written after each round that moved a checkpoint, so a restart resumes close to where it
   * stopped. A process killed between an invocation and this write redelivers that round's batches
   * after the restart: at least once, as Lambda (and the consumers are idempotent).
   */
  function saveCheckpoints(): void {
    if (!checkpointFile || !dirty) return;
    let file: CheckpointFile = { version: 1, tables: {} };
    try {
      file = JSON.parse(readFileSync(checkpointFile, 'utf8')) as CheckpointFile;
      file.tables ??= {};
    } catch {
      // Missing or unreadable: start a new file.
    }
    file.tables[tableName] = Object.fromEntries([...positions].map(([fnId, p]) => [fnId, { streamArn: p.streamArn, shards: Object.fromEntries(p.shards) }]));
    mkdirSync(dirname(checkpointFile), { recursive: true });
    const temporary = `${checkpointFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(temporary, checkpointFile);
    dirty = false;
  }

  async function latestStreamArn(): Promise<string | undefined> {
    const { Table } = await table.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
  }

  async function listShards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  function positionOf(fn: Consumer, streamArn: string, shards: Shard[]): Position {
    let position = positions.get(fn.id);
    if (!position || position.streamArn !== streamArn) {
      // A new stream (first run, or the table's stream was re-enabled): from its trim horizon.
      position = { streamArn, shards: new Map() };
      positions.set(fn.id, position);
      for (const key of [...iterators.keys()]) if (key.startsWith(`${fn.id}\u0000`)) iterators.delete(key);
      dirty = true;
    }
    // Shards trimmed away (24 hours after they closed) need no checkpoint any more.
    const listed = new Set(shards.map((s) => s.ShardId));
    for (const shardId of [...position.shards.keys()]) {
      if (!listed.has(shardId)) {
        position.shards.delete(shardId);
        dirty = true;
      }
    }
    return position;
  }

  async function iteratorFor(fn: Consumer, streamArn: string, shardId: string, position: Position): Promise<string | undefined> {
    const after = position.shards.get(shardId);
    if (after !== undefined) {
      try {
        return (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }))).ShardIterator;
      } catch (error) {
        if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
        log.warn(`Table stream: ${fn.id}'s checkpoint ${after} in ${shardId} is older than the stream keeps (24 hours); reading from the trim horizon, as Lambda does`);
      }
    }
    return (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  }

  /** One page from the checkpoint on (a kept iterator when there is one, a fresh one when it expired). */
  async function readPage(fn: Consumer, streamArn: string, shardId: string, position: Position, limit: number): Promise<{ records: _Record[]; next?: string }> {
    const key = `${fn.id}\u0000${shardId}`;
    for (let attempt = 0; ; attempt++) {
      const iterator = iterators.get(key) ?? (await iteratorFor(fn, streamArn, shardId, position));
      iterators.delete(key);
      if (!iterator) return { records: [] };
      try {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
        if (page.NextShardIterator) iterators.set(key, page.NextShardIterator);
        return { records: page.Records ?? [], next: page.NextShardIterator };
      } catch (error) {
        if ((error as Error).name !== 'ExpiredIteratorException' || attempt > 0) throw error;
      }
    }
  }

  /** Shards whose parent is done (or gone): AWS reads a child only after its parent's last record. */
  function readable(shards: Shard[], position: Position): Shard[] {
    const listed = new Set(shards.map((s) => s.ShardId));
    const ordered = [...shards].sort((a, b) => compareSequence(a.SequenceNumberRange?.StartingSequenceNumber, b.SequenceNumberRange?.StartingSequenceNumber));
    return ordered.filter((s) => position.shards.get(s.ShardId!) !== CLOSED && (!s.ParentShardId || !listed.has(s.ParentShardId) || position.shards.get(s.ParentShardId) === CLOSED));
  }

  /** Delivers at most one batch of one shard; returns the records delivered. */
  async function step(fn: Consumer, streamArn: string, shard: Shard, position: Position): Promise<number> {
    const shardId = shard.ShardId!;
    const limit = Math.min(fn.trigger.batchSize, MAX_GET_RECORDS);
    for (;;) {
      const { records, next } = await readPage(fn, streamArn, shardId, position, limit);
      if (records.length === 0) {
        if (!next) {
          // A closed shard read to its end: its children are next.
          position.shards.set(shardId, CLOSED);
          dirty = true;
        }
        return 0;
      }
      const all = records.map((r) => lambdaRecord(r, streamArn, region));
      const batch = all.filter(fn.matches);
      const last = all.at(-1)!.dynamodb!.SequenceNumber!;
      if (batch.length === 0) {
        // Filtered out, as the event source mapping's filter does: checkpointed, never delivered.
        checkpoint(position, shardId, last, !next);
        if (!next) return 0;
        continue;
      }
      const failedAt = await invoke(fn, batch);
      const key = `${fn.id}\u0000${shardId}`;
      if (failedAt === undefined) {
        failures.delete(key);
        checkpoint(position, shardId, last, !next);
        return batch.length;
      }
      // Records before the first failed one are done; the retry starts at it.
      const index = all.findIndex((r) => r.dynamodb!.SequenceNumber === failedAt);
      if (index > 0) checkpoint(position, shardId, all[index - 1]!.dynamodb!.SequenceNumber!);
      const failedRecords = batch.filter((r) => compareSequence(r.dynamodb!.SequenceNumber, failedAt) >= 0);
      const previous = failures.get(key);
      const tries = previous?.firstSequenceNumber === failedAt ? previous.tries + 1 : 1;
      if (tries <= fn.trigger.retryAttempts) {
        failures.set(key, { firstSequenceNumber: failedAt, tries });
        iterators.delete(key);
        return batch.length;
      }
      failures.delete(key);
      checkpoint(position, shardId, last, !next);
      log.error(
        `Table stream: ${fn.id} failed a batch ${tries === 1 ? 'once' : `${tries} times`} (retryAttempts ${fn.trigger.retryAttempts}); skipping its ${failedRecords.length} record(s), ` +
          `sequence numbers ${failedRecords.map((r) => r.dynamodb!.SequenceNumber).join(', ')} in ${shardId} (deployed, they would go to the stream's on-failure queue)`,
      );
      return batch.length;
    }
  }

  /** Done through `sequenceNumber`; a closed shard's last page (no next iterator) done entirely closes it. */
  function checkpoint(position: Position, shardId: string, sequenceNumber: string, closesShard = false): void {
    position.shards.set(shardId, closesShard ? CLOSED : sequenceNumber);
    dirty = true;
  }

  /** Invokes the function; returns the sequence number to retry from, or undefined when the batch succeeded. */
  async function invoke(fn: Consumer, batch: DynamoDBRecord[]): Promise<string | undefined> {
    const first = batch[0]!.dynamodb!.SequenceNumber!;
    let result: unknown;
    try {
      result = await runtime.invoke(fn.id, { Records: batch } satisfies DynamoDBStreamEvent);
    } catch {
      // The runtime has logged the failure; as in Lambda, the whole batch is retried.
      return first;
    }
    return firstFailure(result, batch);
  }

  let topology: { streamArn: string; shards: Shard[]; at: number } | undefined;
  async function currentTopology(): Promise<{ streamArn: string; shards: Shard[] } | undefined> {
    if (topology && performance.now() - topology.at < TOPOLOGY_TTL_MS) return topology;
    topology = undefined;
    const streamArn = await latestStreamArn();
    if (!streamArn) return undefined;
    topology = { streamArn, shards: await listShards(streamArn), at: performance.now() };
    return topology;
  }

  let chain: Promise<unknown> = Promise.resolve();
  async function round(): Promise<number> {
    if (consumers.length === 0) return 0;
    const current = await currentTopology();
    if (!current) return 0;
    const { streamArn, shards } = current;
    const closedBefore = closedShards();
    let delivered = 0;
    try {
      // Functions one after another, and their shards in order: deterministic, like the queues.
      for (const fn of consumers) {
        const position = positionOf(fn, streamArn, shards);
        // A parent read to its end in this round lets its children be read in it too.
        const stepped = new Set<string>();
        for (let next = readable(shards, position); next.length > 0; next = readable(shards, position).filter((s) => !stepped.has(s.ShardId!))) {
          for (const shard of next) {
            stepped.add(shard.ShardId!);
            delivered += await step(fn, streamArn, shard, position);
          }
        }
      }
    } catch (error) {
      topology = undefined;
      throw error;
    } finally {
      saveCheckpoints();
    }
    // A shard read to its end: its children may not be listed yet.
    if (closedShards() > closedBefore) topology = undefined;
    return delivered;
  }
  function closedShards(): number {
    let closed = 0;
    for (const position of positions.values()) for (const at of position.shards.values()) if (at === CLOSED) closed++;
    return closed;
  }
  const poll = (): Promise<number> => {
    // Rounds never overlap (background polling and a test's drain share the checkpoints).
    const run = chain.then(round);
    chain = run.catch(() => undefined);
    return run;
  };

  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let failing = false;
  function tick(): void {
    if (!timer || inFlight) return;
    inFlight = poll().then(
      (delivered) => {
        if (failing) log.info('Table stream polling works again');
        failing = false;
        inFlight = undefined;
        if (delivered > 0) setImmediate(tick);
      },
      (error: unknown) => {
        // Said once, not four times a second, until it works again.
        if (!failing) log.error('Table stream polling failed; retrying', error as Error);
        failing = true;
        inFlight = undefined;
      },
    );
  }

  const stopPolling = async () => {
    clearInterval(timer);
    timer = undefined;
    await inFlight;
    await chain;
  };

  return {
    poll,
    async drain({ maxRounds = 1000 } = {}) {
      let total = 0;
      for (let i = 0; i < maxRounds; i++) {
        const delivered = await poll();
        if (delivered === 0) return total;
        total += delivered;
      }
      throw new Error(`The table stream did not drain within ${maxRounds} rounds: its functions keep failing or writing what they read`);
    },
    startPolling(intervalMs = DEFAULT_INTERVAL_MS) {
      if (timer || consumers.length === 0) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    stopPolling,
    async stop() {
      await stopPolling();
      saveCheckpoints();
      if (ownClients) {
        (table as DynamoDBClient).destroy();
        (streams as DynamoDBStreamsClient).destroy();
      }
    },
    checkpoints: () => Object.fromEntries([...positions].map(([fnId, p]) => [fnId, Object.fromEntries(p.shards)])),
  };
}

/**
 * The failed record a response names, as Lambda reads `batchItemFailures` for a stream: none
 * (or an empty list) is success; several are retried from the lowest sequence number; an
 * identifier that is missing, empty or not in the batch fails the whole batch.
 */
function firstFailure(result: unknown, batch: DynamoDBRecord[]): string | undefined {
  const reported = (result as { batchItemFailures?: unknown } | undefined | null)?.batchItemFailures;
  if (reported === undefined || reported === null) return undefined;
  const sequenceNumbers = batch.map((r) => r.dynamodb!.SequenceNumber!);
  const whole = sequenceNumbers[0];
  if (!Array.isArray(reported)) return whole;
  let lowest: string | undefined;
  for (const item of reported) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !sequenceNumbers.includes(id)) return whole;
    if (lowest === undefined || compareSequence(id, lowest) < 0) lowest = id;
  }
  return lowest;
}

/** Sequence numbers are decimal strings; DynamoDB Local pads them to 21 digits, AWS's vary in length. */
function compareSequence(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
}

/** A stream record as Lambda delivers it: JSON, binary values base64, the time in epoch seconds, this region in the ARN. */
export function lambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      ...(data.Keys ? { Keys: lambdaImage(data.Keys) } : {}),
      ...(data.NewImage ? { NewImage: lambdaImage(data.NewImage) } : {}),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType as 'NEW_IMAGE',
    },
    // DynamoDB Local names its own region ("ddblocal") in ARNs; Lambda's records name the table's.
    eventSourceARN: streamArn.replace(/^arn:aws:dynamodb:[^:]*:[^:]*:/, `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT}:`),
  };
}

function lambdaImage(image: Record<string, StreamAttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, lambdaValue(value)]));
}

function lambdaValue(value: StreamAttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: lambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(lambdaValue) };
  return value as LambdaAttributeValue;
}
