import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamoClient, tableName } from '../store/client';
import { TABLE } from '../store/table';

/** Idempotency records of the consumers, in the main table under the static `IDEMPOTENCY` partition (see table.ts). */
export const consumerIdempotencyStore = new DynamoDBPersistenceLayer({
  tableName,
  keyAttr: TABLE.partitionKey,
  sortKeyAttr: TABLE.sortKey,
  staticPkValue: 'IDEMPOTENCY',
  expiryAttr: TABLE.ttlAttribute,
  awsSdkV3Client: dynamoClient,
});
