import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { statusRank } from '../../shared/messaging/status';
import { webhookConsumers } from '../../shared/messaging/webhook-consumers';
import { consentService } from '../../shared/services/consent';
import { partnerEventService } from '../../shared/services/partner-events';
import { dynamoConsentRepository } from '../../shared/store/consent';
import { dynamoCustomerRepository } from '../../shared/store/customers';
import { messageStore, type MessageRecord } from '../../shared/store/messages';
import { sumCounters } from '../../shared/domain/usage';
import { usageStore } from '../../shared/store/usage';
import { dynamoOnboardingRepository } from '../../shared/store/onboarding';
import { dynamoPartnerEventRepository } from '../../shared/store/partner-events';
import { dynamoTwilioEventRepository } from '../../shared/store/twilio-events';
import type { WebhookEnvelope } from '../../shared/webhooks/envelope';
import { startTestPlatform } from '../support/local-platform';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const TENANT_NUMBER = '+14155550100';
const tenant = { accountSid: ACCOUNT, partnerId: 'ptn_consumers', customerId: 'cus_consumers' };
// Property and volume tests: hundreds of consumer transactions on the DynamoDB Local all test
// files share, 10–40 s each on a loaded 2-vCPU machine. The bound is a safety net for a hang, not a
// speed assertion (speed is measured in bench/).
jest.setTimeout(120_000);

let platform: Platform;
let clock: ReturnType<typeof manualClock>;
let repos: ReturnType<typeof repositories>;
let seq = 0;

function repositories(endpoint: string, table: string) {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const onboarding = dynamoOnboardingRepository(db, table);
  const clock = { now: () => new Date() };
  const partnerEvents = partnerEventService({ events: dynamoPartnerEventRepository(db, table), clock });
  const consentRepo = dynamoConsentRepository(db, table);
  return {
    db,
    onboarding,
    partnerEvents,
    messages: messageStore(db, table),
    usage: usageStore(db, table),
    events: dynamoTwilioEventRepository(db, table),
    consentRepo,
    consent: consentService({ consent: consentRepo, customers: dynamoCustomerRepository(db, table), events: partnerEvents, clock }),
  };
}

/** The consumers as the queue handlers wire them, over this test's table. */
const consumersOver = (r: ReturnType<typeof repositories>) =>
  webhookConsumers({ messages: r.messages, usage: r.usage, events: r.events, partnerEvents: r.partnerEvents, consent: r.consent, numberOwner: (n) => r.onboarding.numberOwner(n) });

/** Every event of the tenant's partner log about one message. */
async function eventsAbout(messageId: string) {
  const all = [];
  let after: string | undefined;
  for (;;) {
    const page = await repos.partnerEvents.list(tenant.partnerId, after, 100);
    all.push(...page.data);
    if (page.nextCursor === null) break;
    after = page.nextCursor;
  }
  return all.filter((e) => (e.data as { messageId?: string }).messageId === messageId);
}

const sid = (prefix: string) => `${prefix}${String(++seq).padStart(32, '0')}`;
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function statusEnvelope(messageSid: string, status: string, extra: Array<[string, string]> = [], token?: string, receivedAt = at(seq)): WebhookEnvelope {
  return {
    kind: 'status', ...tenant, receivedAt, ...(token ? { idempotencyToken: token } : {}),
    params: [['AccountSid', ACCOUNT], ['MessageSid', messageSid], ['MessageStatus', status], ['To', '+14155550123'], ['From', '+14155550100'], ...extra],
  };
}

function inboundEnvelope(messageSid: string, from: string, body: string, token: string | undefined, receivedAt: string, to = TENANT_NUMBER): WebhookEnvelope {
  return {
    kind: 'inbound', ...tenant, receivedAt, ...(token ? { idempotencyToken: token } : {}),
    params: [['AccountSid', ACCOUNT], ['MessageSid', messageSid], ['From', from], ['To', to], ['Body', body], ['NumMedia', '0']],
  };
}

/** The message a receiver would queue (header line + raw body), with the test's chosen receivedAt in the header. */
function message(envelope: WebhookEnvelope): string {
  const { params, events, ...header } = envelope as WebhookEnvelope & { params?: Array<[string, string]>; events?: unknown };
  return `${JSON.stringify(header)}\n${params ? new URLSearchParams(params).toString() : JSON.stringify(events)}`;
}

const send = (queue: string, envelope: WebhookEnvelope | string) => platform.queues.send(queue, typeof envelope === 'string' ? envelope : message(envelope));

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('webhook-consumers', { clock });
  repos = repositories(platform.dynamoDbEndpoint, platform.tableName);
  // The tenant owns the number its inbound messages are sent to (the consumer checks it).
  const now = new Date().toISOString();
  expect(await repos.onboarding.claimNumber({ partnerId: tenant.partnerId, customerId: tenant.customerId, phoneNumber: TENANT_NUMBER, status: 'claimed', createdAt: now, updatedAt: now })).toBe('claimed');
});
afterAll(() => platform?.stop());

describe('status consumer', () => {
  it('the same callback delivered 3× changes the message once', async () => {
    const messageSid = sid('SM');
    for (const receivedAt of [at(1), at(2), at(3)]) await send('status-callbacks', statusEnvelope(messageSid, 'sent', [], 'tok-sent-1', receivedAt));
    const drained = await platform.queues.drain();
    expect(drained).toMatchObject({ delivered: 3, deleted: 3, failed: 0 });
    // Applied once: the copies failed the transaction's condition and announced nothing.
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid)).toMatchObject({ status: 'sent', statusRank: 3, updatedAt: at(1), direction: 'outbound', contact: '+14155550123', statusTimes: { sent: at(1) } });
    expect((await eventsAbout(messageSid)).map((e) => e.type)).toEqual(['message.created', 'message.status.updated']);
  });

  it('keeps ErrorCode and never moves back: undelivered then a late sent', async () => {
    const messageSid = sid('SM');
    await send('status-callbacks', statusEnvelope(messageSid, 'undelivered', [['ErrorCode', '30003']], 'tok-u'));
    await send('status-callbacks', statusEnvelope(messageSid, 'sent', [], 'tok-s'));
    await platform.queues.drain();
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid)).toMatchObject({ status: 'undelivered', errorCode: 30003 });
    expect(Object.keys((await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid))!.statusTimes).sort()).toEqual(['sent', 'undelivered']);
  });

  it('converges on the highest rank for any order with duplicates (property, DynamoDB Local)', async () => {
    const consumers = consumersOver(repos);
    const statuses = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read'];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...statuses), { minLength: 1, maxLength: 8 }).chain((picked) => fc.shuffledSubarray([...picked, ...picked], { minLength: picked.length })),
        async (deliveries) => {
          const messageSid = sid('SM');
          for (const status of deliveries) await consumers.applyStatus(statusEnvelope(messageSid, status) as never);
          const stored = await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid);
          const highest = Math.max(...deliveries.map((s) => statusRank(s)!));
          expect(stored?.statusRank).toBe(highest);
          // Among equal ranks the first applied wins, so the stored status is the first of the highest delivered.
          expect(stored?.status).toBe(deliveries.find((s) => statusRank(s) === highest));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a batch of 10 with one poison record reports only that record', async () => {
    const records = Array.from({ length: 10 }, (_, i) => ({
      messageId: `m-${i}`,
      receiptHandle: `r-${i}`,
      body: i === 6 ? '{"kind":"status","params":"not pairs"}' : message(statusEnvelope(sid('SM'), 'delivered', [], `tok-batch-${i}`)),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:status-callbacks', awsRegion: 'us-east-1',
    }));
    const response = (await platform.lambda.invoke('queues-status', { Records: records } satisfies SQSEvent)) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-6' }]);
  });

  it('a record that keeps failing is dead-lettered after maxReceiveCount; once fixed, a redrive applies it once', async () => {
    // A fault in the store for one message only, as a bad deploy or a hot key would cause.
    const { documentClient } = require('../../shared/store/client') as typeof import('../../shared/store/client');
    const broken = sid('SM');
    const original = documentClient.send.bind(documentClient);
    const spy = jest.spyOn(documentClient, 'send').mockImplementation(((command: { input?: { Key?: { sk?: string }; TransactItems?: Array<{ Update?: { Key?: { sk?: string } }; Put?: { Item?: { sk?: string }; Key?: { sk?: string } } }> } }, ...rest: unknown[]) => {
      const keys = [command.input?.Key, ...(command.input?.TransactItems ?? []).map((i) => (i.Update ?? i.Put)?.Key ?? (i.Put as { Item?: { sk?: string } } | undefined)?.Item)];
      if (keys.some((k) => k?.sk === `MESSAGE#${broken}`)) return Promise.reject(Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }));
      return (original as (...args: unknown[]) => unknown)(command, ...rest);
    }) as never);
    try {
      const healthy = Array.from({ length: 9 }, () => sid('SM'));
      for (const s of healthy) await send('status-callbacks', statusEnvelope(s, 'delivered', [], `tok-${s}`));
      await send('status-callbacks', statusEnvelope(broken, 'delivered', [], `tok-${broken}`));
      const drained = await platform.queues.drain();
      expect(drained).toMatchObject({ deleted: 9, failed: 5, deadLettered: 1 });
      expect(platform.queues.deadLetters('status-callbacks')).toHaveLength(1);
      for (const s of healthy) expect((await repos.messages.get(tenant.partnerId, tenant.customerId, s))?.status).toBe('delivered');
      expect(await repos.messages.get(tenant.partnerId, tenant.customerId, broken)).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
    expect(platform.queues.redrive('status-callbacks')).toBe(1);
    expect(await platform.queues.drain()).toMatchObject({ delivered: 1, deleted: 1, failed: 0, deadLettered: 0 });
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, broken)).toMatchObject({ status: 'delivered' });
    expect(platform.queues.deadLetters('status-callbacks')).toHaveLength(0);
  });
});

describe('usage counters', () => {
  const may = (n: number) => new Date(Date.UTC(2026, 4, 1, 0, 0, n)).toISOString();
  const counts = async () => sumCounters(await repos.usage.month(tenant.partnerId, tenant.customerId, '2026-05'));

  it('a pending send completed by its callback counts once however often it comes, and a cancel takes it back out once', async () => {
    const messageId = 'msg_01JVSAGE000000000000000001';
    const record: MessageRecord = {
      partnerId: tenant.partnerId, customerId: tenant.customerId, messageId, accountSid: ACCOUNT, direction: 'outbound', channel: 'sms', contact: '+14155550123',
      to: '+14155550123', body: 'x'.repeat(200), status: 'pending', statusRank: 0, statusTimes: { pending: may(0) }, segments: 2, encoding: 'GSM-7',
      sendAt: '2026-05-20T00:00:00.000Z', createdAt: may(0), updatedAt: may(0),
    };
    expect((await repos.partnerEvents.appendWith(tenant.partnerId, [], repos.messages.pendingItems(record, undefined, 0))).committed).toBe(true);
    // A pending row counts nothing: Twilio has not accepted it.
    expect((await counts()).sms.outbound).toEqual({ messages: 0, segments: 0 });
    const messageSid = sid('SM');
    const callback = (status: string, n: number): WebhookEnvelope => ({ ...statusEnvelope(messageSid, status, [], `tok-usage-${status}`, may(n)), query: `messageId=${messageId}` });
    for (const n of [1, 2, 3]) await send('status-callbacks', callback('scheduled', n));
    await platform.queues.drain();
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageId)).toMatchObject({ sid: messageSid, status: 'scheduled' });
    expect((await counts()).sms.outbound).toEqual({ messages: 1, segments: 2 });

    for (const n of [4, 5]) await send('status-callbacks', callback('canceled', n));
    await platform.queues.drain();
    expect((await counts()).sms.outbound).toEqual({ messages: 0, segments: 0 });
  });

  it('an inbound message delivered twice counts once, in the month it was received', async () => {
    const messageSid = sid('SM');
    for (const n of [10, 11]) await send('inbound-messages', inboundEnvelope(messageSid, '+14155550177', `Hello ${'y'.repeat(160)}`, 'tok-usage-inbound', may(n)));
    await platform.queues.drain();
    expect((await counts()).sms.inbound).toEqual({ messages: 1, segments: 2 });
  });
});

describe('every combination of optional status callback fields', () => {
  // Twilio omits fields freely, and the sandbox itself sends From='' for a message without a sender.
  const OPTIONAL: Array<[string, string[]]> = [
    ['From', ['+14155550100', '']],
    ['To', ['+14155550123', 'whatsapp:+14155550123', '']],
    ['MessagingServiceSid', ['MG' + 'f'.repeat(32), '']],
    ['ErrorCode', ['30003', '']],
    ['ChannelPrefix', ['whatsapp']],
  ];
  const combinations: Array<Array<[string, string]>> = [[]];
  for (const [name, values] of OPTIONAL) {
    const next: Array<Array<[string, string]>> = [];
    for (const combo of combinations) {
      next.push(combo);
      for (const v of values) next.push([...combo, [name, v]]);
    }
    combinations.splice(0, combinations.length, ...next);
  }

  it(`stores all ${combinations.length} through queue → consumer → DynamoDB Local, none dead-lettered`, async () => {
    const sids = combinations.map(() => sid('SM'));
    for (const [i, extra] of combinations.entries()) {
      const params: Array<[string, string]> = [['AccountSid', ACCOUNT], ['MessageSid', sids[i]!], ['MessageStatus', 'undelivered'], ...extra];
      await send('status-callbacks', { kind: 'status', ...tenant, receivedAt: at(40), params } as WebhookEnvelope);
    }
    const before = platform.queues.deadLetters('status-callbacks').length;
    const drained = await platform.queues.drain();
    expect(drained.failed).toBe(0);
    expect(platform.queues.deadLetters('status-callbacks')).toHaveLength(before);
    for (const [i, extra] of combinations.entries()) {
      const stored = await repos.messages.get(tenant.partnerId, tenant.customerId, sids[i]!);
      const code = extra.find(([n]) => n === 'ErrorCode')?.[1];
      expect(stored).toMatchObject({ status: 'undelivered', sid: sids[i], ...(code ? { errorCode: Number(code) } : {}) });
      if (!code) expect(stored?.errorCode).toBeUndefined();
    }
  });
});

describe('inbound consumer', () => {
  it('stores the message and the opt-out with its evidence; 3 deliveries leave one message, one ledger row, one event each', async () => {
    const messageSid = sid('SM');
    const contact = '+14155559001';
    for (const receivedAt of [at(10), at(11), at(12)]) await send('inbound-messages', inboundEnvelope(messageSid, contact, ' stop ', 'tok-in-1', receivedAt));
    await platform.queues.drain();
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid)).toMatchObject({ direction: 'inbound', body: ' stop ', from: contact, contact, status: 'received', createdAt: at(10) });
    const { state, records } = await repos.consentRepo.read(tenant.partnerId, tenant.customerId, contact);
    expect(state?.channels.sms).toMatchObject({ state: 'opted-out', source: 'keyword', keyword: 'STOP', since: at(10) });
    expect(records).toEqual([expect.objectContaining({ action: 'opt-out', keyword: 'STOP', at: at(10), messageSid, to: TENANT_NUMBER })]);
    expect((await eventsAbout(messageSid)).map((e) => e.type)).toEqual(['message.received', 'contact.opted_out']);
  });

  it('START opts back in, HELP is kept without changing the state, a late STOP does not override a newer START', async () => {
    const contact = '+14155559002';
    const [stop, start, help] = [sid('SM'), sid('SM'), sid('SM')];
    await send('inbound-messages', inboundEnvelope(start, contact, 'START', undefined, at(21)));
    await send('inbound-messages', inboundEnvelope(stop, contact, 'UNSUBSCRIBE', undefined, at(20)));
    await send('inbound-messages', inboundEnvelope(help, contact, 'help', undefined, at(22)));
    await platform.queues.drain();
    const { state, records } = await repos.consentRepo.read(tenant.partnerId, tenant.customerId, contact);
    expect(state?.channels.sms).toMatchObject({ state: 'opted-in', keyword: 'START' });
    expect(records.map((r) => [r.action, r.keyword])).toEqual([['opt-out', 'UNSUBSCRIBE'], ['opt-in', 'START'], ['help', 'HELP']]);
  });

  it('an inbound message to a number another customer owns, or no customer owns, is dead-lettered with the reason', async () => {
    const now = new Date().toISOString();
    await repos.onboarding.claimNumber({ partnerId: tenant.partnerId, customerId: 'cus_someone_else', phoneNumber: '+14155550199', status: 'claimed', createdAt: now, updatedAt: now });
    const foreign = sid('SM');
    const unknown = sid('SM');
    await send('inbound-messages', inboundEnvelope(foreign, '+14155559003', 'hi', undefined, at(30), '+14155550199'));
    await send('inbound-messages', inboundEnvelope(unknown, '+14155559003', 'hi', undefined, at(31), '+14155550198'));
    const before = platform.queues.deadLetters('inbound-messages').length;
    await platform.queues.drain();
    expect(platform.queues.deadLetters('inbound-messages')).toHaveLength(before + 2);
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, foreign)).toBeUndefined();
    expect(await repos.messages.get(tenant.partnerId, 'cus_someone_else', foreign)).toBeUndefined();
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, unknown)).toBeUndefined();
  });

  it("lists a customer's messages newest first across its shards", async () => {
    const page = await repos.messages.list(tenant.partnerId, tenant.customerId, {}, undefined, 100);
    expect(page.items.length).toBeGreaterThan(3);
    const times = page.items.map((m) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('events consumer', () => {
  it('records CloudEvents (data as an object or a JSON string) once per id, and TrustHub callbacks', async () => {
    const brand = 'BN' + 'b'.repeat(32);
    const events = [
      {
        specversion: '1.0', id: 'EV-brand-1', type: 'com.twilio.messaging.compliance.brand-registration.brand-failure', time: '2025-12-31T23:01:00.000Z',
        data: { accountsid: ACCOUNT, brandsid: brand, brandstatus: 'registration_failed', brandregistrationerrors: [{ registrationerrorcode: 30794, registrationerrorfields: ['ein'] }] },
      },
      {
        specversion: '1.0', id: 'EV-number-1', type: 'com.twilio.messaging.compliance.number-registration.failed', time: '2025-12-31T23:02:00.000Z',
        data: JSON.stringify({ accountsid: ACCOUNT, phonenumbersid: 'PN' + 'c'.repeat(32), externalstatus: 'failure', failureReason: 'bad number' }),
      },
    ];
    const envelope: WebhookEnvelope = { kind: 'events', ...tenant, receivedAt: at(30), events };
    await send('twilio-events', envelope);
    await send('twilio-events', { ...envelope, receivedAt: at(31), events: events[0] });
    await send('twilio-events', { kind: 'trusthub', ...tenant, receivedAt: at(32), params: [['AccountSid', ACCOUNT], ['BundleSid', 'BU' + 'd'.repeat(32)], ['Status', 'twilio-approved']] });
    await platform.queues.drain();
    const recorded = await repos.events.list(tenant.partnerId, tenant.customerId);
    expect(recorded.map((e) => [e.eventId, e.resourceSid, e.status])).toEqual([
      ['EV-brand-1', brand, 'registration_failed'],
      ['EV-number-1', 'PN' + 'c'.repeat(32), 'failure'],
      [`trusthub:BU${'d'.repeat(32)}:twilio-approved`, 'BU' + 'd'.repeat(32), 'twilio-approved'],
    ]);
    expect(recorded[0]!.errors).toEqual([{ registrationerrorcode: 30794, registrationerrorfields: ['ein'] }]);
    expect(recorded[1]!.errors).toEqual([{ failurereason: 'bad number' }]);
  });
});
