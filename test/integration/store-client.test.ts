import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Platform } from '../../infra/local/platform';
import { startTestPlatform } from '../support/local-platform';

let platform: Platform;
let store: typeof import('../../shared/store/client');
beforeAll(async () => {
  platform = await startTestPlatform('store-client');
  // After the platform has set the environment, as a handler's cold start would.
  store = require('../../shared/store/client');
});
afterAll(() => platform?.stop());

describe('the shared DocumentClient', () => {
  const key = { pk: 'TEST#fast-get', sk: 'ITEM' };
  const item = {
    ...key,
    text: 'héllo ✓',
    count: 42,
    ratio: 0.25,
    flag: false,
    nothing: null,
    tags: ['a', 'b'],
    nested: { deep: { list: [1, { x: 'y' }] }, empty: {} },
  };

  it('reads with GetCommand exactly what the DocumentClient wrote, projections and misses included', async () => {
    const { documentClient, tableName } = store;
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...item, dropped: undefined } }));
    const read = await documentClient.send(new GetCommand({ TableName: tableName, Key: key }));
    expect(read.Item).toEqual(item);
    expect(read.$metadata.httpStatusCode).toBe(200);
    const projected = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ProjectionExpression: '#t, nested.deep', ExpressionAttributeNames: { '#t': 'text' } }));
    expect(projected.Item).toEqual({ text: item.text, nested: { deep: item.nested.deep } });
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: key }));
    expect((await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item).toBeUndefined();
  });

  it('passes DynamoDB errors through as the SDK raises them', async () => {
    const { documentClient } = store;
    await expect(documentClient.send(new GetCommand({ TableName: 'no-such-table', Key: key }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
