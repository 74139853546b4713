import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { partnerEventService } from '../../shared/services/partner-events';
import { dynamoPartnerEventRepository } from '../../shared/store/partner-events';
import { ENDPOINT_VARIABLE } from './global-setup';
import { apiClient, startTestPlatform } from '../support/local-platform';
import { fixedClock } from '../support/fakes';

const endpoint = () => process.env[ENDPOINT_VARIABLE]!;

async function service() {
  const table = `it-events-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint(), table);
  const db = DynamoDBDocumentClient.from(localDynamoClient(endpoint()));
  return partnerEventService({ events: dynamoPartnerEventRepository(db, table), clock: fixedClock(), sleep: async () => undefined });
}

describe('partner event log on DynamoDB Local', () => {
  it('numbers concurrent appends 1..N without gaps or duplicates, in commit order', async () => {
    const log = await service();
    const appended = await Promise.all(Array.from({ length: 10 }, (_, i) => log.append('ptn_a', { type: 'test.event', data: { i } })));
    expect(appended.map((e) => Number(e.id)).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const page = await log.list('ptn_a', undefined, 100);
    expect(page.data.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
    // Each stored event is the one its append returned.
    for (const event of appended) expect(page.data[Number(event.id) - 1]).toEqual(event);
  });

  it('pages with the cursor and keeps partners apart', async () => {
    const log = await service();
    for (let i = 0; i < 5; i++) await log.append('ptn_a', { type: 'a', customerId: 'cus_1', data: { i } });
    await log.append('ptn_b', { type: 'b', data: {} });
    const first = await log.list('ptn_a', undefined, 2);
    expect(first.data.map((e) => e.data.i)).toEqual([0, 1]);
    const second = await log.list('ptn_a', first.next!, 10);
    expect(second.data.map((e) => e.data.i)).toEqual([2, 3, 4]);
    expect(second.data.every((e) => e.type === 'a' && e.customerId === 'cus_1')).toBe(true);
    const caughtUp = await log.list('ptn_a', second.next!, 10);
    expect(caughtUp).toEqual({ data: [], next: second.next });
    expect((await log.list('ptn_b', undefined, 10)).data).toHaveLength(1);
  });
});

describe('GET /v1/events', () => {
  it("serves only the caller's events and validates the cursor", async () => {
    const platform = await startTestPlatform('events');
    try {
      const a = await platform.admin.createPartnerWithKey('A');
      const b = await platform.admin.createPartnerWithKey('B');
      const db = DynamoDBDocumentClient.from(localDynamoClient(platform.dynamoDbEndpoint));
      const log = partnerEventService({ events: dynamoPartnerEventRepository(db, platform.tableName), clock: fixedClock() });
      await log.append(a.partnerId, { type: 'brand.updated', customerId: 'cus_x', data: { status: 'APPROVED' } });
      await log.append(b.partnerId, { type: 'brand.updated', data: { status: 'FAILED' } });

      const reply = await apiClient(platform.url, a.apiKey).get('/v1/events');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        data: [{ id: '1', type: 'brand.updated', customerId: 'cus_x', occurredAt: expect.any(String), data: { status: 'APPROVED' } }],
        next: '1',
      });
      expect((await apiClient(platform.url, a.apiKey).get('/v1/events?after=1')).body).toEqual({ data: [], next: '1' });
      for (const bad of ['after=abc', 'after=-1', 'limit=0', 'limit=101', 'cursor=1']) {
        const refused = await apiClient(platform.url, a.apiKey).get(`/v1/events?${bad}`);
        expect(refused.status).toBe(400);
      }
    } finally {
      await platform.stop();
    }
  });
});
