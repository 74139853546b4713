import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConflictError } from '../../../shared/domain/errors';
import { dynamoCustomerRepository, type CustomerRecord } from '../../../shared/store/customers';
import { dynamoPartnerRepository, type StoredApiKey } from '../../../shared/store/partners';
import { validCustomer } from '../../support/fixtures';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(db);
beforeEach(() => ddb.reset());

const customer: CustomerRecord = {
  ...validCustomer(),
  id: 'cus_01JF0000000000000000000000',
  partnerId: 'ptn_a',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};

describe('customer repository', () => {
  const repo = dynamoCustomerRepository(db, 'tbl');

  it('reads a customer only inside its partner partition', async () => {
    ddb.on(GetCommand).resolves({});
    await expect(repo.get('ptn_b', customer.id)).resolves.toBeUndefined();
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'tbl', Key: { pk: 'PARTNER#ptn_b', sk: `CUSTOMER#${customer.id}` } });
  });

  it('creates with a condition so an id is never overwritten, and strips storage keys on read', async () => {
    ddb.on(PutCommand).resolves({});
    await repo.create(customer);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ pk: 'PARTNER#ptn_a', sk: `CUSTOMER#${customer.id}`, entity: 'Customer' }),
    });
    // No index attributes: nothing queries customers through an index.
    const written = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(Object.keys(written).filter((k) => k.startsWith('gsi'))).toEqual([]);
    ddb.on(GetCommand).resolves({ Item: { pk: 'x', sk: 'y', gsi1pk: 'z', gsi1sk: 'w', entity: 'Customer', ...customer } });
    expect(await repo.get('ptn_a', customer.id)).toEqual(customer);
  });

  it('lists newest first from the partner partition and rebuilds the start key from the partner', async () => {
    ddb.on(QueryCommand).resolves({ Items: [customer], LastEvaluatedKey: { pk: 'PARTNER#ptn_a', sk: `CUSTOMER#${customer.id}` } });
    const page = await repo.list('ptn_a', 1, 'cus_01JF0000000000000000000009');
    expect(page).toEqual([customer]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'PARTNER#ptn_a', ':prefix': 'CUSTOMER#' },
      ScanIndexForward: false,
      Limit: 1,
      ExclusiveStartKey: { pk: 'PARTNER#ptn_a', sk: 'CUSTOMER#cus_01JF0000000000000000000009' },
    });
  });

  it('replaces only the expected version and reports a lost race as a conflict', async () => {
    ddb.on(PutCommand).rejects(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));
    await expect(repo.replace({ ...customer, version: 2 }, 1)).rejects.toThrow(ConflictError);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: 'attribute_exists(pk) AND version = :expected',
      ExpressionAttributeValues: { ':expected': 1 },
    });
  });
});

describe('partner repository', () => {
  const repo = dynamoPartnerRepository(db, 'tbl');
  const key: StoredApiKey = { id: 'key_1', partnerId: 'ptn_a', prefix: 'sb_test_abcdef', status: 'active', createdAt: '2026-01-01T00:00:00.000Z', hash: 'ab'.repeat(32) };

  const partner = { id: 'ptn_a', name: 'Acme', status: 'active' as const, activeKeyCount: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

  it('creates the partner and its registry entry in one transaction, neither overwriting', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await repo.create(partner);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => [i.Put?.Item?.pk, i.Put?.Item?.sk, i.Put?.ConditionExpression])).toEqual([
      ['PARTNER#ptn_a', 'PARTNER', 'attribute_not_exists(pk)'],
      ['PARTNERS', 'PARTNER#ptn_a', 'attribute_not_exists(pk)'],
    ]);
    expect(items[1]!.Put!.Item).toEqual({ pk: 'PARTNERS', sk: 'PARTNER#ptn_a', entity: 'PartnerRegistryEntry', id: 'ptn_a', name: 'Acme', status: 'active', createdAt: partner.createdAt });
  });

  it('moves the status on the partner and its registry entry in one transaction', async () => {
    ddb.on(GetCommand).resolvesOnce({ Item: { ...partner } }).resolves({ Item: { ...partner, status: 'suspended', updatedAt: '2026-01-02T00:00:00.000Z' } });
    ddb.on(TransactWriteCommand).resolves({});
    expect(await repo.setStatus('ptn_a', 'suspended', '2026-01-02T00:00:00.000Z')).toMatchObject({ status: 'suspended', updatedAt: '2026-01-02T00:00:00.000Z' });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Update).toMatchObject({ Key: { pk: 'PARTNER#ptn_a', sk: 'PARTNER' }, ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':status': 'suspended', ':at': '2026-01-02T00:00:00.000Z' } });
    expect(items[1]!.Put!.Item).toMatchObject({ pk: 'PARTNERS', sk: 'PARTNER#ptn_a', status: 'suspended', name: 'Acme' });
  });

  it('lists the registry partition with one Query, after the cursor, reading no more than wanted', async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'PARTNERS', sk: 'PARTNER#ptn_b', entity: 'PartnerRegistryEntry', id: 'ptn_b', name: 'B', status: 'suspended', createdAt: partner.createdAt }] });
    expect(await repo.list(3, 'ptn_a')).toEqual([{ id: 'ptn_b', name: 'B', status: 'suspended', createdAt: partner.createdAt }]);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'PARTNERS' },
      Limit: 3,
      ExclusiveStartKey: { pk: 'PARTNERS', sk: 'PARTNER#ptn_a' },
    });
  });

  it('adds a key and bumps the active-key counter in one transaction bounded by the limit', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await repo.addKey(key);
    const input = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    expect(input.TransactItems![0]!.Update).toMatchObject({
      Key: { pk: 'PARTNER#ptn_a', sk: 'PARTNER' },
      ConditionExpression: 'attribute_exists(pk) AND activeKeyCount < :max',
      ExpressionAttributeValues: expect.objectContaining({ ':max': 2 }),
    });
    expect(input.TransactItems![1]!.Put).toMatchObject({
      Item: expect.objectContaining({ pk: `APIKEY#${key.hash}`, gsi1pk: 'PARTNER#ptn_a#KEYS' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('turns a failed limit condition into a conflict', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }),
    );
    await expect(repo.addKey(key)).rejects.toThrow(ConflictError);
  });

  it('finds a key by the hash of the presented secret with one GetItem', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: `APIKEY#${key.hash}`, sk: 'APIKEY', entity: 'ApiKey', ...key } });
    expect(await repo.findKeyByHash(key.hash)).toEqual(key);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: `APIKEY#${key.hash}`, sk: 'APIKEY' } });
  });

  it('revokes only an active key of the same partner, decrementing the counter atomically', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await repo.revokeKey(key, '2026-01-02T00:00:00.000Z');
    const input = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input;
    expect(input.TransactItems![0]!.Update).toMatchObject({
      ConditionExpression: '#status = :active AND partnerId = :partnerId',
      ExpressionAttributeValues: expect.objectContaining({ ':partnerId': 'ptn_a' }),
    });
    expect(input.TransactItems![1]!.Update).toMatchObject({ ConditionExpression: 'activeKeyCount > :zero' });
  });
});
