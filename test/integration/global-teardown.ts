import type { DynamoDbLocal } from '../../infra/local/dynamodb';
import { ENDPOINT_VARIABLE } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { integrationDynamo?: DynamoDbLocal };
  if (!state.integrationDynamo) return;
  await state.integrationDynamo.stop();
  delete state.integrationDynamo;
  delete process.env[ENDPOINT_VARIABLE];
}
