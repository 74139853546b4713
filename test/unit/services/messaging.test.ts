import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { messagingService, type MessagingDeps } from '../../../shared/services/messaging';
import { messageStore, type MessageRecord, type TransactItem } from '../../../shared/store/messages';
import { messageRequestKey } from '../../../shared/store/keys';
import { usageStore } from '../../../shared/store/usage';
import type { SendRegistration, SendState } from '../../../shared/store/send-context';
import { TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import type { Message, SendMessageInput } from '../../../shared/twilio/gateway';
import { fixedClock, sequentialIds } from '../../support/fakes';
import type { TemplateForSend } from '../../../shared/messaging/whatsapp-rules';
import { MessageCreateSchema } from '../../../shared/domain/message';

/**
 * The send path with fakes for every port: what is checked before Twilio is called, what each
 * Twilio outcome leaves behind, and how many store calls a send costs.
 */
const PARTNER = 'ptn_1';
const CUSTOMER = 'cus_1';
const ACCOUNT = 'AC' + 'a'.repeat(32);
const SERVICE = 'MG' + 'b'.repeat(32);
const NUMBER = '+14155550100';
const TO = '+14155550123';

const readyState = (): SendState => ({
  customer: { status: 'active', accountSid: ACCOUNT },
  subaccount: { partnerId: PARTNER, customerId: CUSTOMER, accountSid: ACCOUNT, friendlyName: 'x', status: 'active', encryptedAuthToken: 'cipher', createdAt: '', updatedAt: '' },
});
const readyRegistration = (): SendRegistration => ({
  campaignStatus: 'succeeded',
  messagingServiceSid: SERVICE,
  numbers: [{ phoneNumber: NUMBER, status: 'registered', messagingServiceSid: SERVICE }],
});
const accepted = (input: SendMessageInput): Message => ({
  sid: 'SM' + 'c'.repeat(32), status: 'accepted', to: input.to, from: null, messagingServiceSid: SERVICE, direction: 'outbound-api',
  numSegments: 1, errorCode: null, errorMessage: null, price: null, priceUnit: null, dateCreated: null, dateSent: null,
});

function harness(overrides: { state?: SendState; registration?: SendRegistration; send?: (input: SendMessageInput) => Promise<Message>; commit?: (items: TransactItem[]) => boolean; statusCallbackUrl?: MessagingDeps['statusCallbackUrl']; reads?: Partial<Pick<ReturnType<typeof messageStore>, 'byRequestKey' | 'get'>>; templates?: TemplateForSend[] } = {}) {
  const calls = { state: 0, registration: 0, templateLookups: 0, transactions: [] as Array<{ events: string[]; items: TransactItem[] }>, sends: [] as SendMessageInput[], optOuts: [] as unknown[] };
  const clock = fixedClock('2026-03-01T12:00:00.000Z');
  // The real item builders (pure); reads are not reached by these tests.
  const store = messageStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'table');
  const deps: MessagingDeps = {
    reader: {
      async state(_partnerId, _customerId, _accountSid, _contact, _channel, templateId) {
        calls.state++;
        const template = templateId === undefined ? undefined : overrides.templates?.find((t) => t.id === templateId);
        return { ...(overrides.state ?? readyState()), ...(template ? { template } : {}) };
      },
      async registration() {
        calls.registration++;
        return overrides.registration ?? readyRegistration();
      },
    },
    messages: { ...store, ...(overrides.reads as object) },
    usage: usageStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'table'),
    events: {
      async appendWith(_partnerId, events, items) {
        calls.transactions.push({ events: events.map((e) => e.type), items });
        return (overrides.commit?.(items) ?? true) ? { committed: true, events: [] } : { committed: false };
      },
    },
    consent: { async recordTwilioOptOut(input) { calls.optOuts.push(input); } },
    twilio: {
      async sendMessage(_creds, input) {
        calls.sends.push(input);
        return (overrides.send ?? (async (i) => accepted(i)))(input);
      },
      async cancelMessage() {
        throw new Error('not used');
      },
    },
    tokens: { get: async () => 'token' },
    statusCallbackUrl: overrides.statusCallbackUrl ?? (async (id) => `https://hooks.example/status?messageId=${id}`),
    clock,
    ids: sequentialIds(),
    templates: {
      async findForSend(_partnerId, _customerId, ref) {
        calls.templateLookups++;
        return overrides.templates?.find((t) => t.id === ref.templateId || t.contentSid === ref.contentSid);
      },
    },
  };
  return { service: messagingService(deps), calls, clock };
}

const kinds = (items: TransactItem[]) => items.map((i) => Object.keys(i)[0]);

describe('send', () => {
  it('a warm send costs one batch read and two transactions, and sends once through the messaging service', async () => {
    const { service, calls } = harness();
    await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'first' });
    const before = { state: calls.state, registration: calls.registration, transactions: calls.transactions.length };
    const result = await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hello' });
    expect(result).toMatchObject({ status: 201, replayed: false, message: { sid: expect.stringMatching(/^SM/), status: 'accepted', segments: 1, encoding: 'GSM-7' } });
    // Warm: the AccountSid and the ready registration are known, so one BatchGet (state) and two writes.
    expect({ state: calls.state - before.state, registration: calls.registration - before.registration, transactions: calls.transactions.length - before.transactions }).toEqual({ state: 1, registration: 0, transactions: 2 });
    const last = calls.sends[calls.sends.length - 1]!;
    expect(last).toMatchObject({ to: TO, messagingServiceSid: SERVICE, body: 'hello', statusCallback: `https://hooks.example/status?messageId=${result.message.id}` });
    expect(calls.transactions.slice(-2).map((t) => t.events)).toEqual([[], ['message.created']]);
  });

  it("counts the message in its month with the SID's first write, in the same transaction, and counts nothing when that write is refused", async () => {
    // Through a service Twilio answers 0 segments while the sender is being picked: our own count stands.
    const { service, calls } = harness({ send: async (i) => ({ ...accepted(i), numSegments: 0 }) });
    await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'x'.repeat(200) });
    const completion = calls.transactions[1]!;
    expect(kinds(completion.items)).toEqual(['Update', 'Update']);
    const counter = completion.items[1]!.Update!;
    expect((counter.Key as { pk: string }).pk).toBe(`PARTNER#${PARTNER}#CUSTOMER#${CUSTOMER}#USAGE#2026-03`);
    expect(counter.ExpressionAttributeValues).toMatchObject({ ':m': 1, ':s': 2 });
    // The pending row itself counts nothing: a send Twilio never accepts is never billed.
    expect(calls.transactions[0]!.items.some((i) => JSON.stringify(i).includes('USAGE#'))).toBe(false);

    // Refused (a callback stored the SID first): the counter went with the refused write, and what follows counts nothing.
    const raced = harness({
      commit: (items) => !(items[0]!.Update?.ConditionExpression ?? '').includes('attribute_not_exists(sid)'),
      reads: { get: async () => undefined },
    });
    await raced.service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hello' });
    const after = raced.calls.transactions.slice(2).flatMap((t) => t.items);
    expect(after.length).toBeGreaterThan(0);
    expect(after.some((i) => JSON.stringify(i).includes('USAGE#'))).toBe(false);
  });

  it('re-reads a registration that was not ready, and trusts a ready one only for a while', async () => {
    const reg: SendRegistration = { ...readyRegistration(), campaignStatus: 'waiting' };
    const { service, calls, clock } = harness({ registration: reg });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' })).rejects.toMatchObject({ type: 'customer-not-ready', message: expect.stringMatching(/campaign is not verified/) });
    reg.campaignStatus = 'succeeded';
    await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' });
    await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' });
    expect(calls.registration).toBe(2);
    clock.advance(61_000);
    await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' });
    expect(calls.registration).toBe(3);
  });

  it.each([
    ['a suspended subaccount', { state: { ...readyState(), customer: { status: 'suspended' as const, accountSid: ACCOUNT }, subaccount: { ...readyState().subaccount!, status: 'suspended' as const } } }, /suspended/],
    ['no subaccount', { state: { customer: { status: 'active' as const } } }, /no Twilio subaccount/],
    ['a number not yet registered', { registration: { ...readyRegistration(), numbers: [{ phoneNumber: NUMBER, status: 'registration-pending' as const, messagingServiceSid: SERVICE }] } }, /no number of the customer is attached/],
    ['no messaging service', { registration: { ...readyRegistration(), messagingServiceSid: undefined } }, /no messaging service/],
  ])('refuses with customer-not-ready for %s, before Twilio is called', async (_name, overrides, detail) => {
    const { service, calls } = harness(overrides);
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' })).rejects.toMatchObject({ status: 409, type: 'customer-not-ready', message: expect.stringMatching(detail) });
    expect(calls.sends).toHaveLength(0);
    expect(calls.transactions).toHaveLength(0);
  });

  it('a from number that is not registered yet is named in the refusal', async () => {
    const { service } = harness({ registration: { ...readyRegistration(), numbers: [{ phoneNumber: NUMBER, status: 'attached', messagingServiceSid: SERVICE }] } });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', from: NUMBER, body: 'hi' })).rejects.toMatchObject({ type: 'customer-not-ready', message: expect.stringContaining(`${NUMBER} is attached`) });
  });

  it('throttled by Twilio: nothing was sent, so the pending row and its key are removed and the error surfaces as retryable', async () => {
    const { service, calls } = harness({ send: async () => { throw new TwilioRetryableError({ code: 20429, status: 429, message: 'Too many requests', moreInfo: null }); } });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' }, 'key-1')).rejects.toBeInstanceOf(TwilioRetryableError);
    // The pending row, its reconciliation marker and its Idempotency-Key row.
    expect(kinds(calls.transactions[1]!.items)).toEqual(['Delete', 'Delete', 'Delete']);
    expect(calls.transactions[1]!.items.map((i) => String(i.Delete!.Key!.sk).split('#')[0])).toEqual(['MESSAGE', 'RECONCILE', 'MESSAGE_REQUEST']);
  });

  it("Twilio's answer lost (5xx or timeout): 202 with the pending message, kept for its status callback", async () => {
    const { service, calls } = harness({ send: async () => { throw new TwilioRetryableError({ code: null, status: null, message: 'socket hang up', moreInfo: null }); } });
    const result = await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' }, 'key-2');
    expect(result).toMatchObject({ status: 202, message: { status: 'pending', sid: null } });
    expect(calls.transactions).toHaveLength(1);
  });

  it('a permanent refusal is stored as failed and answered 422 with the field and a readable reason', async () => {
    const { service, calls } = harness({ send: async () => { throw new TwilioPermanentError({ code: 21614, status: 400, message: 'not a mobile number', moreInfo: null }); } });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' })).rejects.toMatchObject({
      status: 422, type: 'message-refused', errors: [{ field: 'to', message: expect.stringMatching(/not a mobile number/) }],
    });
    const refusal = calls.transactions[1]!.items[0]!.Update!;
    expect(refusal.ExpressionAttributeValues).toMatchObject({ ':failed': 'failed', ':code': 21614 });
  });

  it('21610 records the opt-out with the refused message as evidence and answers recipient-opted-out', async () => {
    const { service, calls } = harness({ send: async () => { throw new TwilioPermanentError({ code: 21610, status: 400, message: 'unsubscribed recipient', moreInfo: null }); } });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' })).rejects.toMatchObject({ status: 409, type: 'recipient-opted-out' });
    expect(calls.optOuts).toEqual([expect.objectContaining({ contact: TO, channel: 'sms', errorCode: 21610, messageId: expect.stringMatching(/^msg_/) })]);
  });

  it('a replayed Idempotency-Key answers from the stored message without sending; another body with the key is refused', async () => {
    const requests = new Map<string, { customerId: string; messageId: string; requestHash: string }>();
    const rows = new Map<string, MessageRecord>();
    const { service, calls } = harness({
      // The key's row is taken once; the second transaction with it fails its condition.
      commit: (items) => {
        const key = items.find((i) => i.Put?.Item?.entity === 'MessageRequest')?.Put!.Item!;
        const message = items.find((i) => i.Put?.Item?.entity === 'Message')?.Put!.Item as unknown as MessageRecord | undefined;
        if (key && requests.has(key.pk as string)) return false;
        if (key) requests.set(key.pk as string, { customerId: key.customerId as string, messageId: key.messageId as string, requestHash: key.requestHash as string });
        if (message) rows.set(message.messageId, { ...message, status: 'delivered', sid: 'SM' + 'd'.repeat(32) });
        return true;
      },
      reads: {
        byRequestKey: async (_p: string, _c: string, key: string) => [...requests.entries()].find(([pk]) => pk.endsWith(`#${key}`))?.[1],
        get: async (_p: string, _c: string, id: string) => rows.get(id),
      },
    });
    const first = await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'code 1234' }, 'key-3');
    const again = await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'code 1234' }, 'key-3');
    expect(again).toMatchObject({ replayed: true, status: 201, message: { id: first.message.id, status: 'delivered' } });
    expect(calls.sends).toHaveLength(1);
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'code 9999' }, 'key-3')).rejects.toMatchObject({ status: 422, type: 'idempotency-key-reused' });
    expect(calls.sends).toHaveLength(1);
  });

  it("keeps Idempotency-Keys apart per customer: the same key for another customer is a new message, never a replay or a refusal", async () => {
    const requests = new Map<string, { customerId: string; messageId: string; requestHash: string }>();
    const { service, calls } = harness({
      commit: (items) => {
        const key = items.find((i) => i.Put?.Item?.entity === 'MessageRequest')?.Put!.Item!;
        if (key && requests.has(key.pk as string)) return false;
        if (key) requests.set(key.pk as string, { customerId: key.customerId as string, messageId: key.messageId as string, requestHash: key.requestHash as string });
        return true;
      },
      reads: { byRequestKey: async (p: string, c: string, key: string) => requests.get(messageRequestKey(p, c, key).pk) },
    });
    await service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'code 1234' }, 'order-1');
    const other = await service.send(PARTNER, 'cus_2', { to: TO, channel: 'sms', body: 'code 9999' }, 'order-1');
    expect(other.replayed).toBeFalsy();
    expect(calls.sends).toHaveLength(2);
    expect([...requests.values()].map((r) => r.customerId).sort()).toEqual([CUSTOMER, 'cus_2']);
  });

  it('fails before anything is stored or sent when the status callback URL cannot be resolved', async () => {
    const unreadable = new Error('The webhook base URL could not be read from SSM parameter /switchboard/prod/webhook-base-url');
    const { service, calls } = harness({ statusCallbackUrl: async () => Promise.reject(unreadable) });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hello' })).rejects.toBe(unreadable);
    expect(calls.transactions).toEqual([]);
    expect(calls.sends).toEqual([]);
  });

  it('refuses a body over maxSegments before anything is stored, naming the characters that force UCS-2', async () => {
    const { service, calls } = harness();
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'x'.repeat(100) + '’', maxSegments: 1 })).rejects.toMatchObject({
      status: 422, type: 'too-many-segments', message: expect.stringContaining('’'),
    });
    expect(calls.state).toBe(0);
  });

  it.each([60, 40 * 86400])('refuses sendAt %i s ahead with send-at-out-of-range', async (seconds) => {
    const { service, clock } = harness();
    const sendAt = new Date(clock.now().getTime() + seconds * 1000).toISOString();
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi', sendAt })).rejects.toMatchObject({ status: 422, type: 'send-at-out-of-range', errors: [{ field: 'body.sendAt' }] });
  });
});

describe('WhatsApp sends', () => {
  const NOW = Date.parse('2026-03-01T12:00:00.000Z');
  const hoursAgo = (h: number) => new Date(NOW - h * 3600_000).toISOString();
  const TEMPLATE: TemplateForSend = { id: 'tpl_01J0000000000000000000000A', contentSid: 'HX' + 'd'.repeat(32), name: 'order_update', language: 'en', category: 'UTILITY', status: 'approved', variables: ['1', '2'] };
  const whatsApp = (body: Record<string, unknown>) => MessageCreateSchema.parse({ to: `whatsapp:${TO}`, ...body });
  // No A2P campaign and no registered number: WhatsApp needs only the messaging service (and the sender Twilio checks).
  const whatsAppRegistration = (): SendRegistration => ({ campaignStatus: undefined, messagingServiceSid: SERVICE, numbers: [] });
  const inWindow = (hours: number): SendState => ({ ...readyState(), whatsAppLastInboundAt: hoursAgo(hours) });

  it('sends free-form inside the 24-hour window to whatsapp: addresses, without an A2P campaign', async () => {
    const { service, calls } = harness({ state: inWindow(23.9), registration: whatsAppRegistration() });
    const result = await service.send(PARTNER, CUSTOMER, whatsApp({ body: 'Your table is ready', from: `whatsapp:${NUMBER}` }));
    expect(result.message).toMatchObject({ channel: 'whatsapp', contact: TO, to: TO });
    expect(result.message.segments).toBeUndefined();
    expect(calls.sends).toEqual([expect.objectContaining({ to: `whatsapp:${TO}`, from: `whatsapp:${NUMBER}`, body: 'Your table is ready', messagingServiceSid: SERVICE })]);
  });

  it.each([
    ['the contact never wrote', readyState(), /never written/],
    ['the last message is over 24 hours old', inWindow(24.01), /window closed at/],
  ])('refuses free-form with 422 template-required when %s, before anything is stored or sent', async (_name, state, detail) => {
    const { service, calls } = harness({ state, registration: whatsAppRegistration() });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ body: 'hello' }))).rejects.toMatchObject({ status: 422, type: 'template-required', message: expect.stringMatching(detail), errors: [{ field: 'body.body' }] });
    expect(calls.sends).toHaveLength(0);
    expect(calls.transactions).toHaveLength(0);
  });

  it('judges a scheduled free-form message by the window at its send time', async () => {
    const { service, calls } = harness({ state: inWindow(1), registration: whatsAppRegistration() });
    const sendAt = (hours: number) => new Date(NOW + hours * 3600_000).toISOString();
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ body: 'later', sendAt: sendAt(22.5) }))).resolves.toMatchObject({ status: 201 });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ body: 'too late', sendAt: sendAt(23.5) }))).rejects.toMatchObject({ type: 'template-required' });
    expect(calls.sends).toHaveLength(1);
  });

  it('sends an approved template outside the window with its Content SID and variables, and keeps them in history', async () => {
    const { service, calls } = harness({ state: readyState(), registration: whatsAppRegistration(), templates: [TEMPLATE] });
    const result = await service.send(PARTNER, CUSTOMER, whatsApp({ templateId: TEMPLATE.id, contentVariables: { '1': 'Ada', '2': 'Tuesday' } }));
    expect(calls.sends).toEqual([expect.objectContaining({ to: `whatsapp:${TO}`, contentSid: TEMPLATE.contentSid, contentVariables: { '1': 'Ada', '2': 'Tuesday' } })]);
    expect(calls.sends[0]!.body).toBeUndefined();
    expect(result.message).toMatchObject({ templateId: TEMPLATE.id, contentSid: TEMPLATE.contentSid, contentVariables: { '1': 'Ada', '2': 'Tuesday' } });
    // By id, the template came with the send context's one batch read.
    expect({ state: calls.state, templateLookups: calls.templateLookups }).toEqual({ state: 1, templateLookups: 0 });
  });

  it.each(['pending', 'rejected', 'paused', 'disabled'])('refuses a %s template with 409 template-not-approved naming its status', async (status) => {
    const { service, calls } = harness({ state: readyState(), registration: whatsAppRegistration(), templates: [{ ...TEMPLATE, status }] });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ templateId: TEMPLATE.id, contentVariables: { '1': 'a', '2': 'b' } }))).rejects.toMatchObject({ status: 409, type: 'template-not-approved', message: expect.stringContaining(`is ${status}`) });
    expect(calls.sends).toHaveLength(0);
  });

  it('refuses variables that do not fit the template, naming each, and an unknown template id', async () => {
    const { service, calls } = harness({ state: readyState(), registration: whatsAppRegistration(), templates: [TEMPLATE] });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ templateId: TEMPLATE.id, contentVariables: { '1': 'Ada', '3': 'x' } }))).rejects.toMatchObject({
      status: 422, type: 'template-mismatch', errors: [{ field: 'body.contentVariables.2' }, { field: 'body.contentVariables.3' }],
    });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ templateId: 'tpl_01J0000000000000000000000B' }))).rejects.toMatchObject({ status: 422, type: 'template-mismatch', errors: [{ field: 'body.templateId' }] });
    expect(calls.sends).toHaveLength(0);
  });

  it('checks a known Content SID like a template id, and passes an unknown one (made outside Switchboard) to Twilio', async () => {
    const { service, calls } = harness({ state: readyState(), registration: whatsAppRegistration(), templates: [{ ...TEMPLATE, status: 'paused' }] });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ contentSid: TEMPLATE.contentSid }))).rejects.toMatchObject({ type: 'template-not-approved' });
    const other = 'HX' + 'e'.repeat(32);
    await service.send(PARTNER, CUSTOMER, whatsApp({ contentSid: other, contentVariables: { name: 'Ada' } }));
    expect(calls.sends).toEqual([expect.objectContaining({ contentSid: other, contentVariables: { name: 'Ada' } })]);
  });

  it.each([
    [63016, 422, 'template-required'],
    [63040, 409, 'template-not-approved'],
    [63041, 409, 'template-not-approved'],
    [63042, 409, 'template-not-approved'],
  ])("maps Twilio's %i to the same problem, keeping the message as failed", async (code, status, type) => {
    const { service, calls } = harness({
      state: inWindow(1), registration: whatsAppRegistration(),
      send: async () => { throw new TwilioPermanentError({ code, status: 400, message: 'refused', moreInfo: null }); },
    });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ body: 'hi' }))).rejects.toMatchObject({ status, type });
    // The pending row, then Twilio's refusal stored on it.
    expect(calls.transactions).toHaveLength(2);
  });

  it('applies opt-outs per channel: a WhatsApp opt-out blocks WhatsApp only', async () => {
    const optedOut = { entity: 'ConsentState', contact: TO, version: 1, updatedAt: hoursAgo(2), channels: { whatsapp: { state: 'opted-out', since: hoursAgo(2), source: 'keyword', keyword: 'STOP', recordId: 'kw_x' } } };
    const state = { ...inWindow(1), consent: optedOut };
    const { service, calls } = harness({ state, registration: { ...readyRegistration(), campaignStatus: 'succeeded' } });
    await expect(service.send(PARTNER, CUSTOMER, whatsApp({ body: 'hi' }))).rejects.toMatchObject({ type: 'recipient-opted-out' });
    await expect(service.send(PARTNER, CUSTOMER, { to: TO, channel: 'sms', body: 'hi' })).resolves.toMatchObject({ status: 201 });
    expect(calls.sends.map((s) => s.to)).toEqual([TO]);
  });
});

describe('the WhatsApp request shape', () => {
  const parse = (body: Record<string, unknown>) => MessageCreateSchema.safeParse(body);
  const fields = (body: Record<string, unknown>) => {
    const result = parse(body);
    return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
  };

  it('reads whatsapp: addresses as the WhatsApp channel with bare E.164 numbers', () => {
    expect(MessageCreateSchema.parse({ to: `whatsapp:${TO}`, body: 'x' })).toMatchObject({ to: TO, channel: 'whatsapp' });
    expect(MessageCreateSchema.parse({ to: TO, channel: 'whatsapp', from: `whatsapp:${NUMBER}`, body: 'x' })).toMatchObject({ to: TO, from: NUMBER, channel: 'whatsapp' });
    expect(MessageCreateSchema.parse({ to: TO, body: 'x' })).toMatchObject({ channel: 'sms' });
  });

  it.each([
    [{ to: `whatsapp:${TO}`, channel: 'sms', body: 'x' }, 'channel'],
    [{ to: TO, templateId: 'tpl_01J0000000000000000000000A' }, 'templateId'],
    [{ to: TO, channel: 'whatsapp', templateId: 'tpl_01J0000000000000000000000A', body: 'x' }, 'body'],
    [{ to: TO, channel: 'whatsapp', templateId: 'tpl_01J0000000000000000000000A', contentSid: 'HX' + 'a'.repeat(32) }, 'contentSid'],
    [{ to: TO, channel: 'whatsapp', body: 'x', contentVariables: { '1': 'a' } }, 'contentVariables'],
    [{ to: TO, channel: 'whatsapp', contentSid: 'HX' + 'a'.repeat(32), contentVariables: { '1': ' ' } }, 'contentVariables.1'],
    [{ to: TO, channel: 'whatsapp', body: 'x', maxSegments: 2 }, 'maxSegments'],
    [{ to: TO, channel: 'whatsapp', mediaUrls: ['https://a.example/1.jpg', 'https://a.example/2.jpg'] }, 'mediaUrls'],
    [{ to: TO, channel: 'whatsapp' }, 'body'],
    [{ to: 'whatsapp:12345', body: 'x' }, 'to'],
  ])('refuses %j at %s', (body, field) => {
    expect(fields(body)).toContain(field);
  });
});
