import { FAST_START_JVM_OPTIONS, startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb';

/** The environment variable through which test files find the run's DynamoDB Local. */
export const ENDPOINT_VARIABLE = 'INTEGRATION_DYNAMODB_ENDPOINT';

/**
 * One DynamoDB Local (in memory) for the whole integration run: starting the JVM takes seconds,
 * a table per test file takes milliseconds. Workers are forked after this runs, so they inherit
 * the endpoint variable. An endpoint already set (e.g. a DynamoDB Local kept running) is reused.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env[ENDPOINT_VARIABLE]) return;
  const dynamo = await startDynamoDbLocal({ inMemory: true, jvmOptions: FAST_START_JVM_OPTIONS });
  (globalThis as { integrationDynamo?: DynamoDbLocal }).integrationDynamo = dynamo;
  process.env[ENDPOINT_VARIABLE] = dynamo.endpoint;
}
