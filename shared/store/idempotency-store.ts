import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyItemAlreadyExistsError } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { dynamoClient, tableName } from './client';
import { TABLE } from './table';

export const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';
/** 4 hex digits: 65,536 partition key values, so no realistic rate puts one partition near its limit. */
export const IDEMPOTENCY_SHARD_HEX_DIGITS = 4;

/**
 * The partition of an idempotency record: `IDEMPOTENCY#` and the first hex digits of the SHA-256
 * of its key (`<function>#<hash>`). Records are only ever read by their full key, so the shard is
 * recomputed from the key and nothing needs to enumerate a shard.
 */
export function idempotencyPartitionOf(idempotencyKey: string): string {
  return IDEMPOTENCY_PREFIX + createHash('sha256').update(idempotencyKey).digest('hex').slice(0, IDEMPOTENCY_SHARD_HEX_DIGITS);
}

export interface ShardedIdempotencyStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}

/**
 * Powertools' DynamoDB persistence layer with the records spread over many partitions instead of
 * one static partition key: pk `IDEMPOTENCY#<shard>`, sk the idempotency key. Everything else is
 * Powertools' own: the conditional put of the in-progress record (absent, expired, or in progress
 * past the invocation's deadline), the completed record with its result, payload validation, and
 * expiry through the table's TTL attribute.
 *
 * The records Powertools reads back (a GetItem, or the item returned with a failed condition)
 * name the key they were stored under, not the partition, so its in-memory cache (if enabled) and
 * its error messages see the same key it wrote.
 */
export class ShardedIdempotencyStore extends DynamoDBPersistenceLayer {
  constructor({ tableName: table, client }: ShardedIdempotencyStoreOptions) {
    super({ tableName: table, keyAttr: TABLE.partitionKey, sortKeyAttr: TABLE.sortKey, expiryAttr: TABLE.ttlAttribute, awsSdkV3Client: client });
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return { [TABLE.partitionKey]: { S: idempotencyPartitionOf(idempotencyKey) }, [TABLE.sortKey]: { S: idempotencyKey } };
  }

  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    return rekeyed(await super._getRecord(idempotencyKey), idempotencyKey);
  }

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    try {
      await super._putRecord(record);
    } catch (error) {
      if (error instanceof IdempotencyItemAlreadyExistsError && error.existingRecord) rekeyed(error.existingRecord, record.idempotencyKey);
      throw error;
    }
  }
}

/** The stored record under its idempotency key (Powertools reads the key from the partition key attribute). */
function rekeyed(stored: IdempotencyRecord, idempotencyKey: string): IdempotencyRecord {
  stored.idempotencyKey = idempotencyKey;
  stored.sortKey = undefined;
  return stored;
}

/**
 * A persistence layer on the main table (see table.ts for the key). Each idempotent operation
 * needs its own instance: Powertools binds a layer to the first configuration it is used with,
 * and the local platform runs every function in one process.
 */
export function createIdempotencyStore(): ShardedIdempotencyStore {
  return new ShardedIdempotencyStore({ tableName, client: dynamoClient });
}
