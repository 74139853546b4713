import twilio from 'twilio';
import { expectTwilioError, parseForm, startHarness, subaccount, type Harness, type Twilio } from './support';

const STATUS_URL = 'https://hooks.example/twilio/status';
const INBOUND_URL = 'https://hooks.example/twilio/inbound';

describe('twilio sandbox — messaging, WhatsApp and inbound', () => {
  let h: Harness;
  let sub: { sid: string; token: string; client: Twilio };
  beforeEach(async () => {
    // Numbers outside the US avoid the 10DLC gate; one test below exercises it explicitly.
    h = await startHarness({ reviewDelaySeconds: 0 });
    sub = await subaccount(h);
  });
  afterEach(() => h.sandbox.stop());

  const statusCallbacks = () =>
    h.delivered
      .filter((d) => d.url === STATUS_URL)
      .map((d) => {
        const params = parseForm(d.body);
        expect(twilio.validateRequest(sub.token, d.headers['X-Twilio-Signature']!, d.url, params)).toBe(true);
        return params;
      });

  async function serviceWithNumber(areaCode = '512') {
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'svc', inboundRequestUrl: INBOUND_URL, statusCallback: STATUS_URL });
    const number = await sub.client.incomingPhoneNumbers.create({ areaCode });
    await sub.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    return { service, number };
  }

  it('walks accepted → queued → sending → sent → delivered with a callback for every step but the first', async () => {
    const { service } = await serviceWithNumber();
    const message = await sub.client.messages.create({ to: '+447700900111', messagingServiceSid: service.sid, body: 'Hello' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('accepted');
    await h.sandbox.advance(10);
    expect((await sub.client.messages(message.sid).fetch()).status).toBe('delivered');
    const callbacks = statusCallbacks();
    expect(callbacks.map((c) => c.MessageStatus)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(callbacks[0]).toMatchObject({ MessageSid: message.sid, SmsSid: message.sid, AccountSid: sub.sid, MessagingServiceSid: service.sid, ApiVersion: '2010-04-01' });
  });

  it('reports undelivered with ErrorCode from a fail rule, and can duplicate and reorder callbacks', async () => {
    const { number } = await serviceWithNumber();
    h.sandbox.addRule({ type: 'fail', step: 'message', errorCode: 30007, times: 1 });
    h.sandbox.addRule({ type: 'status-callbacks', reorder: true, duplicate: true, times: 1 });
    const message = await sub.client.messages.create({ to: '+447700900111', from: number.phoneNumber, body: 'Hi', statusCallback: STATUS_URL });
    expect(message.status).toBe('queued');
    await h.sandbox.advance(10);
    const fetched = await sub.client.messages(message.sid).fetch();
    expect(fetched).toMatchObject({ status: 'undelivered', errorCode: 30007 });
    expect(statusCallbacks().map((c) => c.MessageStatus)).toEqual(['undelivered', 'undelivered', 'sent', 'sent', 'sending', 'sending']);
    expect(statusCallbacks()[0]!.ErrorCode).toBe('30007');
  });

  it('fails US 10DLC traffic with 30034 until the number is registered in a VERIFIED campaign', async () => {
    const { service } = await serviceWithNumber();
    const message = await sub.client.messages.create({ to: '+15125550199', messagingServiceSid: service.sid, body: 'Hi' });
    await h.sandbox.advance(10);
    expect(await sub.client.messages(message.sid).fetch()).toMatchObject({ status: 'failed', errorCode: 30034 });
    expect(statusCallbacks().map((c) => c.MessageStatus)).toEqual(['queued', 'failed']);
  });

  it('routes an inbound STOP to the service with OptOutType, then refuses sends with 21610', async () => {
    const { service, number } = await serviceWithNumber();
    const res = await fetch(`${h.sandbox.url}/__sandbox/inbound`, { method: 'POST', body: JSON.stringify({ from: '+447700900222', to: number.phoneNumber, body: 'stop' }) });
    expect(res.status).toBe(200);
    const inbound = h.delivered.find((d) => d.url === INBOUND_URL)!;
    const params = parseForm(inbound.body);
    expect(twilio.validateRequest(sub.token, inbound.headers['X-Twilio-Signature']!, inbound.url, params)).toBe(true);
    expect(params).toMatchObject({
      AccountSid: sub.sid, MessagingServiceSid: service.sid, From: '+447700900222', To: number.phoneNumber, Body: 'stop', OptOutType: 'STOP',
      SmsStatus: 'received', NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01',
    });
    expect(params.MessageSid).toBe(params.SmsSid);
    expect(params.MessageSid).toBe(params.SmsMessageSid);
    await expectTwilioError(sub.client.messages.create({ to: '+447700900222', messagingServiceSid: service.sid, body: 'Hi' }), 400, 21610);
    await h.sandbox.simulateInbound({ from: '+447700900222', to: number.phoneNumber, body: 'START' });
    await expect(sub.client.messages.create({ to: '+447700900222', messagingServiceSid: service.sid, body: 'Hi' })).resolves.toHaveProperty('sid');
  });

  it('uses the number’s SmsUrl when the number has no service', async () => {
    const number = await sub.client.incomingPhoneNumbers.create({ areaCode: '415', smsUrl: 'https://hooks.example/number-sms' });
    await h.sandbox.simulateInbound({ from: '+447700900333', to: number.phoneNumber, body: 'hello' });
    expect(h.delivered.map((d) => d.url)).toEqual(['https://hooks.example/number-sms']);
    expect(parseForm(h.delivered[0]!.body).OptOutType).toBeUndefined();
  });

  it('enforces number attachment rules: 21712 one service per number, 21715 no SMS capability', async () => {
    const { number } = await serviceWithNumber();
    const other = await sub.client.messaging.v1.services.create({ friendlyName: 'other' });
    await expectTwilioError(sub.client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: number.sid }), 400, 21712);
    const [landline] = await sub.client.availablePhoneNumbers('GB').local.list({ limit: 1 });
    const bought = await sub.client.incomingPhoneNumbers.create({ phoneNumber: landline!.phoneNumber });
    await expectTwilioError(sub.client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: bought.sid }), 400, 21715);
  });

  it('brings a WhatsApp sender CREATING → PENDING_VERIFICATION → ONLINE and enforces the 24-hour window (63016)', async () => {
    const sender = await sub.client.messaging.v2.channelsSenders.create({
      sender_id: 'whatsapp:+447700900444', configuration: { waba_id: '1234', verification_method: 'sms' }, profile: { name: 'Acme' },
      webhook: { callback_url: INBOUND_URL, callback_method: 'POST' },
    } as never);
    expect(sender.sid).toMatch(/^XE[0-9a-f]{32}$/);
    expect(sender.status).toBe('CREATING');
    await h.sandbox.advance(1);
    expect((await sub.client.messaging.v2.channelsSenders(sender.sid).fetch()).status).toBe('PENDING_VERIFICATION');
    await sub.client.messaging.v2.channelsSenders(sender.sid).update({ configuration: { verification_code: h.sandbox.whatsAppVerificationCode(sender.sid) } } as never);
    await h.sandbox.advance(1);
    expect((await sub.client.messaging.v2.channelsSenders(sender.sid).fetch()).status).toBe('ONLINE');

    const outside = await sub.client.messages.create({ from: 'whatsapp:+447700900444', to: 'whatsapp:+447700900555', body: 'free-form', statusCallback: STATUS_URL });
    await h.sandbox.advance(10);
    expect(await sub.client.messages(outside.sid).fetch()).toMatchObject({ status: 'failed', errorCode: 63016 });

    await h.sandbox.simulateInbound({ from: 'whatsapp:+447700900555', to: 'whatsapp:+447700900444', body: 'hi', profileName: 'Bo' });
    expect(parseForm(h.delivered.at(-1)!.body)).toMatchObject({ ProfileName: 'Bo', WaId: '447700900555' });
    const inside = await sub.client.messages.create({ from: 'whatsapp:+447700900444', to: 'whatsapp:+447700900555', body: 'reply', statusCallback: STATUS_URL });
    await h.sandbox.advance(10);
    expect((await sub.client.messages(inside.sid).fetch()).status).toBe('read');
    expect(statusCallbacks().filter((c) => c.MessageSid === inside.sid).map((c) => c.MessageStatus)).toEqual(['sending', 'sent', 'delivered', 'read']);
  });

  it('approves a WhatsApp template and sends it by ContentSid with variables', async () => {
    const content = await sub.client.content.v1.contents.create({ friendly_name: 'reminder', language: 'en', variables: { '1': 'Ana' }, types: { 'twilio/text': { body: 'Hi {{1}}, see you tomorrow.' } } } as never);
    expect(content.sid).toMatch(/^HX[0-9a-f]{32}$/);
    const submitted = await sub.client.content.v1.contents(content.sid).approvalCreate.create({ name: 'reminder_v1', category: 'UTILITY' });
    expect(submitted.status).toBe('received');
    await h.sandbox.advance(1);
    const approval = await sub.client.content.v1.contents(content.sid).approvalFetch().fetch();
    expect(approval.whatsapp).toMatchObject({ name: 'reminder_v1', category: 'UTILITY', status: 'approved' });

    const number = await sub.client.incomingPhoneNumbers.create({ phoneNumber: '+447700900666' });
    const message = await sub.client.messages.create({ from: number.phoneNumber, to: '+447700900777', contentSid: content.sid, contentVariables: JSON.stringify({ '1': 'Bo' }) });
    expect(message.body).toBe('Hi Bo, see you tomorrow.');
  });

  it('rejects a template through a rule with a rejection reason', async () => {
    h.sandbox.addRule({ type: 'fail', step: 'template', errors: [{ code: 0, description: 'INVALID_FORMAT - variables at the start', fields: [] }] });
    const content = await sub.client.content.v1.contents.create({ friendly_name: 'bad', language: 'en', types: { 'twilio/text': { body: '{{1}}' } } } as never);
    await sub.client.content.v1.contents(content.sid).approvalCreate.create({ name: 'bad_v1', category: 'MARKETING' });
    await h.sandbox.advance(1);
    const approval = await sub.client.content.v1.contents(content.sid).approvalFetch().fetch();
    expect(approval.whatsapp).toMatchObject({ status: 'rejected', rejection_reason: 'INVALID_FORMAT - variables at the start' });
  });

  it('checks the template at send time on WhatsApp: a rejected one fails 63040', async () => {
    const sender = await sub.client.messaging.v2.channelsSenders.create({
      sender_id: 'whatsapp:+447700900888', configuration: { waba_id: '1234', verification_method: 'sms' }, profile: { name: 'Acme' },
    } as never);
    await h.sandbox.advance(1);
    await sub.client.messaging.v2.channelsSenders(sender.sid).update({ configuration: { verification_code: h.sandbox.whatsAppVerificationCode(sender.sid) } } as never);
    await h.sandbox.advance(1);
    const send = (contentSid: string) => sub.client.messages.create({ from: 'whatsapp:+447700900888', to: 'whatsapp:+447700900999', contentSid });

    const pending = await sub.client.content.v1.contents.create({ friendly_name: 'later', language: 'en', types: { 'twilio/text': { body: 'Your order has shipped.' } } } as never);
    h.sandbox.addRule({ type: 'fail', step: 'template', errors: [{ code: 0, description: 'INVALID_FORMAT', fields: [] }] });
    await sub.client.content.v1.contents(pending.sid).approvalCreate.create({ name: 'later_v1', category: 'UTILITY' });
    await h.sandbox.advance(1);
    const rejected = await send(pending.sid);
    await h.sandbox.advance(10);
    expect(await sub.client.messages(rejected.sid).fetch()).toMatchObject({ status: 'failed', errorCode: 63040 });
  });

  it('refuses a send time outside 15 minutes to 35 days ahead, keeping no message', async () => {
    const { service } = await serviceWithNumber('415');
    for (const ahead of [600_000, 36 * 24 * 3600_000]) {
      const sendAt = new Date(h.sandbox.now().getTime() + ahead);
      await expectTwilioError(sub.client.messages.create({ to: '+447700900777', messagingServiceSid: service.sid, body: 'later', sendAt, scheduleType: 'fixed' }), 400, 20001);
    }
    await h.sandbox.advance(3600);
    expect(await sub.client.messages.list({ to: '+447700900777' })).toEqual([]);
  });

  it('cancels a scheduled message and refuses to cancel a sent one', async () => {
    const { service, number } = await serviceWithNumber('415');
    const sendAt = new Date(h.sandbox.now().getTime() + 3600_000);
    const scheduled = await sub.client.messages.create({ to: '+447700900888', messagingServiceSid: service.sid, body: 'later', sendAt, scheduleType: 'fixed' });
    expect(scheduled.status).toBe('scheduled');
    expect((await sub.client.messages(scheduled.sid).update({ status: 'canceled' })).status).toBe('canceled');
    await h.sandbox.advance(7200);
    expect((await sub.client.messages(scheduled.sid).fetch()).status).toBe('canceled');
    const now = await sub.client.messages.create({ to: '+447700900888', from: number.phoneNumber, body: 'now' });
    await expectTwilioError(sub.client.messages(now.sid).update({ status: 'canceled' }), 400, 20001);
  });
});
