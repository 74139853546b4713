import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Platform } from '../../infra/local/platform';
import type { DeliveryAttempt, WebhookEndpointStore } from '../../shared/partner-webhooks/contract';
import { webhookDeliveriesPartition, webhookDeliveryKey } from '../../shared/store/keys';
import { startTestPlatform } from '../support/local-platform';

/**
 * An endpoint's delivery log against DynamoDB Local: attempts recorded together share rows (one
 * per endpoint, 25 attempts at most), and pages walk them newest first with a cursor that can stop
 * inside a row — every attempt once, none skipped, no empty last page.
 */
let platform: Platform;
let client: typeof import('../../shared/store/client');
let store: WebhookEndpointStore;
beforeAll(async () => {
  platform = await startTestPlatform('webhook-delivery-log');
  // After the platform has set the environment, as a handler's cold start would.
  client = require('../../shared/store/client');
  const { dynamoWebhookEndpointStore } = require('../../shared/store/webhook-endpoints') as typeof import('../../shared/store/webhook-endpoints');
  store = dynamoWebhookEndpointStore(client.documentClient, client.tableName);
});
afterAll(() => platform?.stop());

const P = 'ptn_log';
let endpointSeq = 0;
const newEndpoint = () => `we_LOG${String(++endpointSeq).padStart(20, '0')}`;

/** Attempt `n` at second `n` of the day: a larger n is newer. */
const attempt = (endpointId: string, n: number, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
  partnerId: P,
  endpointId,
  eventId: `evt_03_${n}`,
  eventType: 'message.received',
  attempt: 1,
  origin: 'event',
  attemptedAt: new Date(Date.UTC(2026, 2, 1, 0, 0, n)).toISOString(),
  outcome: 'succeeded',
  responseStatus: 200,
  durationMs: 4,
  ...overrides,
});

async function rowsOf(endpointId: string) {
  const { Items = [] } = await client.documentClient.send(
    new QueryCommand({ TableName: client.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': webhookDeliveriesPartition(P, endpointId) } }),
  );
  return Items;
}

async function walk(endpointId: string, limit: number) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.attempts(P, endpointId, cursor, limit);
    pages.push(page.data.map((a) => a.eventId));
    cursor = page.next ?? undefined;
  } while (cursor && pages.length < 100);
  return pages;
}

describe('the delivery log over DynamoDB Local', () => {
  it('keeps the attempts recorded together in one row per endpoint, at most 25 a row, with the TTL of the newest', async () => {
    const [a, b] = [newEndpoint(), newEndpoint()];
    await store.recordAttempts([...Array.from({ length: 30 }, (_, i) => attempt(a, i + 1)), attempt(b, 7, { outcome: 'failed', responseStatus: 503, error: 'HTTP 503', nextAttemptAt: '2026-03-01T00:00:12.000Z' })]);

    const rows = await rowsOf(a);
    expect(rows.map((r) => (r.attempts as unknown[]).length).sort()).toEqual([25, 5]);
    const newest = rows.find((r) => (r.attempts as unknown[]).length === 25)!;
    expect(newest.sk).toBe(webhookDeliveryKey(P, a, attempt(a, 30).attemptedAt, 'evt_03_30', 1).sk);
    expect(newest.expiresAt).toBe(Math.floor(Date.UTC(2026, 2, 1, 0, 0, 30) / 1000) + 30 * 24 * 60 * 60);
    expect(newest.attempts[0]).not.toHaveProperty('partnerId');
    expect((await store.attempts(P, b, undefined, 10)).data).toEqual([attempt(b, 7, { outcome: 'failed', responseStatus: 503, error: 'HTTP 503', nextAttemptAt: '2026-03-01T00:00:12.000Z' })]);
  });

  it('pages newest first across rows and inside them: every attempt once, and no empty last page', async () => {
    const endpointId = newEndpoint();
    // Three flushes: rows of 3, 1 and 4 attempts.
    await store.recordAttempts([1, 2, 3].map((n) => attempt(endpointId, n)));
    await store.recordAttempts([attempt(endpointId, 4)]);
    await store.recordAttempts([5, 6, 7, 8].map((n) => attempt(endpointId, n)));
    const newestFirst = [8, 7, 6, 5, 4, 3, 2, 1].map((n) => `evt_03_${n}`);

    for (const limit of [1, 2, 3, 4, 5, 8]) {
      const pages = await walk(endpointId, limit);
      expect(pages.flat()).toEqual(newestFirst);
      expect(pages.every((page) => page.length > 0)).toBe(true);
      expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    }
    expect(await walk(endpointId, 100)).toEqual([newestFirst]);
  });

  it('reads a row written before rows held many attempts as a row of one', async () => {
    const endpointId = newEndpoint();
    const legacy = attempt(endpointId, 1);
    await client.documentClient.send(
      new PutCommand({ TableName: client.tableName, Item: { ...webhookDeliveryKey(P, endpointId, legacy.attemptedAt, legacy.eventId, 1), entity: 'WebhookDelivery', ...legacy, expiresAt: 1 } }),
    );
    await store.recordAttempts([attempt(endpointId, 2), attempt(endpointId, 3)]);
    expect((await walk(endpointId, 2)).flat()).toEqual(['evt_03_3', 'evt_03_2', 'evt_03_1']);
    expect((await store.attempts(P, endpointId, undefined, 5)).data[2]).toEqual(legacy);
  });

  it('refuses a position it did not make', async () => {
    const endpointId = newEndpoint();
    const forged = '2026-03-01T00:00:01.000Z#evt_03_1#01~0';
    await expect(store.attempts(P, endpointId, forged, 5)).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(store.attempts(P, endpointId, 'bogus', 5)).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
