import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { partnerEventService } from '../../shared/services/partner-events';
import type { PartnerEvent, PartnerEventInput } from '../../shared/services/partner-events-contract';
import { PARTNER_EVENT_SHARDS, partnerEventCounterKey } from '../../shared/store/keys';
import { dynamoPartnerEventRepository } from '../../shared/store/partner-events';
import { ENDPOINT_VARIABLE } from './global-setup';
import { apiClient, startTestPlatform } from '../support/local-platform';
import { fixedClock } from '../support/fakes';

const endpoint = () => process.env[ENDPOINT_VARIABLE]!;

async function setup() {
  const table = `it-events-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint(), table);
  const db = DynamoDBDocumentClient.from(localDynamoClient(endpoint()));
  const retries: string[] = [];
  const service = () => partnerEventService({ events: dynamoPartnerEventRepository(db, table), clock: fixedClock(), onRetry: (r) => retries.push(r) });
  return { db, table, log: service(), service, retries };
}

const status = (messageId: string, i: number, customerId = 'cus_1'): PartnerEventInput => ({
  type: 'message.status.updated',
  customerId,
  data: { messageId, sid: `SM${messageId}`, status: `step-${i}`, occurredAt: '2026-01-01T00:00:00.000Z' },
});
const stepOf = (e: PartnerEvent) => Number((e.data as { status: string }).status.slice('step-'.length));
const subjectOf = (e: PartnerEvent) => (e.data as { messageId: string }).messageId;

async function readToEnd(log: ReturnType<typeof partnerEventService>, partnerId: string, after: string | undefined, limit: number, into: PartnerEvent[]) {
  let cursor = after;
  for (;;) {
    const page = await log.list(partnerId, cursor, limit);
    into.push(...page.data);
    if (page.nextCursor === null) return page.pollCursor;
    // A further page is never empty: nextCursor is set only while there is more to read.
    expect(page.data.length).toBeGreaterThan(0);
    cursor = page.nextCursor;
  }
}

describe('partner event log on DynamoDB Local', () => {
  it('writers appending concurrently to one partner while a reader pages: every event exactly once, each subject in order', async () => {
    const { log, service, retries } = await setup();
    const WRITERS = 8;
    const PER_WRITER = 30;
    const appended: PartnerEvent[] = [];
    let running = WRITERS;
    // Three processes (each with its own hints and batches, as separate Lambdas), writers spread over them.
    const processes = [service(), service(), service()];
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const mine = processes[w % processes.length]!;
      for (let i = 0; i < PER_WRITER; i++) {
        // Four subjects per writer, so subjects share shards and writers contend on them.
        appended.push(await mine.append('ptn_a', status(`msg_${w}_${i % 4}`, Math.floor(i / 4) + 1)));
      }
      running--;
    });
    const seen: PartnerEvent[] = [];
    let cursor: string | undefined;
    const reader = (async () => {
      while (running > 0) {
        const page = await log.list('ptn_a', cursor, 7);
        seen.push(...page.data);
        cursor = page.pollCursor;
      }
    })();
    await Promise.all([...writers, reader]);
    await readToEnd(log, 'ptn_a', cursor, 7, seen);

    expect(seen).toHaveLength(WRITERS * PER_WRITER);
    expect(new Set(seen.map((e) => e.id)).size).toBe(WRITERS * PER_WRITER);
    // What the reader got is exactly what the appends returned.
    expect(new Map(seen.map((e) => [e.id, e]))).toEqual(new Map(appended.map((e) => [e.id, e])));
    const bySubject = new Map<string, number[]>();
    for (const e of seen) bySubject.set(subjectOf(e), [...(bySubject.get(subjectOf(e)) ?? []), stepOf(e)]);
    expect(bySubject.size).toBe(WRITERS * 4);
    for (const steps of bySubject.values()) expect(steps).toEqual(steps.map((_, i) => i + 1));
    // The writers did contend (shared shards) and resolved it themselves.
    expect(retries.length).toBeGreaterThan(0);
  });

  it('spreads subjects over the shards, and pages with the cursor keep partners apart', async () => {
    const { db, table, log } = await setup();
    for (let i = 0; i < 40; i++) await log.append('ptn_a', status(`msg_${i}`, 1));
    await log.append('ptn_b', status('msg_b', 1, 'cus_b'));
    const counters = await Promise.all(
      Array.from({ length: PARTNER_EVENT_SHARDS }, async (_, s) => (await db.send(new GetCommand({ TableName: table, Key: partnerEventCounterKey('ptn_a', s) }))).Item?.sequence ?? 0),
    );
    expect(counters.reduce((a, b) => a + b, 0)).toBe(40);
    expect(counters.filter((n) => n > 0).length).toBeGreaterThan(8);

    const first = await log.list('ptn_a', undefined, 15);
    expect(first.data).toHaveLength(15);
    const rest: PartnerEvent[] = [];
    expect(first.nextCursor).toBe(first.pollCursor);
    const end = await readToEnd(log, 'ptn_a', first.nextCursor!, 15, rest);
    expect([...first.data, ...rest].map(subjectOf).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `msg_${i}`).sort());
    expect(await log.list('ptn_a', end, 10)).toEqual({ data: [], nextCursor: null, pollCursor: end });
    expect((await log.list('ptn_b', undefined, 10)).data.map(subjectOf)).toEqual(['msg_b']);
  });

  it('appendWith writes the caller items and the events in one transaction: both, or neither when a caller condition fails', async () => {
    const { db, table, log, retries } = await setup();
    const row = (sk: string) => ({ pk: 'TEST#OUTBOX', sk });
    const claim = (sk: string): NonNullable<TransactWriteCommandInput['TransactItems']>[number] => ({
      Put: { TableName: table, Item: { ...row(sk), note: sk }, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    const rows = async () => (await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'TEST#OUTBOX' } }))).Items!.map((i) => i.sk);
    const all = async () => {
      const events: PartnerEvent[] = [];
      await readToEnd(log, 'ptn_a', undefined, 50, events);
      return events;
    };

    // Several events, on different shards, with the caller's item.
    const events = ['msg_1', 'msg_2', 'msg_3', 'msg_4'].map((m) => status(m, 1));
    const done = await log.appendWith('ptn_a', events, [claim('a')]);
    expect(done.committed).toBe(true);
    if (!done.committed) return;
    expect(done.events.map(subjectOf)).toEqual(['msg_1', 'msg_2', 'msg_3', 'msg_4']);
    expect(new Set(done.events.map((e) => e.id.split('_')[1])).size).toBeGreaterThan(1);
    expect(await rows()).toEqual(['a']);
    expect((await all()).map((e) => e.id).sort()).toEqual(done.events.map((e) => e.id).sort());

    // The same claim again, with another item: neither item nor event is written.
    const refused = await log.appendWith('ptn_a', [status('msg_1', 2)], [claim('b'), claim('a')]);
    expect(refused).toEqual({ committed: false, failed: [1] });
    expect(await rows()).toEqual(['a']);
    expect(await all()).toHaveLength(4);

    // No events: a plain transaction.
    expect(await log.appendWith('ptn_a', [], [claim('c')])).toEqual({ committed: true, events: [] });
    expect(await log.appendWith('ptn_a', [], [claim('c')])).toEqual({ committed: false, failed: [0] });
    expect(await rows()).toEqual(['a', 'c']);

    // Concurrent outboxes on the same subjects: counter conflicts are retried inside, never reported as refusals.
    const racers = Array.from({ length: 10 }, (_, i) => log.appendWith('ptn_a', [status('msg_1', i + 10), status('msg_9', i + 10)], [claim(`race-${i}`)]));
    expect((await Promise.all(racers)).every((r) => r.committed)).toBe(true);
    expect(await all()).toHaveLength(24);
    expect((await rows()).length).toBe(12);
    expect(retries.length).toBeGreaterThan(0);
  });
});

describe('GET /v1/events', () => {
  it("serves only the caller's events, pages with an opaque cursor and refuses anything else as `after`", async () => {
    const platform = await startTestPlatform('events');
    try {
      const a = await platform.admin.createPartnerWithKey('A');
      const b = await platform.admin.createPartnerWithKey('B');
      const db = DynamoDBDocumentClient.from(localDynamoClient(platform.dynamoDbEndpoint));
      const log = partnerEventService({ events: dynamoPartnerEventRepository(db, platform.tableName), clock: fixedClock() });
      const data: Extract<PartnerEventInput, { type: 'brand.updated' }>['data'] = { step: 'brand', status: 'succeeded', errors: [], sids: { brandSid: 'BN1' }, attempt: 1 };
      const appended = await log.append(a.partnerId, { type: 'brand.updated', customerId: 'cus_x', data });
      await log.append(b.partnerId, { type: 'brand.updated', customerId: 'cus_y', data: { ...data, status: 'failed' } });

      const api = apiClient(platform.url, a.apiKey);
      const reply = await api.get('/v1/events');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        data: [{ id: appended.id, type: 'brand.updated', customerId: 'cus_x', occurredAt: '2026-01-01T00:00:00.000Z', data }],
        nextCursor: null,
        pollCursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      });
      const next = reply.body.pollCursor as string;
      expect((await api.get(`/v1/events?after=${next}`)).body).toEqual({ data: [], nextCursor: null, pollCursor: next });
      await log.append(a.partnerId, { type: 'number.updated', customerId: 'cus_x', data: { phoneNumber: '+14155550100', numberSid: 'PN1', status: 'attached' } });
      await log.append(a.partnerId, { type: 'brand.updated', customerId: 'cus_x', data });
      const paged = await api.get(`/v1/events?after=${next}&limit=1`);
      expect(paged.body.data.map((e: { type: string }) => e.type)).toEqual(['number.updated']);
      expect(paged.body.nextCursor).toBe(paged.body.pollCursor);
      const later = await api.get(`/v1/events?after=${paged.body.nextCursor}&limit=1`);
      expect(later.body.data.map((e: { type: string }) => e.type)).toEqual(['brand.updated']);
      // The last page says so: no empty page after it.
      expect(later.body.nextCursor).toBeNull();
      const caughtUp = later.body.pollCursor as string;

      // A cursor past this partner's newest event (here B's, ahead of A on cus_x's shard) is
      // clamped: A's events that take those numbers later are still returned.
      for (let i = 0; i < 5; i++) await log.append(b.partnerId, { type: 'brand.updated', customerId: 'cus_x', data });
      const ahead = (await apiClient(platform.url, b.apiKey).get('/v1/events')).body.pollCursor as string;
      const foreign = await api.get(`/v1/events?after=${ahead}`);
      expect(foreign.status).toBe(200);
      expect(foreign.body.nextCursor).toBeNull();
      expect(foreign.body.pollCursor).toBe(caughtUp);
      const added = await log.append(a.partnerId, { type: 'brand.updated', customerId: 'cus_x', data: { ...data, attempt: 2 } });
      const polled = await api.get(`/v1/events?after=${foreign.body.pollCursor}`);
      expect(polled.body.data.map((e: { id: string }) => e.id)).toEqual([added.id]);

      const numeric = await api.get('/v1/events?after=1');
      expect(numeric.status).toBe(400);
      expect(numeric.body.errors).toEqual([{ field: 'query.after', message: expect.stringMatching(/no longer cursors/) }]);
      for (const bad of ['after=abc', 'after=-1', `after=${next.slice(0, -3)}`, 'limit=0', 'limit=101', 'cursor=1']) {
        const refused = await api.get(`/v1/events?${bad}`);
        expect(refused.status).toBe(400);
      }
    } finally {
      await platform.stop();
    }
  });
});
