import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { dynamoConsentRepository } from '../../shared/store/consent';
import { messageStore } from '../../shared/store/messages';
import { dynamoOnboardingRepository } from '../../shared/store/onboarding';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';

/**
 * The whole ingress path on the local platform: the sandbox signs an inbound webhook with the
 * subaccount's token and POSTs it to the number's SmsUrl (the receiver's function URL), the receiver
 * verifies and enqueues, the consumer stores the message and the opt-out.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('webhooks-sandbox', { twilio: 'sandbox', clock: manualClock() });
  // The platform's handle types only what it uses; the object is the full sandbox.
  sandbox = platform.twilioSandbox as unknown as TwilioSandbox;
  const { apiKey } = await platform.admin.createPartnerWithKey('Webhooks partner');
  api = apiClient(platform.url, apiKey);
});
afterAll(() => platform?.stop());

async function buyNumber(accountSid: string, smsUrl: string): Promise<string> {
  const token = sandbox.account(accountSid)!.authToken;
  const response = await fetch(`${sandbox.url}/api.twilio.com/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${token}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ AreaCode: '415', SmsUrl: smsUrl }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { phone_number: string }).phone_number;
}

it('a STOP texted to a customer number reaches the receiver signed, is queued, and opts the contact out', async () => {
  const { body: customer } = await api.post('/v1/customers', customerBody());
  const created = await api.post(`/v1/customers/${customer.id}/subaccount`, {});
  expect(created.status).toBe(201);
  const accountSid: string = created.body.accountSid;
  const number = await buyNumber(accountSid, `${platform.webhookBaseUrl}/inbound`);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  // The partner id is not exposed by the API; the subaccount row names it.
  const record = (await db.send(new GetCommand({ TableName: platform.tableName, Key: { pk: `ACCOUNT#${accountSid}`, sk: 'ACCOUNT' } }))).Item!;
  // Bought outside onboarding here, so the number is claimed for the customer as the numbers step would.
  const now = new Date().toISOString();
  await dynamoOnboardingRepository(db, platform.tableName).claimNumber({ partnerId: record.partnerId, customerId: customer.id, phoneNumber: number, status: 'claimed', createdAt: now, updatedAt: now });

  const handset = '+14155557777';
  const inbound = await sandbox.simulateInbound({ from: handset, to: number, body: 'STOP' });
  const [delivery] = sandbox.webhooks({ kind: 'inbound', accountSid });
  expect(delivery).toMatchObject({ outcome: 'delivered', status: 200, url: `${platform.webhookBaseUrl}/inbound` });
  expect(platform.queues.messages('inbound-messages')).toHaveLength(1);

  await platform.queues.drain();
  const { state } = await dynamoConsentRepository(db, platform.tableName).read(record.partnerId, customer.id, handset);
  expect(state?.channels.sms).toMatchObject({ state: 'opted-out', keyword: 'STOP', messageId: inbound.messageSid });
  expect(await messageStore(db, platform.tableName).get(record.partnerId, customer.id, inbound.messageSid)).toMatchObject({ direction: 'inbound', body: 'STOP', from: handset, to: number });

  // The partner hears about both through its ordered event log.
  const events = (await api.get('/v1/events')).body.data.filter((e: { customerId?: string }) => e.customerId === customer.id);
  const mine = events.filter((e: { type: string }) => e.type === 'message.received' || e.type === 'contact.opted_out');
  expect(mine.map((e: { type: string }) => e.type)).toEqual(['message.received', 'contact.opted_out']);
  expect(mine[1].data).toEqual({ contact: handset, channel: 'sms', source: 'keyword', at: expect.any(String), keyword: 'STOP', messageId: inbound.messageSid });
});

it('a webhook signed with the parent token is refused and nothing is queued', async () => {
  const { body: customer } = await api.post('/v1/customers', customerBody());
  const { body: sub } = await api.post(`/v1/customers/${customer.id}/subaccount`, {});
  const params = new URLSearchParams({ AccountSid: sub.accountSid, MessageSid: 'SM' + '9'.repeat(32), From: '+14155550001', To: '+14155550002', Body: 'STOP' });
  const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks') as typeof import('twilio/lib/webhooks/webhooks');
  const url = `${platform.webhookBaseUrl}/inbound`;
  const before = platform.queues.messages('inbound-messages').length;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(sandbox.masterAuthToken, url, Object.fromEntries(params)) },
    body: params,
  });
  expect(response.status).toBe(403);
  expect(platform.queues.messages('inbound-messages')).toHaveLength(before);
});
