import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import type { Platform } from '../../infra/local/platform';
import { startTestPlatform } from '../support/local-platform';

/**
 * The idempotency records on DynamoDB Local: spread over `IDEMPOTENCY#<shard>` partitions, with
 * Powertools' semantics unchanged (replay, in progress, payload validation, expiry).
 */
let platform: Platform;
let store: typeof import('../../shared/store/idempotency-store');
let db: DynamoDBDocumentClient;
let run = 0;

beforeAll(async () => {
  platform = await startTestPlatform('idempotency-store');
  // After the platform has set the environment, as a handler's cold start would.
  store = require('../../shared/store/idempotency-store');
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
});
afterAll(() => platform?.stop());

const context = (remainingMs = 30_000) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

/** An idempotent operation over a fresh store, counting how often its body really runs. */
function operation<R>(body: (input: { key: string; body?: unknown }) => Promise<R>, options: { validate?: boolean; expiresAfterSeconds?: number; remainingMs?: number } = {}) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    ...(options.validate ? { payloadValidationJmesPath: 'body' } : {}),
    expiresAfterSeconds: options.expiresAfterSeconds ?? 3600,
  });
  config.registerLambdaContext(context(options.remainingMs));
  const calls: string[] = [];
  const keyPrefix = `test-op-${++run}`;
  const once = makeIdempotent(async (input: { key: string; body?: unknown }) => {
    calls.push(input.key);
    return body(input);
  }, { persistenceStore: store.createIdempotencyStore(), config, keyPrefix });
  return { once, calls, keyPrefix };
}

/** Every item of one partition of the test table. */
async function partition(pk: string) {
  return (await db.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }))).Items ?? [];
}

describe('sharded idempotency records', () => {
  it('puts two keys in two partitions, each record under its own key, none under the old static partition', async () => {
    const { once, keyPrefix } = operation(async ({ key }) => ({ done: key }));
    await once({ key: 'first' });
    await once({ key: 'second' });

    const [first, second] = await Promise.all(['first', 'second'].map(async (key) => {
      const sk = skOf(keyPrefix, key);
      // Not a scan: the partition is recomputed from the key, as the store finds a record.
      const rows = await partition(store.idempotencyPartitionOf(sk));
      return rows.find((row) => row.sk === sk);
    }));
    expect(first).toMatchObject({ pk: expect.stringMatching(/^IDEMPOTENCY#[0-9a-f]{4}$/), status: 'COMPLETED', expiresAt: expect.any(Number), data: { done: 'first' } });
    expect(second).toMatchObject({ pk: expect.stringMatching(/^IDEMPOTENCY#[0-9a-f]{4}$/), status: 'COMPLETED', data: { done: 'second' } });
    expect(first!.pk).not.toBe(second!.pk);
    expect(await partition('IDEMPOTENCY')).toEqual([]);
  });

  it('answers a replay with the first result without running the operation again', async () => {
    let n = 0;
    const { once, calls } = operation(async () => ({ n: ++n }));
    expect(await once({ key: 'replayed' })).toEqual({ n: 1 });
    expect(await once({ key: 'replayed' })).toEqual({ n: 1 });
    expect(await once({ key: 'other' })).toEqual({ n: 2 });
    expect(calls).toEqual(['replayed', 'other']);
  });

  it('blocks a second call while the first is in progress, then answers it from the completed record', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { once, calls, keyPrefix } = operation(async () => {
      await gate;
      return 'finished';
    });
    const first = once({ key: 'slow' });
    await waitFor(async () => (await recordOf(keyPrefix, 'slow'))?.status === 'INPROGRESS');
    await expect(once({ key: 'slow' })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    release();
    expect(await first).toBe('finished');
    expect(await once({ key: 'slow' })).toBe('finished');
    expect(calls).toEqual(['slow']);
  });

  it('lets the call run again once the in-progress record has outlived its invocation (a crash)', async () => {
    const { once, calls, keyPrefix } = operation(async () => 'ran', { remainingMs: 30_000 });
    const sk = skOf(keyPrefix, 'crashed');
    // What a crashed invocation leaves behind: in progress, its deadline passed.
    await db.send(new UpdateCommand({
      TableName: platform.tableName, Key: { pk: store.idempotencyPartitionOf(sk), sk },
      UpdateExpression: 'SET #s = :s, expiresAt = :e, in_progress_expiration = :p',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': 'INPROGRESS', ':e': Math.floor(Date.now() / 1000) + 3600, ':p': Date.now() - 1 },
    }));
    expect(await once({ key: 'crashed' })).toBe('ran');
    expect(calls).toEqual(['crashed']);
  });

  it('refuses the same key with a different payload, and accepts the same one', async () => {
    const { once } = operation(async ({ body }) => ({ echoed: body as string }), { validate: true });
    expect(await once({ key: 'k', body: 'a' })).toEqual({ echoed: 'a' });
    await expect(once({ key: 'k', body: 'b' })).rejects.toBeInstanceOf(IdempotencyValidationError);
    expect(await once({ key: 'k', body: 'a' })).toEqual({ echoed: 'a' });
  });

  it('expires through the TTL attribute: a record past expiresAt no longer answers', async () => {
    let n = 0;
    const { once, keyPrefix } = operation(async () => ++n, { expiresAfterSeconds: 600 });
    const before = Math.floor(Date.now() / 1000);
    expect(await once({ key: 'ttl' })).toBe(1);
    const sk = skOf(keyPrefix, 'ttl');
    const { Item } = await db.send(new GetCommand({ TableName: platform.tableName, Key: { pk: store.idempotencyPartitionOf(sk), sk }, ConsistentRead: true }));
    expect(Item!.expiresAt).toBeGreaterThanOrEqual(before + 600);
    expect(Item!.expiresAt).toBeLessThanOrEqual(before + 602);
    // DynamoDB deletes expired items some time later; until then the condition treats them as absent.
    await db.send(new UpdateCommand({ TableName: platform.tableName, Key: { pk: store.idempotencyPartitionOf(sk), sk }, UpdateExpression: 'SET expiresAt = :e', ExpressionAttributeValues: { ':e': before - 1 } }));
    expect(await once({ key: 'ttl' })).toBe(2);
  });

  it('deletes the in-progress record when the operation fails, so a retry runs it', async () => {
    let attempt = 0;
    const { once, calls } = operation(async () => {
      if (++attempt === 1) throw new Error('transient');
      return 'second time';
    });
    await expect(once({ key: 'flaky' })).rejects.toThrow('transient');
    expect(await once({ key: 'flaky' })).toBe('second time');
    expect(calls).toEqual(['flaky', 'flaky']);
  });
});

/**
 * The sort key Powertools gives `key` under `keyPrefix`: `<prefix>#<base64 md5 of the JSON key>`
 * (its default hash), recomputed here so that the test never scans.
 */
function skOf(keyPrefix: string, key: string): string {
  return `${keyPrefix}#${createHash('md5').update(JSON.stringify(key)).digest('base64')}`;
}

async function recordOf(keyPrefix: string, key: string): Promise<Record<string, unknown> | undefined> {
  const sk = skOf(keyPrefix, key);
  return (await db.send(new GetCommand({ TableName: platform.tableName, Key: { pk: store.idempotencyPartitionOf(sk), sk }, ConsistentRead: true }))).Item;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
