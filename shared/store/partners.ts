import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../domain/errors';
import { MAX_ACTIVE_KEYS, type ApiKey, type Partner, type PartnerStatus, type PartnerSummary } from '../domain/partner';
import { PARTNER_REGISTRY_PARTITION, apiKeyKey, partnerKey, partnerKeysIndex, partnerRegistryKey } from './keys';
import { queryUpTo } from './query';
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
  /** Up to `wanted` partners in id order (ids are ULIDs: oldest first), after `afterId`. */
  list(wanted: number, afterId?: string): Promise<PartnerSummary[]>;
  addKey(key: StoredApiKey): Promise<void>;
  findKeyByHash(hash: string): Promise<StoredApiKey | undefined>;
  listKeys(partnerId: string): Promise<StoredApiKey[]>;
  revokeKey(key: StoredApiKey, at: string): Promise<void>;
}

const PARTNER_FIELDS = ['id', 'name', 'status', 'activeKeyCount', 'createdAt', 'updatedAt'] as const;
const SUMMARY_FIELDS = ['id', 'name', 'status', 'createdAt'] as const;
const KEY_FIELDS = ['id', 'partnerId', 'prefix', 'status', 'createdAt', 'revokedAt', 'hash'] as const;

function pick<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}

function registryEntry({ id, name, status, createdAt }: PartnerSummary): Record<string, unknown> {
  return { ...partnerRegistryKey(id), entity: 'PartnerRegistryEntry', id, name, status, createdAt };
}

export function dynamoPartnerRepository(db: DynamoDBDocumentClient, tableName: string): PartnerRepository {
  const getConsistent = async (partnerId: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerKey(partnerId), ConsistentRead: true }));
    return Item ? pick<Partner>(Item, PARTNER_FIELDS) : undefined;
  };

  return {
    /** The partner and its registry entry are written together, or neither is. */
    async create(partner) {
      await transactWrite(db, tableName, [
        { Put: { Item: { ...partnerKey(partner.id), entity: 'Partner', ...partner }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { Item: registryEntry(partner), ConditionExpression: 'attribute_not_exists(pk)' } },
      ]);
    },

    async get(partnerId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerKey(partnerId) }));
      return Item ? pick<Partner>(Item, PARTNER_FIELDS) : undefined;
    },

    /**
     * The status moves on the partner and its registry entry in one transaction. The entry is put
     * whole (from the partner as read), so a partner that has none gets one.
     */
    async setStatus(partnerId, status, at) {
      const current = await getConsistent(partnerId);
      if (!current) throw new NotFoundError(`Partner ${partnerId} not found`);
      await transactWrite(
        db,
        tableName,
        [
          {
            Update: {
              Key: partnerKey(partnerId),
              UpdateExpression: 'SET #status = :status, updatedAt = :at',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': status, ':at': at },
            },
          },
          { Put: { Item: registryEntry({ ...current, status }) } },
        ],
        (error) => (cancelledBecauseOf(error, 0) ? new NotFoundError(`Partner ${partnerId} not found`) : undefined),
      );
      // Read again rather than assumed: a key issued meanwhile has moved the active-key count.
      return (await getConsistent(partnerId)) ?? { ...current, status, updatedAt: at };
    },

    async list(wanted, afterId) {
      const { items } = await queryUpTo(
        db,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTNER_REGISTRY_PARTITION },
          // An operator reading right after a change sees it.
          ConsistentRead: true,
        },
        wanted,
        { start: afterId ? partnerRegistryKey(afterId) : undefined },
      );
      return items.map((i) => pick<PartnerSummary>(i, SUMMARY_FIELDS));
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
