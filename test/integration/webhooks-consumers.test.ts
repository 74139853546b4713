import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { statusRank } from '../../shared/messaging/status';
import { webhookConsumers } from '../../shared/messaging/webhook-consumers';
import { dynamoMessageRepository } from '../../shared/store/messages';
import { dynamoOptOutRepository } from '../../shared/store/opt-outs';
import { dynamoTwilioEventRepository } from '../../shared/store/twilio-events';
import type { WebhookEnvelope } from '../../shared/webhooks/envelope';
import { startTestPlatform } from '../support/local-platform';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const tenant = { accountSid: ACCOUNT, partnerId: 'ptn_consumers', customerId: 'cus_consumers' };
let platform: Platform;
let clock: ReturnType<typeof manualClock>;
let repos: ReturnType<typeof repositories>;
let seq = 0;

function repositories(endpoint: string, table: string) {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { messages: dynamoMessageRepository(db, table), optOuts: dynamoOptOutRepository(db, table), events: dynamoTwilioEventRepository(db, table) };
}

const sid = (prefix: string) => `${prefix}${String(++seq).padStart(32, '0')}`;
const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();

function statusEnvelope(messageSid: string, status: string, extra: Array<[string, string]> = [], token?: string, receivedAt = at(seq)): WebhookEnvelope {
  return {
    kind: 'status', ...tenant, receivedAt, ...(token ? { idempotencyToken: token } : {}),
    params: [['AccountSid', ACCOUNT], ['MessageSid', messageSid], ['MessageStatus', status], ['To', '+14155550123'], ['From', '+14155550100'], ...extra],
  };
}

function inboundEnvelope(messageSid: string, from: string, body: string, token: string | undefined, receivedAt: string): WebhookEnvelope {
  return {
    kind: 'inbound', ...tenant, receivedAt, ...(token ? { idempotencyToken: token } : {}),
    params: [['AccountSid', ACCOUNT], ['MessageSid', messageSid], ['From', from], ['To', '+14155550100'], ['Body', body], ['NumMedia', '0']],
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
});
afterAll(() => platform?.stop());

describe('status consumer', () => {
  it('the same callback delivered 3× changes the message once', async () => {
    const messageSid = sid('SM');
    for (const receivedAt of [at(1), at(2), at(3)]) await send('status-callbacks', statusEnvelope(messageSid, 'sent', [], 'tok-sent-1', receivedAt));
    const drained = await platform.queues.drain();
    expect(drained).toMatchObject({ delivered: 3, deleted: 3, failed: 0 });
    // The idempotency layer applied it once: a second application would not even reach the store.
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid)).toMatchObject({ status: 'sent', statusRank: 3, updatedAt: at(1), direction: 'outbound', contact: '+14155550123' });
  });

  it('keeps ErrorCode and never moves back: undelivered then a late sent', async () => {
    const messageSid = sid('SM');
    await send('status-callbacks', statusEnvelope(messageSid, 'undelivered', [['ErrorCode', '30003']], 'tok-u'));
    await send('status-callbacks', statusEnvelope(messageSid, 'sent', [], 'tok-s'));
    await platform.queues.drain();
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid)).toMatchObject({ status: 'undelivered', errorCode: '30003' });
  });

  it('converges on the highest rank for any order with duplicates (property, DynamoDB Local)', async () => {
    const consumers = webhookConsumers(repos);
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
    const spy = jest.spyOn(documentClient, 'send').mockImplementation(((command: { input?: { Key?: { sk?: string } } }, ...rest: unknown[]) => {
      if (command.input?.Key?.sk === `MESSAGE#${broken}`) return Promise.reject(Object.assign(new Error('Internal server error'), { name: 'InternalServerError' }));
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

describe('inbound consumer', () => {
  it('stores the message and an opt-out with its evidence; 3 deliveries leave one history entry', async () => {
    const messageSid = sid('SM');
    const contact = '+14155559001';
    for (const receivedAt of [at(10), at(11), at(12)]) await send('inbound-messages', inboundEnvelope(messageSid, contact, ' stop ', 'tok-in-1', receivedAt));
    await platform.queues.drain();
    expect(await repos.messages.get(tenant.partnerId, tenant.customerId, messageSid)).toMatchObject({ direction: 'inbound', body: ' stop ', from: contact, status: 'received' });
    expect(await repos.optOuts.get(tenant.partnerId, tenant.customerId, contact)).toEqual({ contact, optedOut: true, keyword: 'STOP', changedAt: at(10), messageSid });
    expect(await repos.optOuts.history(tenant.partnerId, tenant.customerId, contact)).toEqual([
      expect.objectContaining({ action: 'opt-out', keyword: 'STOP', at: at(10), messageSid, to: '+14155550100' }),
    ]);
  });

  it('START opts back in, HELP is noted without changing the state, a late STOP does not override a newer START', async () => {
    const contact = '+14155559002';
    const [stop, start, help] = [sid('SM'), sid('SM'), sid('SM')];
    await send('inbound-messages', inboundEnvelope(start, contact, 'START', undefined, at(21)));
    await send('inbound-messages', inboundEnvelope(stop, contact, 'UNSUBSCRIBE', undefined, at(20)));
    await send('inbound-messages', inboundEnvelope(help, contact, 'help', undefined, at(22)));
    await platform.queues.drain();
    expect(await repos.optOuts.get(tenant.partnerId, tenant.customerId, contact)).toMatchObject({ optedOut: false, keyword: 'START', messageSid: start });
    expect((await repos.optOuts.history(tenant.partnerId, tenant.customerId, contact)).map((e) => [e.action, e.keyword])).toEqual([
      ['opt-out', 'UNSUBSCRIBE'], ['opt-in', 'START'], ['help', 'HELP'],
    ]);
  });

  it("lists a customer's messages newest first", async () => {
    const list = await repos.messages.list(tenant.partnerId, tenant.customerId, 100);
    expect(list.length).toBeGreaterThan(3);
    const times = list.map((m) => m.createdAt);
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
