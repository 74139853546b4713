import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, expectProblem, partnerEventLog, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';

/**
 * WhatsApp senders end to end on the local platform: the real handlers over HTTP, DynamoDB Local,
 * the Twilio sandbox running each sender's lifecycle on its clock, and the scheduled refresh run
 * by moving the platform's clock by hand (no sleeping).
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let clock: ManualClock;
let api: ApiClient;
let other: ApiClient;
let customerId: string;
let accountSid: string;
let ownNumber: string;
let serviceSid: string;
let seq = 0;

const WABA = '104567890123456';
const PROFILE = { name: 'Acme Widgets', about: 'Widgets, delivered', vertical: 'Shopping and Retail', websites: ['https://acme.example.com'], emails: ['hello@acme.example.com'] };
/** A number of the customer's own (not a Twilio number): Meta sends it a code. */
const externalNumber = () => `+1415555${String(8100 + ++seq).padStart(4, '0')}`;
const senders = (customer = customerId) => `/v1/customers/${customer}/whatsapp/senders`;

/** One step of the world: the sandbox's lifecycle moves a review delay, then the refresh runs. */
async function step(): Promise<void> {
  await sandbox.advance(60);
  clock.advance(60_000);
  await platform.settle();
}

const senderEvents = async (id: string) =>
  (await partnerEventLog(api)).filter((e) => e.type === 'whatsapp_sender.updated' && e.data.senderId === id).map((e) => e.data);

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('whatsapp-senders', { twilio: 'sandbox', clock });
  sandbox = sandboxOf(platform);
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('WhatsApp partner')).apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
  customerId = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${customerId}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${customerId}-a1`)).status).toBe('SUCCEEDED');
  const timeline = (await api.get(`/v1/customers/${customerId}/onboarding`)).body;
  accountSid = timeline.steps[0].sids.accountSid;
  const number = (await api.get(`/v1/customers/${customerId}/numbers`)).body.data[0];
  ownNumber = number.phoneNumber;
  serviceSid = number.messagingServiceSid;
}, 120_000);
afterAll(() => platform?.stop());

describe('WhatsApp senders', () => {
  it('registers a number, takes the code Meta sent it, and reaches ONLINE in the messaging service, telling each change once', async () => {
    const phoneNumber = externalNumber();
    const created = await api.post(senders(), { phoneNumber, wabaId: WABA, verificationMethod: 'sms', profile: PROFILE });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^was_/), phoneNumber, senderId: `whatsapp:${phoneNumber}`, sid: expect.stringMatching(/^XE/), status: 'CREATING', wabaId: WABA, attached: false, messagingServiceSid: serviceSid });
    const { id, sid } = created.body;
    expect(created.headers.get('location')).toBe(`${senders()}/${id}`);

    // With the customer's own credentials, its WABA and our receivers.
    const [request] = sandbox.requests({ method: 'POST', path: '/v2/Channels/Senders' }).filter((r) => r.accountSid === accountSid && (r.json as any)?.sender_id === `whatsapp:${phoneNumber}`);
    expect(request?.json).toMatchObject({
      configuration: { waba_id: WABA, verification_method: 'sms' },
      profile: { name: 'Acme Widgets', websites: [{ website: 'https://acme.example.com' }], emails: [{ email: 'hello@acme.example.com' }] },
      webhook: { callback_url: `${platform.webhookBaseUrl}/inbound`, status_callback_url: `${platform.webhookBaseUrl}/status` },
    });

    // The same registration again is the same sender.
    const again = await api.post(senders(), { phoneNumber, wabaId: WABA, profile: PROFILE });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
    expect(sandbox.requests({ method: 'POST', path: '/v2/Channels/Senders' }).filter((r) => (r.json as any)?.sender_id === `whatsapp:${phoneNumber}`)).toHaveLength(1);

    await step();
    expect((await api.get(`${senders()}/${id}`)).body.status).toBe('PENDING_VERIFICATION');
    const code = sandbox.whatsAppVerificationCode(sid)!;
    const verified = await api.post(`${senders()}/${id}/verification`, { code });
    expect(verified.status).toBe(200);
    expect(verified.body.status).toBe('VERIFYING');
    await step();
    expect((await api.get(`${senders()}/${id}`)).body.status).toBe('TWILIO_REVIEW');
    await step();
    const online = (await api.get(`${senders()}/${id}`)).body;
    expect(online).toMatchObject({ status: 'ONLINE', attached: true, qualityRating: 'HIGH', messagingLimit: expect.any(String), offlineReasons: [] });
    expect(sandbox.requests({ method: 'POST', path: `/v1/Services/${serviceSid}/ChannelSenders` }).filter((r) => r.params.Sid === sid).map((r) => r.status)).toEqual([201]);

    // More refreshes tell nothing new.
    await step();
    const told = await senderEvents(id);
    expect(told.map((e) => [e.status, e.attached])).toEqual([
      ['CREATING', false], ['PENDING_VERIFICATION', false], ['VERIFYING', false], ['TWILIO_REVIEW', false], ['ONLINE', true],
    ]);
    expect(told[0]).not.toHaveProperty('previousStatus');
    expect(told[4]).toMatchObject({ previousStatus: 'TWILIO_REVIEW', sid, phoneNumber, qualityRating: 'HIGH' });
  });

  it('refuses a wrong code and keeps the sender waiting for the right one', async () => {
    const created = await api.post(senders(), { phoneNumber: externalNumber(), wabaId: WABA, profile: PROFILE });
    await step();
    const code = sandbox.whatsAppVerificationCode(created.body.sid)!;
    const wrong = await api.post(`${senders()}/${created.body.id}/verification`, { code: code === '000000' ? '111111' : '000000' });
    expectProblem(wrong, 422);
    expect(wrong.body.type).toMatch(/twilio-rejected$/);
    expect((await api.get(`${senders()}/${created.body.id}`)).body.status).toBe('PENDING_VERIFICATION');
    expect((await api.post(`${senders()}/${created.body.id}/verification`, { code })).body.status).toBe('VERIFYING');
    // Once verifying, a code is a conflict, answered before Twilio.
    expectProblem(await api.post(`${senders()}/${created.body.id}/verification`, { code }), 409);
  });

  it('shows OFFLINE with its reason (63020) and tells it', async () => {
    sandbox.addRule({ type: 'fail', step: 'sender', errorCode: 63020, accountSid, times: 1 });
    const created = await api.post(senders(), { phoneNumber: externalNumber(), wabaId: WABA, profile: PROFILE });
    await step();
    await api.post(`${senders()}/${created.body.id}/verification`, { code: sandbox.whatsAppVerificationCode(created.body.sid) });
    await step();
    await step();
    const offline = (await api.get(`${senders()}/${created.body.id}`)).body;
    expect(offline).toMatchObject({ status: 'OFFLINE', attached: false, offlineReasons: [{ code: '63020', message: expect.stringContaining('invitation') }] });
    expect((await senderEvents(created.body.id)).at(-1)).toMatchObject({ status: 'OFFLINE', previousStatus: 'TWILIO_REVIEW', offlineReasons: [{ code: '63020' }] });
  });

  it("puts the customer's own Twilio number on WhatsApp without a code, updates its profile through ONLINE:UPDATING, and deletes it", async () => {
    const created = await api.post(senders(), { phoneNumber: ownNumber, wabaId: WABA, profile: PROFILE });
    expect(created.status).toBe(202);
    const { id, sid } = created.body;
    for (let i = 0; i < 3; i++) await step();
    expect((await api.get(`${senders()}/${id}`)).body).toMatchObject({ status: 'ONLINE', attached: true });

    const patched = await api.patch(`${senders()}/${id}`, { profile: { about: 'Open on Sundays' }, webhook: { fallbackUrl: 'https://acme.example.com/wa-fallback' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'ONLINE:UPDATING', profile: { ...PROFILE, about: 'Open on Sundays' } });
    const update = sandbox.requests({ method: 'POST', path: `/v2/Channels/Senders/${sid}` }).at(-1)!;
    expect(update.json).toEqual({
      profile: { about: 'Open on Sundays' },
      webhook: { callback_url: `${platform.webhookBaseUrl}/inbound`, callback_method: 'POST', fallback_url: 'https://acme.example.com/wa-fallback', fallback_method: 'POST', status_callback_url: `${platform.webhookBaseUrl}/status`, status_callback_method: 'POST' },
    });
    await step();
    expect((await api.get(`${senders()}/${id}`)).body.status).toBe('ONLINE');

    expect((await api.request('DELETE', `${senders()}/${id}`)).status).toBe(204);
    const detach = sandbox.requests({ method: 'DELETE', path: `/v1/Services/${serviceSid}/ChannelSenders/${sid}` });
    const removal = sandbox.requests({ method: 'DELETE', path: `/v2/Channels/Senders/${sid}` });
    expect([detach.map((r) => r.status), removal.map((r) => r.status)]).toEqual([[204], [204]]);
    expect(detach[0]!.seq).toBeLessThan(removal[0]!.seq);
    expectProblem(await api.get(`${senders()}/${id}`), 404);
    expect((await api.get(senders())).body.data.map((s: { id: string }) => s.id)).not.toContain(id);
    expect((await senderEvents(id)).map((e) => e.status).slice(-3)).toEqual(['ONLINE:UPDATING', 'ONLINE', 'DELETED']);
    // The number is free again.
    expect((await api.post(senders(), { phoneNumber: ownNumber, wabaId: WABA, profile: PROFILE })).status).toBe(202);
  });

  it('lists senders a page at a time', async () => {
    const first = (await api.get(`${senders()}?limit=1`)).body;
    expect(first.data).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await api.get(`${senders()}?limit=1&cursor=${first.nextCursor}`)).body;
    expect(second.data[0].id).not.toBe(first.data[0].id);
    expectProblem(await api.get(`${senders()}?cursor=nonsense`), 400);
  });

  it("answers 404 for another partner's customer and sender, and writes nothing", async () => {
    const [mine] = (await api.get(senders())).body.data;
    const calls = sandbox.requests().length;
    expectProblem(await other.get(senders()), 404);
    expectProblem(await other.get(`${senders()}/${mine.id}`), 404);
    expectProblem(await other.post(senders(), { phoneNumber: externalNumber(), wabaId: WABA, profile: PROFILE }), 404);
    expectProblem(await other.post(`${senders()}/${mine.id}/verification`, { code: '123456' }), 404);
    expectProblem(await other.patch(`${senders()}/${mine.id}`, { profile: { about: 'x' } }), 404);
    expectProblem(await other.request('DELETE', `${senders()}/${mine.id}`), 404);
    expectProblem(await api.get(`${senders()}/was_${'0'.repeat(26)}`), 404);
    expectProblem(await api.get(`${senders()}/not-an-id`), 404);
    expect(sandbox.requests().length).toBe(calls);
  });

  it('refuses bad input with problem+json naming the field, and a number registered by another customer with 409', async () => {
    const bad = expectProblem(await api.post(senders(), { phoneNumber: '12345', wabaId: 'abc', profile: { name: '' }, status: 'ONLINE' }), 400);
    expect(bad.errors!.map((e) => e.field)).toEqual(expect.arrayContaining(['body.phoneNumber', 'body.wabaId', 'body.profile.name']));
    expectProblem(await api.post(senders(), { phoneNumber: externalNumber(), wabaId: WABA, profile: { ...PROFILE, logoUrl: 'http://acme.example.com/logo.png' } }), 400);
    const [mine] = (await api.get(senders())).body.data;
    expectProblem(await api.post(`${senders()}/${mine.id}/verification`, { code: 'abc' }), 400);
    expectProblem(await api.patch(`${senders()}/${mine.id}`, {}), 400);

    const second = await newCustomer(api, customerBody());
    expect((await api.post(`/v1/customers/${second}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
    // Not onboarded to its messaging service yet: nothing to join.
    expectProblem(await api.post(senders(second), { phoneNumber: externalNumber(), wabaId: WABA, profile: PROFILE }), 409);
    expect((await runToEnd(platform, `${second}-a1`)).status).toBe('SUCCEEDED');
    expectProblem(await api.post(senders(second), { phoneNumber: mine.phoneNumber, wabaId: WABA, profile: PROFILE }), 409);
  });
});
