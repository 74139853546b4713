import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConflictError } from '../../../shared/domain/errors';
import { dynamoSubaccountRepository } from '../../../shared/store/subaccounts';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(db);
beforeEach(() => ddb.reset());

const SID = `AC${'1'.repeat(32)}`;
const KEY = { pk: `ACCOUNT#${SID}`, sk: 'ACCOUNT' };
const repo = dynamoSubaccountRepository(db, 'tbl');

describe('subaccount repository: token rotation writes', () => {
  it('starts only from the token read, on an active account with no rotation and the previous window closed', async () => {
    ddb.on(UpdateCommand).resolves({});
    const rotation = { id: 'rot_1', stage: 'started' as const, startedAt: '2026-01-01T00:00:00.000Z', leaseUntil: '2026-01-01T00:02:00.000Z' };
    await repo.startTokenRotation(SID, 'cipher-old', rotation, '2026-01-01T00:00:00.000Z');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'tbl',
      Key: KEY,
      UpdateExpression: 'SET tokenRotation = :rotation',
      ConditionExpression:
        'encryptedAuthToken = :current AND #status = :active AND attribute_not_exists(tokenRotation) AND (attribute_not_exists(previousTokenValidUntil) OR previousTokenValidUntil <= :now)',
      ExpressionAttributeValues: { ':rotation': rotation, ':current': 'cipher-old', ':active': 'active', ':now': '2026-01-01T00:00:00.000Z' },
    });
  });

  it('switches only from created, for the run and tokens read, dropping any old deadline', async () => {
    ddb.on(UpdateCommand).resolves({});
    await repo.switchToken(SID, 'rot_1', 'cipher-old', 'cipher-new', '2026-01-01T00:04:00.000Z', '2026-01-01T00:02:00.000Z');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: expect.stringMatching(/^SET encryptedAuthToken = :next, previousEncryptedAuthToken = :current, .* REMOVE previousTokenValidUntil, tokenRotation.nextEncryptedAuthToken$/),
      ConditionExpression: 'tokenRotation.id = :id AND tokenRotation.stage = :created AND encryptedAuthToken = :current AND tokenRotation.nextEncryptedAuthToken = :next',
      ExpressionAttributeValues: expect.objectContaining({ ':id': 'rot_1', ':created': 'created', ':current': 'cipher-old', ':next': 'cipher-new' }),
    });
  });

  it('finishes only from switched, recording the deadline; a takeover only after the lease', async () => {
    ddb.on(UpdateCommand).resolves({});
    await repo.finishTokenRotation(SID, 'rot_1', '2026-01-01T01:00:00.000Z', '2026-01-01T00:00:00.000Z');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'SET previousTokenValidUntil = :until, updatedAt = :at REMOVE tokenRotation',
      ConditionExpression: 'tokenRotation.id = :id AND tokenRotation.stage = :switched',
    });
    await repo.takeOverTokenRotation(SID, { id: 'rot_1', stage: 'switched' }, 'rot_2', '2026-01-01T00:06:00.000Z', '2026-01-01T00:04:00.000Z');
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: 'tokenRotation.id = :from AND tokenRotation.stage = :stage AND tokenRotation.leaseUntil <= :now',
      ExpressionAttributeValues: { ':id': 'rot_2', ':lease': '2026-01-01T00:06:00.000Z', ':from': 'rot_1', ':stage': 'switched', ':now': '2026-01-01T00:04:00.000Z' },
    });
  });

  it('a failed condition is a conflict that names the account, never a 500', async () => {
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));
    await expect(repo.storeNextToken(SID, 'rot_1', 'cipher-new', '2026-01-01T00:02:00.000Z')).rejects.toThrow(ConflictError);
    await expect(repo.abandonTokenRotation(SID, 'rot_1', 'switched', '2026-01-01T00:02:00.000Z')).rejects.toThrow(new RegExp(SID));
  });

  it('reads the rotation fields back, and leaves absent ones absent', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...KEY, accountSid: SID, encryptedAuthToken: 'c', previousEncryptedAuthToken: 'p', tokenRotation: { id: 'rot_1', stage: 'switched' } } });
    const record = await repo.get(SID);
    expect(record).toMatchObject({ previousEncryptedAuthToken: 'p', tokenRotation: { id: 'rot_1', stage: 'switched' } });
    expect(record).not.toHaveProperty('previousTokenValidUntil');
    expect(record).not.toHaveProperty('pk');
  });
});
