import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, expectProblem, partnerEventLog, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';

/**
 * A customer put on WhatsApp end to end over HTTP, the way a partner does it: its own number
 * registered as a sender and verified with the code Meta sent it, a template linted, approved and
 * sent outside the 24-hour window, a handset's answer opening the window for a free-form reply,
 * consent kept per channel, and the window closing again. DynamoDB Local, the Twilio sandbox
 * enforcing Meta's rules (63016, template status) on its own clock, every clock moved by hand.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let clock: ManualClock;
let api: ApiClient;
let other: ApiClient;
let customerId: string;
let smsNumber: string;
let seq = 0;

const WABA = '104567890123456';
/** The customer's own number (not one of its Twilio numbers): only Meta's code proves it is theirs. */
const SENDER = '+14155558900';
const handset = () => `+1415555${String(7600 + ++seq).padStart(4, '0')}`;
const path = (suffix: string, customer = customerId) => `/v1/customers/${customer}${suffix}`;
const whatsAppSends = (to: string) => sandbox.requests({ method: 'POST', path: /\/Messages\.json$/ }).filter((r) => r.params?.To === `whatsapp:${to}`);
const send = (body: Record<string, unknown>) => api.post(path('/messages'), body);
const TEMPLATE = {
  name: 'appointment_reminder', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'Tuesday 10:00' },
  content: { type: 'text', body: 'Hello {{1}}, this is a reminder of your appointment on {{2}}. Reply to this message to change it.' },
};

/** One minute of the world: the sandbox's reviews and message lifecycles move, then our schedules and queues run. */
async function minute(): Promise<void> {
  await sandbox.advance(60);
  clock.advance(60_000);
  await platform.settle();
}

const eventsOf = async (type: string) => (await partnerEventLog(api)).filter((e) => e.type === type);

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('whatsapp', { twilio: 'sandbox', clock });
  sandbox = sandboxOf(platform);
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('WhatsApp journey partner')).apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
  customerId = await newCustomer(api, customerBody());
  expect((await api.post(path('/onboarding'), { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${customerId}-a1`)).status).toBe('SUCCEEDED');
  smsNumber = (await api.get(path('/numbers'))).body.data[0].phoneNumber;
}, 120_000);
afterAll(() => platform?.stop());

describe('a customer on WhatsApp', () => {
  let templateId: string;

  it("registers the customer's own number with the code Meta sent it and reaches ONLINE in its messaging service", async () => {
    const created = await api.post(path('/whatsapp/senders'), { phoneNumber: SENDER, wabaId: WABA, verificationMethod: 'sms', profile: { name: 'Acme Widgets' } });
    expect(created.status).toBe(202);
    await minute();
    expect((await api.get(path(`/whatsapp/senders/${created.body.id}`))).body.status).toBe('PENDING_VERIFICATION');
    expect((await api.post(path(`/whatsapp/senders/${created.body.id}/verification`), { code: sandbox.whatsAppVerificationCode(created.body.sid) })).body.status).toBe('VERIFYING');
    for (let i = 0; i < 2; i++) await minute();
    expect((await api.get(path(`/whatsapp/senders/${created.body.id}`))).body).toMatchObject({ status: 'ONLINE', attached: true, phoneNumber: SENDER });
  });

  it('lints a bad template with each finding on its field, creates nothing for it, and gets a good one approved', async () => {
    const bad = {
      ...TEMPLATE, name: 'Flash-Sale', variables: { '1': 'Ana', '3': '' },
      content: { type: 'text', body: '{{1}} Flash sale! 50% off everything today only, shop now at https://bit.ly/acme {{3}}' },
    };
    const linted = await api.post(path('/templates/lint'), bad);
    expect(linted.status).toBe(200);
    const fields = linted.body.findings.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.content.body', 'body.variables.3', 'body.category']));
    const contentCalls = sandbox.requests({ method: 'POST', path: '/v1/Content' }).length;
    expectProblem(await api.post(path('/templates'), bad), 422);
    expect(sandbox.requests({ method: 'POST', path: '/v1/Content' })).toHaveLength(contentCalls);

    const created = await api.post(path('/templates'), TEMPLATE);
    expect(created.status).toBe(201);
    templateId = created.body.id;
    for (let i = 0; i < 3 && (await api.get(path(`/templates/${templateId}`))).body.status !== 'approved'; i++) await minute();
    expect((await api.get(path(`/templates/${templateId}`))).body).toMatchObject({ status: 'approved', category: 'UTILITY', categoryChanged: false });
  });

  it('outside the window refuses free-form before Twilio, delivers the template, and the answer opens the window for a free-form reply', async () => {
    const to = handset();
    expect(expectProblem(await send({ to: `whatsapp:${to}`, body: 'Are you coming?' }), 422).type).toMatch(/template-required$/);
    expect(whatsAppSends(to)).toEqual([]);

    const reminder = await send({ channel: 'whatsapp', to, templateId, contentVariables: { '1': 'Ana', '2': 'Tuesday 10:00' } });
    expect(reminder.status).toBe(201);
    expect(reminder.body).toMatchObject({ channel: 'whatsapp', contact: to });
    await minute();
    const shown = (await api.get(path(`/messages/${reminder.body.id}`))).body;
    // WhatsApp reports reading too.
    expect(shown).toMatchObject({ status: 'read', from: `whatsapp:${SENDER}` });
    expect(shown.timeline.map((t: { status: string }) => t.status)).toEqual(expect.arrayContaining(['sent', 'delivered', 'read']));

    // The handset answers the customer's own number: no Twilio number of ours, the sender's claim routes it.
    await sandbox.simulateInbound({ from: `whatsapp:${to}`, to: `whatsapp:${SENDER}`, body: 'Can we make it 11?', profileName: 'Ana' });
    await platform.queues.drain();
    const [answer] = (await api.get(path(`/messages?contact=${encodeURIComponent(to)}&direction=inbound`))).body.data;
    expect(answer).toMatchObject({ channel: 'whatsapp', body: 'Can we make it 11?', to: `whatsapp:${SENDER}` });
    expect((await eventsOf('message.received')).map((e) => e.data.sid)).toContain(answer.sid);

    const reply = await send({ to: `whatsapp:${to}`, body: 'Of course, Tuesday 11:00 it is.' });
    expect(reply.status).toBe(201);
    expect(whatsAppSends(to).at(-1)?.params).toMatchObject({ Body: 'Of course, Tuesday 11:00 it is.' });
    expect(whatsAppSends(to).at(-1)?.params).not.toHaveProperty('ContentSid');
    await minute();
    expect((await api.get(path(`/messages/${reply.body.id}`))).body.status).toBe('read');
  });

  it('closes the window 24 hours after the last answer: free-form scheduled past it is refused, a template still goes', async () => {
    const to = handset();
    await sandbox.simulateInbound({ from: `whatsapp:${to}`, to: `whatsapp:${SENDER}`, body: 'Hi' });
    await platform.queues.drain();
    const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();
    // The window is judged at the moment the message goes out, so a scheduled send shows where it ends.
    expect((await send({ to: `whatsapp:${to}`, body: 'See you tomorrow!', sendAt: hours(23) })).status).toBe(201);
    const calls = whatsAppSends(to).length;
    const late = expectProblem(await send({ to: `whatsapp:${to}`, body: 'Still there?', sendAt: hours(25) }), 422);
    expect(late.type).toMatch(/template-required$/);
    expect(late.detail).toMatch(/window closed at/);
    expect(whatsAppSends(to)).toHaveLength(calls);
    expect((await send({ to: `whatsapp:${to}`, templateId, contentVariables: { '1': 'Ana', '2': 'Friday' }, sendAt: hours(25) })).status).toBe(201);
  });

  it("keeps Twilio's 63016 as a readable failure when Twilio's window closed before ours", async () => {
    const to = handset();
    await sandbox.simulateInbound({ from: `whatsapp:${to}`, to: `whatsapp:${SENDER}`, body: 'Hi' });
    await platform.queues.drain();
    // Only Twilio's clock moves past the window (say, the answer reached us late): we send, Twilio refuses.
    await sandbox.advance(24 * 3600 + 60);
    const sent = await send({ to: `whatsapp:${to}`, body: 'Hello!' });
    expect(sent.status).toBe(201);
    await minute();
    expect((await api.get(path(`/messages/${sent.body.id}`))).body).toMatchObject({
      status: 'failed', errorCode: 63016, errorReason: expect.stringMatching(/24-hour window/),
    });
  });

  it('keeps consent per channel: STOP on WhatsApp stops WhatsApp, not SMS', async () => {
    const to = handset();
    await sandbox.simulateInbound({ from: `whatsapp:${to}`, to: `whatsapp:${SENDER}`, body: 'STOP' });
    await platform.queues.drain();
    const consent = (await api.get(path(`/contacts/${encodeURIComponent(to)}/consent`))).body;
    expect(consent.channels.whatsapp).toMatchObject({ state: 'opted-out', source: 'keyword' });
    expect(consent.channels.sms?.state).not.toBe('opted-out');
    const calls = whatsAppSends(to).length;
    expect(expectProblem(await send({ to: `whatsapp:${to}`, templateId, contentVariables: { '1': 'Ana', '2': 'Monday' } }), 409).type).toMatch(/recipient-opted-out$/);
    expect(whatsAppSends(to)).toHaveLength(calls);
    const sms = await send({ to, body: 'Acme: your appointment is Monday. Reply STOP to opt out.' });
    expect(sms.status).toBe(201);
    expect(sms.body).toMatchObject({ channel: 'sms' });
    await minute();
    // From the customer's Twilio number: the WhatsApp sender carries WhatsApp only.
    expect((await api.get(path(`/messages/${sms.body.id}`))).body).toMatchObject({ status: 'delivered', from: smsNumber });
  });

  it("answers another partner's customer, sender and template with 404 and bad input with problem+json", async () => {
    const [sender] = (await api.get(path('/whatsapp/senders'))).body.data;
    const calls = sandbox.requests().length;
    expectProblem(await other.get(path(`/whatsapp/senders/${sender.id}`)), 404);
    expectProblem(await other.get(path(`/templates/${templateId}`)), 404);
    expectProblem(await other.post(path('/messages'), { channel: 'whatsapp', to: handset(), templateId, contentVariables: { '1': 'a', '2': 'b' } }), 404);
    const unknown = expectProblem(await send({ channel: 'whatsapp', to: handset(), templateId: `tpl_${'0'.repeat(26)}`, contentVariables: { '1': 'a' } }), 422);
    expect(unknown.errors?.map((e) => e.field)).toEqual(['body.templateId']);
    const empty = expectProblem(await send({ channel: 'whatsapp', to: handset(), templateId, contentVariables: { '1': '', '2': 'b' } }), 400);
    expect(empty.errors?.map((e) => e.field)).toEqual(['body.contentVariables.1']);
    const missing = expectProblem(await send({ channel: 'whatsapp', to: handset(), templateId, contentVariables: { '1': 'a', '3': 'c' } }), 422);
    expect(missing.errors?.map((e) => e.field)).toEqual(['body.contentVariables.2', 'body.contentVariables.3']);
    expectProblem(await send({ channel: 'fax', to: handset(), body: 'x' }), 400);
    expect(sandbox.requests().length).toBe(calls);
  });
});
