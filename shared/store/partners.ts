import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../domain/errors';
import { MAX_ACTIVE_KEYS, type ApiKey, type Partner, type PartnerStatus } from '../domain/partner';
import { apiKeyKey, partnerKey, partnerKeysIndex } from './keys';
import { TABLE } from './table';
import { cancelledBecauseOf, transactWrite } from './transact';

export interface StoredApiKey extends ApiKey {
  hash: string;
}

/** Partners and their API keys: one aggregate, because the active-key limit spans both. */
export interface PartnerRepository {
  create(partner: Partner): Promise<void>;
  get(partnerId: string): Promise<Partner | undefined>;
  setStatus(partnerId: string, status: PartnerStatus, at: string): Promise<Partner>;
  addKey(key: StoredApiKey): Promise<void>;
  findKeyByHash(hash: string): Promise<StoredApiKey | undefined>;
  listKeys(partnerId: string): Promise<StoredApiKey[]>;
  revokeKey(key: StoredApiKey, at: string): Promise<void>;
}

const PARTNER_FIELDS = ['id', 'name', 'status', 'activeKeyCount', 'createdAt', 'updatedAt'] as const;
const KEY_FIELDS = ['id', 'partnerId', 'prefix', 'status', 'createdAt', 'revokedAt', 'hash'] as const;

function pick<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}

export function dynamoPartnerRepository(db: DynamoDBDocumentClient, tableName: string): PartnerRepository {
  return {
    async create(partner) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...partnerKey(partner.id), entity: 'Partner', ...partner },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(partnerId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerKey(partnerId) }));
      return Item ? pick<Partner>(Item, PARTNER_FIELDS) : undefined;
    },

    async setStatus(partnerId, status, at) {
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: partnerKey(partnerId),
            UpdateExpression: 'SET #status = :status, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status, ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return pick<Partner>(Attributes!, PARTNER_FIELDS);
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') throw new NotFoundError(`Partner ${partnerId} not found`);
        throw error;
      }
    },

    /** The key and the partner's active-key counter change together, or not at all. */
    async addKey(key) {
      await transactWrite(
        db,
        tableName,
        [
          {
            Update: {
              Key: partnerKey(key.partnerId),
              UpdateExpression: 'SET activeKeyCount = activeKeyCount + :one, updatedAt = :at',
              ConditionExpression: 'attribute_exists(pk) AND activeKeyCount < :max',
              ExpressionAttributeValues: { ':one': 1, ':max': MAX_ACTIVE_KEYS, ':at': key.createdAt },
            },
          },
          {
            Put: {
              Item: {
                ...apiKeyKey(key.hash),
                [TABLE.globalIndexes[0].partitionKey]: partnerKeysIndex(key.partnerId),
                [TABLE.globalIndexes[0].sortKey]: `${key.createdAt}#${key.id}`,
                entity: 'ApiKey',
                ...key,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        (error) =>
          cancelledBecauseOf(error, 0)
            ? new ConflictError(`Partner ${key.partnerId} is missing or already has ${MAX_ACTIVE_KEYS} active keys; revoke one first`)
            : undefined,
      );
    },

    async findKeyByHash(hash) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: apiKeyKey(hash) }));
      return Item ? pick<StoredApiKey>(Item, KEY_FIELDS) : undefined;
    },

    async listKeys(partnerId) {
      const items: StoredApiKey[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: TABLE.globalIndexes[0].indexName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': TABLE.globalIndexes[0].partitionKey },
            ExpressionAttributeValues: { ':pk': partnerKeysIndex(partnerId) },
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []).map((i) => pick<StoredApiKey>(i, KEY_FIELDS)));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },

    async revokeKey(key, at) {
      await transactWrite(
        db,
        tableName,
        [
          {
            Update: {
              Key: apiKeyKey(key.hash),
              UpdateExpression: 'SET #status = :revoked, revokedAt = :at',
              ConditionExpression: '#status = :active AND partnerId = :partnerId',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active', ':at': at, ':partnerId': key.partnerId },
            },
          },
          {
            Update: {
              Key: partnerKey(key.partnerId),
              UpdateExpression: 'SET activeKeyCount = activeKeyCount - :one, updatedAt = :at',
              ConditionExpression: 'activeKeyCount > :zero',
              ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':at': at },
            },
          },
        ],
        (error) => (cancelledBecauseOf(error, 0) ? new ConflictError(`API key ${key.id} is already revoked`) : undefined),
      );
    },
  };
}
