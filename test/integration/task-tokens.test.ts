import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { dynamoTaskTokenRepository } from '../../shared/store/task-tokens';
import { ENDPOINT_VARIABLE } from './global-setup';

/** The wait/event handshake of the onboarding workflow, on DynamoDB Local. */
describe('task tokens', () => {
  const at = new Date('2026-12-01T00:00:00Z');
  const meta = { executionName: 'cus_1-a1', step: 'brand' };
  let tokens: ReturnType<typeof dynamoTaskTokenRepository>;
  let key = 0;
  const waitingFor = () => `brand-registration:BN${++key}`;

  beforeAll(async () => {
    const endpoint = process.env[ENDPOINT_VARIABLE]!;
    const tableName = `it-tokens-${randomUUID().slice(0, 8)}`;
    await ensureTable(endpoint, tableName);
    tokens = dynamoTaskTokenRepository(DynamoDBDocumentClient.from(localDynamoClient(endpoint)), tableName);
  });

  it('hands a parked token to the event, once', async () => {
    const w = waitingFor();
    await expect(tokens.park(w, 'T1', meta, at)).resolves.toEqual({ eventArrived: false });
    await expect(tokens.take(w, at)).resolves.toBe('T1');
    await expect(tokens.take(w, at)).resolves.toBeUndefined();
    // The wait lost the race to the event: nothing left to unpark.
    await expect(tokens.unpark(w, 'T1')).resolves.toBe(false);
  });

  it('tells the next wait about an event that found nothing parked', async () => {
    const w = waitingFor();
    await expect(tokens.take(w, at)).resolves.toBeUndefined();
    await expect(tokens.park(w, 'T1', meta, at)).resolves.toEqual({ eventArrived: true });
    // Consumed by that park: the wait after it waits for a new event.
    await expect(tokens.park(w, 'T2', meta, at)).resolves.toEqual({ eventArrived: false });
  });

  it('does not resume the next wait for an event that already resumed the previous one', async () => {
    const w = waitingFor();
    await tokens.park(w, 'T1', meta, at);
    await expect(tokens.take(w, at)).resolves.toBe('T1');
    // The check after it found the step still under review and waits again.
    await expect(tokens.park(w, 'T2', meta, at)).resolves.toEqual({ eventArrived: false });
    await expect(tokens.take(w, at)).resolves.toBe('T2');
  });

  it('keeps the parked token for its own unpark when no event came', async () => {
    const w = waitingFor();
    await tokens.park(w, 'T1', meta, at);
    await expect(tokens.unpark(w, 'T1')).resolves.toBe(true);
    await expect(tokens.take(w, at)).resolves.toBeUndefined();
  });
});
