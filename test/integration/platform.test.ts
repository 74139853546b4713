import { DescribeTableCommand, DescribeTimeToLiveCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { QUEUES } from '../../infra/catalog';
import { readFileSync } from 'node:fs';
import { dynamoDbLocalEnvironment, FAST_START_JVM_OPTIONS, localDynamoClient, startDynamoDbLocal } from '../../infra/local/dynamodb';
import type { Platform } from '../../infra/local/platform';
import { LOCAL_QUEUE_TRANSPORT } from '../../infra/local/queues';
import { TABLE } from '../../shared/store/table';
import { startTestPlatform } from '../support/local-platform';

/** The composition: the environment handed to handlers, the table, the queue seam, a clean stop. */
let platform: Platform;
const before = { TABLE_NAME: process.env.TABLE_NAME };

beforeAll(async () => {
  platform = await startTestPlatform('platform');
});
afterAll(() => platform?.stop());

describe('local platform', () => {
  it('gives the handlers a local environment', () => {
    expect(platform.env).toMatchObject({
      TABLE_NAME: platform.tableName,
      DYNAMODB_ENDPOINT: platform.dynamoDbEndpoint,
      API_KEY_PREFIX: 'sb_test_',
      KEY_SERVICE: 'local',
      WEBHOOK_BASE_URL: `${platform.url}/webhooks`,
    });
    expect(Buffer.from(platform.env.LOCAL_MASTER_KEY!, 'base64')).toHaveLength(32);
    expect(JSON.parse(platform.env.QUEUE_URLS!)).toEqual(Object.fromEntries(Object.keys(QUEUES).map((name) => [name, `local://${name}`])));
    expect(process.env.TABLE_NAME).toBe(platform.tableName);
  });

  it('issues test-prefixed keys and serves public routes without one', async () => {
    const { apiKey } = await platform.admin.createPartnerWithKey('Platform');
    expect(apiKey).toMatch(/^sb_test_/);
    const openapi = await fetch(`${platform.url}/openapi.json`);
    expect(openapi.status).toBe(200);
  });

  it('creates the table from the shared definition: keys, GSI and TTL', async () => {
    const client = localDynamoClient(platform.dynamoDbEndpoint);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: platform.tableName }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(TABLE.globalIndexes.map((i) => i.indexName).sort());
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: platform.tableName }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: TABLE.ttlAttribute, TimeToLiveStatus: 'ENABLED' });
    } finally {
      client.destroy();
    }
  });

  it('publishes its queues for the queue port while it runs', async () => {
    const transport = (globalThis as Record<symbol, unknown>)[LOCAL_QUEUE_TRANSPORT];
    expect(transport).toBe(platform.queues);
    const [name] = Object.keys(QUEUES);
    await platform.queues.send(`local://${name}`, JSON.stringify({ probe: true }));
    expect(platform.queues.messages(name!)).toEqual([expect.objectContaining({ body: '{"probe":true}' })]);
  });

  it('stops: the port closes, the queue seam and the environment are withdrawn', async () => {
    await platform.stop();
    await expect(fetch(`${platform.url}/openapi.json`)).rejects.toThrow();
    expect((globalThis as Record<symbol, unknown>)[LOCAL_QUEUE_TRANSPORT]).toBeUndefined();
    expect(process.env.TABLE_NAME).toBe(before.TABLE_NAME);
  });
});

describe('DynamoDB Local', () => {
  it('runs without telemetry and with the JVM flags, leaving this process environment as it was', async () => {
    const before = { telemetry: process.env.DDB_LOCAL_TELEMETRY, tool: process.env.JAVA_TOOL_OPTIONS };
    const dynamo = await startDynamoDbLocal({ inMemory: true, jvmOptions: FAST_START_JVM_OPTIONS });
    try {
      const environ = readFileSync(`/proc/${dynamo.pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('DDB_LOCAL_TELEMETRY=0');
      expect(environ.find((v) => v.startsWith('JAVA_TOOL_OPTIONS='))).toContain(FAST_START_JVM_OPTIONS);
      expect(await localDynamoClient(dynamo.endpoint).send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
    } finally {
      await dynamo.stop();
    }
    expect({ telemetry: process.env.DDB_LOCAL_TELEMETRY, tool: process.env.JAVA_TOOL_OPTIONS }).toEqual(before);
  });

  it('keeps a telemetry choice and JVM options the operator already set', () => {
    expect(dynamoDbLocalEnvironment('-Xmx1g', { DDB_LOCAL_TELEMETRY: '1', JAVA_TOOL_OPTIONS: '-Dfile.encoding=UTF-8' })).toEqual({
      DDB_LOCAL_TELEMETRY: '1',
      JAVA_TOOL_OPTIONS: '-Dfile.encoding=UTF-8 -Xmx1g',
    });
    expect(dynamoDbLocalEnvironment(undefined, {})).toEqual({ DDB_LOCAL_TELEMETRY: '0' });
  });
});
