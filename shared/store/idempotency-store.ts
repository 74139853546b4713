import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamoClient, tableName } from './client';
import { TABLE } from './table';

/** Powertools idempotency records (API creates and queue consumers), in the main table under the static `IDEMPOTENCY` partition (see table.ts). */
export const idempotencyStore = new DynamoDBPersistenceLayer({
  tableName,
  keyAttr: TABLE.partitionKey,
  sortKeyAttr: TABLE.sortKey,
  staticPkValue: 'IDEMPOTENCY',
  expiryAttr: TABLE.ttlAttribute,
  awsSdkV3Client: dynamoClient,
});
