/**
 * The sandbox's outbound message lifecycle as the platform meets it: segments and price as Twilio
 * reports them, status callbacks to the exact URL configured, error codes forced by rules and
 * body markers, Twilio's own opt-out refusal, scheduled sends on the sandbox clock, and a create
 * request that is accepted but never answered in time.
 */
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { countSegments } from '../../../shared/messaging/segments';
import { TwilioRetryableError } from '../../../shared/twilio/errors';
import { createSdkTwilioGateway } from '../../../shared/twilio/sdk-gateway';
import { everyArea } from '../../../shared/twilio/sdk/areas';
import { validateTwilioResponse } from '../../support/twilio-openapi';
import { expectTwilioError, parseForm, startHarness, subaccount, type Harness, type Twilio } from './support';

const STATUS_URL = 'https://hooks.example/twilio/status';
const INBOUND_URL = 'https://hooks.example/twilio/inbound';
const HANDSET = '+447700900111';

describe('twilio sandbox — outbound message lifecycle', () => {
  let h: Harness;
  let sub: { sid: string; token: string; client: Twilio };
  beforeEach(async () => {
    h = await startHarness({ reviewDelaySeconds: 0 });
    sub = await subaccount(h);
  });
  afterEach(() => h.sandbox.stop());

  /** Numbers outside the US avoid the 10DLC gate. */
  async function serviceWithNumber() {
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'svc', inboundRequestUrl: INBOUND_URL, statusCallback: STATUS_URL });
    const number = await sub.client.incomingPhoneNumbers.create({ phoneNumber: '+447700900500' });
    await sub.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    return { service, number };
  }

  const callbacksFor = (sid: string) => h.delivered.filter((d) => parseForm(d.body).MessageSid === sid && d.url.startsWith(STATUS_URL));
  const statusesFor = (sid: string) => callbacksFor(sid).map((d) => parseForm(d.body).MessageStatus);

  /** The raw answer, as the platform's client reads it, held to Twilio's OpenAPI spec. */
  async function raw(method: 'GET' | 'POST', path: string, form?: Record<string, string>) {
    const url = `${h.sandbox.url}/api.twilio.com/2010-04-01/Accounts/${sub.sid}${path}`;
    const res = await fetch(url, {
      method,
      headers: { Authorization: `Basic ${Buffer.from(`${sub.sid}:${sub.token}`).toString('base64')}`, ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(validateTwilioResponse({ method, url: `https://api.twilio.com/2010-04-01/Accounts/${sub.sid}${path}`, status: res.status, body })).toEqual([]);
    return { status: res.status, body };
  }

  describe('num_segments and price', () => {
    it.each([
      ['161 GSM-7 characters', 'a'.repeat(161), 2],
      ['80 × € (160 septets)', '€'.repeat(80), 1],
      ['a curly apostrophe in 100 characters (UCS-2)', `It’s ${'a'.repeat(95)}`, 2],
      ['one emoji in 100 GSM-7 characters', `${'a'.repeat(50)}😀${'a'.repeat(50)}`, 2],
      ['1,600 GSM-7 characters', 'x'.repeat(1600), 11],
    ])('counts %s as the platform does, and prices each segment once sent', async (_name, body, segments) => {
      const { number } = await serviceWithNumber();
      expect(countSegments(body).segments).toBe(segments);
      const created = await raw('POST', '/Messages.json', { To: HANDSET, From: number.phoneNumber, Body: body });
      expect(created).toMatchObject({ status: 201, body: { num_segments: String(segments), price: null, price_unit: 'USD', status: 'queued' } });
      await h.sandbox.advance(10);
      const fetched = await raw('GET', `/Messages/${String(created.body.sid)}.json`);
      expect(fetched.body).toMatchObject({ status: 'delivered', num_segments: String(segments), price: `-${(0.0079 * segments).toFixed(5)}`, price_unit: 'USD' });
    });

    it('reports 0 segments through a service until a sender is picked, as Twilio does, then the count', async () => {
      const { service } = await serviceWithNumber();
      const created = await raw('POST', '/Messages.json', { To: HANDSET, MessagingServiceSid: service.sid, Body: 'ж'.repeat(71) });
      expect(created.body).toMatchObject({ status: 'accepted', num_segments: '0', price: null });
      await h.sandbox.advance(1);
      expect((await raw('GET', `/Messages/${String(created.body.sid)}.json`)).body).toMatchObject({ status: 'queued', num_segments: '2', price: null });
      await h.sandbox.advance(2);
      expect((await raw('GET', `/Messages/${String(created.body.sid)}.json`)).body).toMatchObject({ status: 'sent', price: '-0.01580' });
      const page = await raw('GET', '/Messages.json');
      expect((page.body.messages as Array<Record<string, unknown>>)[0]).toMatchObject({ price: '-0.01580', num_segments: '2' });
    });

    it('prices an MMS per message (one segment, whatever its text) and leaves a failed message unpriced', async () => {
      const { number } = await serviceWithNumber();
      const mms = await sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'x'.repeat(400), mediaUrl: ['https://media.example/a.jpg'] });
      expect(mms.sid).toMatch(/^MM/);
      const failed = await sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi [fail:message:30001]' });
      await h.sandbox.advance(10);
      expect(await sub.client.messages(mms.sid).fetch()).toMatchObject({ numSegments: '1', price: '-0.02000', status: 'delivered' });
      expect(await sub.client.messages(failed.sid).fetch()).toMatchObject({ status: 'failed', errorCode: 30001, price: null });
    });

    it('counts an inbound reply’s NumSegments the same way', async () => {
      const { number } = await serviceWithNumber();
      await h.sandbox.simulateInbound({ from: HANDSET, to: number.phoneNumber, body: `Thanks “a lot” ${'a'.repeat(60)}` });
      const inbound = h.delivered.find((d) => d.url === INBOUND_URL)!;
      expect(parseForm(inbound.body)).toMatchObject({ NumSegments: '2', SmsStatus: 'received' });
      expect((await raw('GET', `/Messages/${parseForm(inbound.body).MessageSid}.json`)).body).toMatchObject({ direction: 'inbound', num_segments: '2', price: '-0.01580' });
    });
  });

  describe('status callbacks', () => {
    it('go to the StatusCallback URL byte for byte, query string included, signed over that exact URL', async () => {
      const { number } = await serviceWithNumber();
      const configured = 'https://hooks.example/twilio/status?messageId=msg_01J9Z%2FAB&tenant=acme%20dental&empty=';
      const message = await sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi', statusCallback: `${configured}#rc=3&rp=all` });
      await h.sandbox.advance(10);
      const deliveries = callbacksFor(message.sid);
      expect(deliveries.map((d) => parseForm(d.body).MessageStatus)).toEqual(['sending', 'sent', 'delivered']);
      for (const d of deliveries) {
        // The fragment carries Twilio's connection overrides and is never sent.
        expect(d.url).toBe(configured);
        const params = parseForm(d.body);
        const data = configured + Object.keys(params).sort().map((k) => k + params[k]).join('');
        expect(d.headers['X-Twilio-Signature']).toBe(createHmac('sha1', sub.token).update(data, 'utf8').digest('base64'));
        expect(twilio.validateRequest(sub.token, d.headers['X-Twilio-Signature']!, configured, params)).toBe(true);
      }
      // The service's callback is not used when the message names its own.
      expect(h.delivered.filter((d) => d.url === STATUS_URL)).toEqual([]);
    });

    it('fall back to the service’s status callback, and a webhook rule duplicates one with the same idempotency token', async () => {
      const { service } = await serviceWithNumber();
      h.sandbox.addRule({ type: 'webhook', action: 'duplicate', kind: 'status-callback', times: 1 });
      const message = await sub.client.messages.create({ to: HANDSET, messagingServiceSid: service.sid, body: 'Hi' });
      await h.sandbox.advance(10);
      const deliveries = callbacksFor(message.sid);
      expect(deliveries.map((d) => parseForm(d.body).MessageStatus)).toEqual(['queued', 'queued', 'sending', 'sent', 'delivered']);
      expect(deliveries[0]!.headers['I-Twilio-Idempotency-Token']).toBe(deliveries[1]!.headers['I-Twilio-Idempotency-Token']);
      expect(deliveries[1]!.headers['I-Twilio-Idempotency-Token']).not.toBe(deliveries[2]!.headers['I-Twilio-Idempotency-Token']);
    });
  });

  describe('forced outcomes', () => {
    it.each([
      ['[fail:message:30007]', 'undelivered', 30007, ['sending', 'sent', 'undelivered']],
      ['[fail:message:30003]', 'undelivered', 30003, ['sending', 'sent', 'undelivered']],
      ['[fail:message]', 'undelivered', 30003, ['sending', 'sent', 'undelivered']],
      ['[fail:message:21610]', 'failed', 21610, ['failed']],
      ['[fail:message:30034]', 'failed', 30034, ['failed']],
    ])('%s in the body ends the message %s with %i', async (marker, status, code, statuses) => {
      const { number } = await serviceWithNumber();
      const message = await sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: `Hello ${marker}`, statusCallback: STATUS_URL });
      await h.sandbox.advance(10);
      expect(await sub.client.messages(message.sid).fetch()).toMatchObject({ status, errorCode: code });
      expect(statusesFor(message.sid)).toEqual(statuses);
      expect(parseForm(callbacksFor(message.sid).at(-1)!.body).ErrorCode).toBe(String(code));
    });

    it('a stall rule on the message leaves it sent with no delivery receipt', async () => {
      const { number } = await serviceWithNumber();
      h.sandbox.addRule({ type: 'stall', step: 'message', times: 1 });
      const message = await sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi', statusCallback: STATUS_URL });
      await h.sandbox.advance(3600);
      expect(await sub.client.messages(message.sid).fetch()).toMatchObject({ status: 'sent', price: '-0.00790' });
      expect(statusesFor(message.sid)).toEqual(['sending', 'sent']);
    });

    it('refuses the create request itself with a message-request rule (control API) or marker, storing nothing', async () => {
      const { number, service } = await serviceWithNumber();
      const res = await fetch(`${h.sandbox.url}/__sandbox/rules`, { method: 'POST', body: JSON.stringify({ type: 'fail', step: 'message-request', errorCode: 21610, times: 1 }) });
      expect(res.status).toBe(201);
      const refused = await expectTwilioError(sub.client.messages.create({ to: HANDSET, messagingServiceSid: service.sid, body: 'Hi' }), 400, 21610);
      expect(refused.message).toBe('Attempt to send to unsubscribed recipient');
      await expectTwilioError(sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi [fail:message-request:21211]' }), 400, 21211);
      expect(await sub.client.messages.list({ to: HANDSET })).toEqual([]);
      // The rule was spent: the next send goes through.
      await expect(sub.client.messages.create({ to: HANDSET, messagingServiceSid: service.sid, body: 'Hi' })).resolves.toHaveProperty('status', 'accepted');
    });
  });

  describe('stall after accept', () => {
    it('stores the message and runs its lifecycle but does not answer before the platform’s client gives up', async () => {
      const { service } = await serviceWithNumber();
      const res = await fetch(`${h.sandbox.url}/__sandbox/rules`, { method: 'POST', body: JSON.stringify({ type: 'stall', step: 'message-response', times: 1 }) });
      expect(res.status).toBe(201);
      const gateway = createSdkTwilioGateway({
        master: { accountSid: h.sandbox.masterAccountSid, authToken: h.sandbox.masterAuthToken },
        baseUrl: h.sandbox.url,
        timeoutMs: 400,
        retry: { maxAttempts: 1 },
        log: { warn: () => undefined },
      }, ...everyArea);
      const creds = { accountSid: sub.sid, authToken: sub.token };
      const started = Date.now();
      const send = gateway.sendMessage(creds, { to: HANDSET, messagingServiceSid: service.sid, body: 'Your code is 1234', statusCallback: STATUS_URL });
      await expect(send).rejects.toBeInstanceOf(TwilioRetryableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);

      // Twilio accepted it: the message exists and its callbacks go out.
      const [stored] = await sub.client.messages.list({ to: HANDSET });
      expect(stored).toMatchObject({ body: 'Your code is 1234', status: 'accepted' });
      await h.sandbox.advance(10);
      expect(statusesFor(stored!.sid)).toEqual(['queued', 'sending', 'sent', 'delivered']);
      // The rule was spent: the next create is answered at once.
      await expect(gateway.sendMessage(creds, { to: HANDSET, messagingServiceSid: service.sid, body: 'again' })).resolves.toMatchObject({ status: 'accepted' });
    });

    it('does the same for a [stall:message-response] marker in the body', async () => {
      const { number } = await serviceWithNumber();
      const url = `${h.sandbox.url}/api.twilio.com/2010-04-01/Accounts/${sub.sid}/Messages.json`;
      const request = fetch(url, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`${sub.sid}:${sub.token}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ To: HANDSET, From: number.phoneNumber, Body: 'Hi [stall:message-response]', StatusCallback: STATUS_URL }).toString(),
        signal: AbortSignal.timeout(1000),
      });
      await expect(request).rejects.toMatchObject({ name: 'TimeoutError' });
      const [stored] = await sub.client.messages.list({ to: HANDSET });
      await h.sandbox.advance(10);
      expect(statusesFor(stored!.sid)).toEqual(['sending', 'sent', 'delivered']);
    });
  });

  describe('opt-outs', () => {
    it('refuses sends after a handset STOP with 21610 in this account only, and lifts it after START', async () => {
      const { number } = await serviceWithNumber();
      const other = await subaccount(h, 'Other customer');
      const otherNumber = await other.client.incomingPhoneNumbers.create({ phoneNumber: '+447700900600' });
      await h.sandbox.simulateInbound({ from: HANDSET, to: number.phoneNumber, body: ' Stop ' });
      await expectTwilioError(sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi' }), 400, 21610);
      // Opt-outs live at the account level: another subaccount may still send.
      await expect(other.client.messages.create({ to: HANDSET, from: otherNumber.phoneNumber, body: 'Hi' })).resolves.toHaveProperty('status', 'queued');
      // Not a keyword: still opted out.
      await h.sandbox.simulateInbound({ from: HANDSET, to: number.phoneNumber, body: 'start please' });
      await expectTwilioError(sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi' }), 400, 21610);
      await h.sandbox.simulateInbound({ from: HANDSET, to: number.phoneNumber, body: 'unstop' });
      await expect(sub.client.messages.create({ to: HANDSET, from: number.phoneNumber, body: 'Hi' })).resolves.toHaveProperty('status', 'queued');
    });

    it('fails a scheduled message with 21610 at its send time when the recipient opted out after it was scheduled', async () => {
      const { service, number } = await serviceWithNumber();
      const sendAt = new Date(h.sandbox.now().getTime() + 3600_000);
      const scheduled = await sub.client.messages.create({ to: HANDSET, messagingServiceSid: service.sid, body: 'later', sendAt, scheduleType: 'fixed' });
      await h.sandbox.simulateInbound({ from: HANDSET, to: number.phoneNumber, body: 'STOP' });
      await h.sandbox.advance(3700);
      expect(await sub.client.messages(scheduled.sid).fetch()).toMatchObject({ status: 'failed', errorCode: 21610, price: null });
      expect(statusesFor(scheduled.sid)).toEqual(['queued', 'failed']);
    });
  });

  describe('scheduled messages', () => {
    it('go out at their send time on the sandbox clock and not a second before', async () => {
      const { service } = await serviceWithNumber();
      const sendAt = new Date(h.sandbox.now().getTime() + 3600_000);
      const scheduled = await sub.client.messages.create({ to: HANDSET, messagingServiceSid: service.sid, body: 'a'.repeat(200), sendAt, scheduleType: 'fixed' });
      expect(scheduled).toMatchObject({ status: 'scheduled', numSegments: '0' });
      await h.sandbox.advance(3599);
      expect(await sub.client.messages(scheduled.sid).fetch()).toMatchObject({ status: 'scheduled', dateSent: null });
      expect(statusesFor(scheduled.sid)).toEqual([]);
      await h.sandbox.advance(1);
      expect((await sub.client.messages(scheduled.sid).fetch()).status).toBe('accepted');
      await h.sandbox.advance(10);
      const sent = await sub.client.messages(scheduled.sid).fetch();
      expect(sent).toMatchObject({ status: 'delivered', numSegments: '2', price: '-0.01580' });
      expect(sent.dateSent!.getTime()).toBe(sendAt.getTime() + 3000);
      expect(statusesFor(scheduled.sid)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    });

    it('once canceled, never go out and leave nothing pending', async () => {
      const { service } = await serviceWithNumber();
      const sendAt = new Date(h.sandbox.now().getTime() + 3600_000);
      const scheduled = await sub.client.messages.create({ to: HANDSET, messagingServiceSid: service.sid, body: 'later', sendAt, scheduleType: 'fixed' });
      expect(h.sandbox.pendingTransitions().some((t) => t.label.includes(scheduled.sid))).toBe(true);
      const canceled = await raw('POST', `/Messages/${scheduled.sid}.json`, { Status: 'canceled' });
      expect(canceled.body).toMatchObject({ status: 'canceled', price: null });
      expect(h.sandbox.pendingTransitions().some((t) => t.label.includes(scheduled.sid))).toBe(false);
      await h.sandbox.advance(7200);
      expect((await sub.client.messages(scheduled.sid).fetch()).status).toBe('canceled');
      expect(statusesFor(scheduled.sid)).toEqual([]);
      await expectTwilioError(sub.client.messages(scheduled.sid).update({ status: 'canceled' }), 400, 20001);
    });
  });
});
