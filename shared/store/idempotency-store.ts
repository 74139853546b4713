import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamoClient, tableName } from './client';
import { TABLE } from './table';

/**
 * A Powertools idempotency persistence layer on the main table, under the static `IDEMPOTENCY`
 * partition (see table.ts). Each idempotent operation needs its own instance: Powertools binds
 * a layer to the first configuration it is used with, and the local platform runs every
 * function in one process.
 */
export function createIdempotencyStore(): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: TABLE.partitionKey,
    sortKeyAttr: TABLE.sortKey,
    staticPkValue: 'IDEMPOTENCY',
    expiryAttr: TABLE.ttlAttribute,
    awsSdkV3Client: dynamoClient,
  });
}
