import fc from 'fast-check';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, partnerEventLog, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';

/**
 * Messaging end to end on the local platform: the real handlers over HTTP, DynamoDB Local, the
 * Twilio sandox sending signed status callbacks and inbound messages to the receivers, the queues
 * drained by hand and every clock moved by hand (no sleeping).
 */
let platform: Platform;
let clock: ReturnType<typeof manualClock>;
let api: ApiClient;
let other: ApiClient;
let customerId: string;
let accountSid: string;
let number: string;
let seq = 0;

/** A handset of its own for each test, so consent never leaks between them. */
const handset = () => `+1415555${String(7000 + ++seq).padStart(4, '0')}`;

async function onboard(client: ApiClient): Promise<{ id: string; accountSid: string; number: string }> {
  const id = await newCustomer(client, customerBody());
  const started = await client.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } });
  expect(started.status).toBe(202);
  const execution = await runToEnd(platform, `${id}-a1`);
  expect(execution.status).toBe('SUCCEEDED');
  const timeline = (await client.get(`/v1/customers/${id}/onboarding`)).body;
  const numbers = (await client.get(`/v1/customers/${id}/numbers`)).body.data;
  return { id, accountSid: timeline.steps[0].sids.accountSid, number: numbers[0].phoneNumber };
}

/** Lets the sandbox walk its message lifecycles and the consumers take in what it sent. */
async function settle(seconds = 10): Promise<void> {
  for (let i = 0; i < seconds; i++) await sandboxOf(platform).advance(1);
  await platform.queues.drain();
}

const send = (body: Record<string, unknown>, headers: Record<string, string> = {}, client = api, customer = customerId) =>
  client.post(`/v1/customers/${customer}/messages`, body, headers);
const allEvents = () => partnerEventLog(api);
const messagesTo = (to: string) => sandboxOf(platform).requests({ method: 'POST', path: /\/Messages\.json$/ }).filter((r) => r.params?.To === to);

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('messaging', { twilio: 'sandbox', clock });
  const partner = await platform.admin.createPartnerWithKey('Messaging partner');
  api = apiClient(platform.url, partner.apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
  ({ id: customerId, accountSid, number } = await onboard(api));
}, 120_000);
afterAll(() => platform?.stop());

describe('sending', () => {
  it('a message is sent, reaches delivered and shows its whole timeline', async () => {
    const to = handset();
    const sent = await send({ to, body: 'Acme: your order shipped. Reply STOP to opt out.' });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      id: expect.stringMatching(/^msg_/), sid: expect.stringMatching(/^SM/), direction: 'outbound', channel: 'sms', to, contact: to,
      status: 'accepted', segments: 1, encoding: 'GSM-7',
    });
    expect(sent.headers.get('location')).toBe(`/v1/customers/${customerId}/messages/${sent.body.id}`);
    // Through the customer's messaging service, with our callback naming the message.
    const [request] = messagesTo(to);
    expect(request?.accountSid).toBe(accountSid);
    expect(request?.params).toMatchObject({ MessagingServiceSid: expect.stringMatching(/^MG/), StatusCallback: `${platform.webhookBaseUrl}/status?messageId=${sent.body.id}` });

    await settle();
    const stored = (await api.get(`/v1/customers/${customerId}/messages/${sent.body.id}`)).body;
    expect(stored).toMatchObject({ status: 'delivered', sid: sent.body.sid, from: number });
    expect(stored.timeline.map((t: { status: string }) => t.status)).toEqual(['pending', 'accepted', 'queued', 'sending', 'sent', 'delivered']);
    const events = (await allEvents()).filter((e: { data: { messageId?: string } }) => e.data.messageId === sent.body.id);
    // `queued` ranks with `accepted` (both before sending), so it joins the timeline without an update of its own.
    expect(events.map((e) => `${e.type}:${e.data.status}`)).toEqual(['message.created:accepted', 'message.status.updated:sending', 'message.status.updated:sent', 'message.status.updated:delivered']);
  });

  it('counts segments and refuses a body over maxSegments, naming the character that forced UCS-2', async () => {
    const to = handset();
    const body = `Your order shipped ${'x'.repeat(60)} — don’t reply`;
    const refused = expectProblem(await send({ to, body, maxSegments: 1 }), 422);
    expect(refused.type).toMatch(/too-many-segments$/);
    expect(refused.detail).toContain('’');
    expect(messagesTo(to)).toHaveLength(0);
    const sent = await send({ to, body, maxSegments: 2 });
    expect(sent.body).toMatchObject({ segments: 2, encoding: 'UCS-2' });
  });

  it('refuses bad input with problem+json naming the field, and sends nothing', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ to: '+1415', body: 'hi' }, 400, 'to'],
      [{ to: '14155550123', body: 'hi' }, 400, 'to'],
      [{ to: handset() }, 400, 'body'],
      [{ to: handset(), body: 'x'.repeat(1601) }, 400, 'body'],
      [{ to: handset(), mediaUrls: ['http://cdn.example/a.png'] }, 400, 'body.mediaUrls.0'],
      [{ to: handset(), body: 'hi', mediaUrls: Array.from({ length: 11 }, (_, i) => `https://cdn.example/${i}.png`) }, 400, 'mediaUrls'],
      [{ to: handset(), body: 'hi', status: 'delivered' }, 400, 'body'],
      [{ to: handset(), body: 'hi', from: '+19995550100' }, 400, 'from'],
      [{ to: handset(), body: 'hi', sendAt: new Date(Date.now() + 60_000).toISOString() }, 422, 'sendAt'],
      [{ to: handset(), body: 'hi', sendAt: new Date(Date.now() + 40 * 86_400_000).toISOString() }, 422, 'sendAt'],
    ];
    const before = sandboxOf(platform).requests({ method: 'POST', path: /\/Messages\.json$/ }).length;
    for (const [body, status, field] of cases) {
      const problem = expectProblem(await send(body), status);
      expect(problem.errors?.map((e) => e.field).join(' ')).toContain(field);
    }
    expect(expectProblem(await api.request('POST', `/v1/customers/${customerId}/messages`, { raw: '{"to":', headers: { 'content-type': 'application/json' } }), 400).type).toMatch(/malformed-json$/);
    expect(sandboxOf(platform).requests({ method: 'POST', path: /\/Messages\.json$/ })).toHaveLength(before);
  });

  it('a customer that has not finished onboarding gets customer-not-ready naming what is missing', async () => {
    const fresh = await newCustomer(api, customerBody());
    expect(expectProblem(await send({ to: handset(), body: 'hi' }, {}, api, fresh), 409).detail).toMatch(/subaccount/);
    await api.post(`/v1/customers/${fresh}/subaccount`, {});
    const problem = expectProblem(await send({ to: handset(), body: 'hi' }, {}, api, fresh), 409);
    expect(problem.type).toMatch(/customer-not-ready$/);
    expect(problem.detail).toMatch(/campaign/);
  });

  it('Twilio refusing the create keeps the message as failed with a readable reason, answered 422 naming the field', async () => {
    const to = handset();
    const rule = sandboxOf(platform).addRule({ type: 'fail', step: 'message-request', errorCode: 21614, times: 1 });
    try {
      const refused = expectProblem(await send({ to, body: 'hello landline' }), 422);
      expect(refused).toMatchObject({ type: expect.stringMatching(/message-refused$/), errors: [{ field: 'to', message: expect.stringMatching(/not a mobile number/) }] });
    } finally {
      sandboxOf(platform).removeRule(rule);
    }
    const [failed] = (await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(to)}`)).body.data;
    expect(failed).toMatchObject({ status: 'failed', sid: null, errorCode: 21614, errorReason: expect.stringMatching(/not a mobile number/) });
  });

  it('a message the carrier filters ends undelivered with the error code and a readable reason', async () => {
    const rule = sandboxOf(platform).addRule({ type: 'fail', step: 'message', errorCode: 30007, times: 1 });
    try {
      const sent = await send({ to: handset(), body: 'Huge sale!!!' });
      expect(sent.status).toBe(201);
      await settle();
      const stored = (await api.get(`/v1/customers/${customerId}/messages/${sent.body.id}`)).body;
      expect(stored).toMatchObject({ status: 'undelivered', errorCode: 30007, errorReason: expect.stringMatching(/carrier filtered/i) });
      const update = (await allEvents()).find((e: { type: string; data: { messageId?: string; status?: string } }) => e.data.messageId === sent.body.id && e.data.status === 'undelivered');
      expect(update?.data).toMatchObject({ errorCode: 30007, errorReason: expect.any(String) });
    } finally {
      sandboxOf(platform).removeRule(rule);
    }
  });
});

describe('consent', () => {
  it('STOP opts the contact out with evidence, a send then gets 409, START re-allows', async () => {
    const contact = handset();
    const stop = await sandboxOf(platform).simulateInbound({ from: contact, to: number, body: 'STOP' });
    await platform.queues.drain();
    const consent = (await api.get(`/v1/customers/${customerId}/contacts/${encodeURIComponent(contact)}/consent`)).body;
    expect(consent.channels.sms).toMatchObject({ state: 'opted-out', source: 'keyword' });
    expect(consent.history).toEqual([expect.objectContaining({ action: 'opt-out' })]);
    expect(JSON.stringify(consent.history)).toContain(stop.messageSid);

    const refused = expectProblem(await send({ to: contact, body: 'Still there?' }), 409);
    expect(refused.type).toMatch(/recipient-opted-out$/);
    expect(refused.detail).toContain('STOP');
    expect(messagesTo(contact)).toHaveLength(0);

    await sandboxOf(platform).simulateInbound({ from: contact, to: number, body: 'START' });
    await platform.queues.drain();
    expect((await send({ to: contact, body: 'Welcome back' })).status).toBe(201);
    const inbound = (await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(contact)}&direction=inbound`)).body.data;
    expect(inbound.map((m: { body: string }) => m.body)).toEqual(['START', 'STOP']);
    // An inbound message's id is Twilio's SID, and it opens like any other.
    const opened = await api.get(`/v1/customers/${customerId}/messages/${inbound[1].id}`);
    expect([opened.status, opened.body.id, opened.body.direction, opened.body.body]).toEqual([200, stop.messageSid, 'inbound', 'STOP']);
    expectProblem(await other.get(`/v1/customers/${customerId}/messages/${inbound[1].id}`), 404);
  });

  it('Twilio answering 21610 marks the contact opted out, with the refused message as evidence', async () => {
    const contact = handset();
    // Twilio saw the STOP but its webhook never reached us.
    const drop = sandboxOf(platform).addRule({ type: 'webhook', action: 'drop', kind: 'inbound', times: 1 });
    await sandboxOf(platform).simulateInbound({ from: contact, to: number, body: 'STOP' });
    sandboxOf(platform).removeRule(drop);
    await platform.queues.drain();
    const refused = expectProblem(await send({ to: contact, body: 'Sale today' }), 409);
    expect(refused.type).toMatch(/recipient-opted-out$/);
    expect(refused.detail).toContain('21610');
    const consent = (await api.get(`/v1/customers/${customerId}/contacts/${encodeURIComponent(contact)}/consent`)).body;
    expect(consent.channels.sms).toMatchObject({ state: 'opted-out', source: 'twilio-error' });
    // Now refused before Twilio is called.
    const calls = messagesTo(contact).length;
    expectProblem(await send({ to: contact, body: 'Sale today' }), 409);
    expect(messagesTo(contact)).toHaveLength(calls);
    const failed = (await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(contact)}&status=failed`)).body.data;
    expect(failed).toEqual([expect.objectContaining({ errorCode: 21610, errorReason: expect.stringMatching(/opted out/) })]);
  });
});

describe('crash safety and convergence', () => {
  it('a crash between Twilio accepting and our write ends with one message (completed by its callback) and no second send on retry', async () => {
    const to = handset();
    const { documentClient } = require('../../shared/store/client') as typeof import('../../shared/store/client');
    const original = documentClient.send.bind(documentClient);
    // The write that stores Twilio's SID on the pending row fails, as if the function died there.
    const spy = jest.spyOn(documentClient, 'send').mockImplementation(((command: { input?: { TransactItems?: Array<{ Update?: { ConditionExpression?: string } }> } }, ...rest: unknown[]) => {
      if (command.input?.TransactItems?.some((i) => i.Update?.ConditionExpression?.includes('attribute_not_exists(sid)') && i.Update.ConditionExpression.includes('statusRank <'))) {
        return Promise.reject(Object.assign(new Error('Function timed out'), { name: 'TimeoutError' }));
      }
      return (original as (...args: unknown[]) => unknown)(command, ...rest);
    }) as never);
    let first;
    try {
      first = await send({ to, body: 'Your code is 1234' }, { 'idempotency-key': `crash-${to}` });
    } finally {
      spy.mockRestore();
    }
    // The store did not answer: a retryable 503, and the retry below converges on the one message.
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(messagesTo(to)).toHaveLength(1);

    await settle();
    const history = (await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(to)}`)).body.data;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ sid: expect.stringMatching(/^SM/), status: 'delivered' });

    const retry = await send({ to, body: 'Your code is 1234' }, { 'idempotency-key': `crash-${to}` });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toMatchObject({ id: history[0].id, status: 'delivered' });
    expect(messagesTo(to)).toHaveLength(1);
    // The same key with another body is a mistake, not a replay.
    expect(expectProblem(await send({ to, body: 'Another code' }, { 'idempotency-key': `crash-${to}` }), 422).type).toMatch(/idempotency-key-reused$/);
  });

  it('status callbacks duplicated and reordered converge on the final status, with every status in the timeline', async () => {
    const to = handset();
    const rule = sandboxOf(platform).addRule({ type: 'status-callbacks', reorder: true, duplicate: true, times: 1 });
    const sent = await send({ to, body: 'Out of order' });
    await settle();
    sandboxOf(platform).removeRule(rule);
    const stored = (await api.get(`/v1/customers/${customerId}/messages/${sent.body.id}`)).body;
    expect(stored.status).toBe('delivered');
    expect(new Set(stored.timeline.map((t: { status: string }) => t.status))).toEqual(new Set(['pending', 'accepted', 'queued', 'sending', 'sent', 'delivered']));
    const updates = (await allEvents()).filter((e: { type: string; data: { messageId?: string } }) => e.type === 'message.status.updated' && e.data.messageId === sent.body.id);
    // Reordered: delivered arrived first and moved the status; the late ones only filled the timeline.
    expect(updates.map((e) => e.data.status)).toEqual(['delivered']);
  });

  it('an inbound message to a number of another customer is dead-lettered, never stored under the wrong customer', async () => {
    const second = await onboard(api);
    const token = sandboxOf(platform).account(accountSid)!.authToken;
    const params = { AccountSid: accountSid, MessageSid: 'SM' + 'e'.repeat(32), From: handset(), To: second.number, Body: 'hello', NumMedia: '0' };
    const url = `${platform.webhookBaseUrl}/inbound`;
    const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks') as typeof import('twilio/lib/webhooks/webhooks');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(token, url, params) },
      body: new URLSearchParams(params),
    });
    expect(response.status).toBe(200);
    const before = platform.queues.deadLetters('inbound-messages').length;
    await platform.queues.drain();
    expect(platform.queues.deadLetters('inbound-messages')).toHaveLength(before + 1);
    for (const customer of [customerId, second.id]) {
      expect((await api.get(`/v1/customers/${customer}/messages/${params.MessageSid}`)).status).toBe(404);
    }
  }, 60_000);
});

describe('scheduling', () => {
  it('a scheduled message can be canceled before its time; a delivered one cannot', async () => {
    const to = handset();
    const sendAt = new Date(Date.now() + 2 * 3600_000).toISOString();
    const scheduled = await send({ to, body: 'See you tomorrow', sendAt });
    expect({ status: scheduled.status, body: scheduled.body }).toMatchObject({ status: 201, body: { status: 'scheduled', sendAt } });
    const canceled = await api.post(`/v1/customers/${customerId}/messages/${scheduled.body.id}/cancel`, {});
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(sandboxOf(platform).requests({ method: 'POST', path: new RegExp(`/Messages/${scheduled.body.sid}\\.json$`) })).toHaveLength(1);

    const now = await send({ to, body: 'Now' });
    await settle();
    expect(expectProblem(await api.post(`/v1/customers/${customerId}/messages/${now.body.id}/cancel`, {}), 409).type).toMatch(/message-not-cancelable$/);
  });
});

describe('scheduling and consent', () => {
  it('a partner-recorded opt-out cancels what is still scheduled to the contact, which Twilio would otherwise send', async () => {
    const to = handset();
    const sendAt = new Date(Date.now() + 2 * 3600_000).toISOString();
    const scheduled = await send({ to, body: 'Your appointment is tomorrow', sendAt });
    expect(scheduled.body.status).toBe('scheduled');
    const recorded = await api.post(`/v1/customers/${customerId}/contacts/${encodeURIComponent(to)}/consent`, {
      action: 'opt-out', channel: 'sms', evidence: { source: 'support-call', capturedAt: new Date(Date.now() - 1000).toISOString(), formText: 'Asked us to stop texting on the phone' },
    });
    expect(recorded.status).toBe(201);
    expect((await api.get(`/v1/customers/${customerId}/messages/${scheduled.body.id}`)).body.status).toBe('canceled');
    // Its send time passes in the sandbox: nothing goes out.
    await sandboxOf(platform).advance(3 * 3600);
    await platform.queues.drain();
    expect((await api.get(`/v1/customers/${customerId}/messages/${scheduled.body.id}`)).body.status).toBe('canceled');
    expect(sandboxOf(platform).webhooks({ kind: 'status-callback', accountSid }).filter((w) => w.url.includes(scheduled.body.id))).toHaveLength(0);
  });
});

describe('history', () => {
  it('pages newest first with filters, and a cursor never repeats or skips a message', async () => {
    const a = handset();
    const b = handset();
    for (let i = 0; i < 4; i++) await send({ to: i % 2 ? a : b, body: `Message ${i}` });
    await platform.queues.drain();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get(`/v1/customers/${customerId}/messages?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((m: { id: string }) => m.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await api.get(`/v1/customers/${customerId}/messages?limit=100`)).body.data;
    expect(seen).toEqual(all.map((m: { id: string }) => m.id));
    const times = all.map((m: { createdAt: string }) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const toA = (await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(a)}`)).body.data;
    expect(toA.map((m: { body: string }) => m.body)).toEqual(['Message 3', 'Message 1']);
    const after = encodeURIComponent(toA[1].createdAt);
    const recent = (await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(a)}&createdAfter=${after}`)).body.data;
    expect(recent).toHaveLength(2);
    expect((await api.get(`/v1/customers/${customerId}/messages?direction=inbound&channel=sms`)).body.data.every((m: { direction: string }) => m.direction === 'inbound')).toBe(true);
    expectProblem(await api.get(`/v1/customers/${customerId}/messages?cursor=bogus`), 400);
    expectProblem(await api.get(`/v1/customers/${customerId}/messages?limit=101`), 400);
    expectProblem(await api.get(`/v1/customers/${customerId}/messages?status=lost`), 400);
  });

  it('answers exactly `limit` messages with a null nextCursor; one more gives a cursor, then a last page with null', async () => {
    const contact = handset();
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) sent.push((await send({ to: contact, body: `Counted ${i}` })).body.id);
    await platform.queues.drain();
    // One contact's conversation (one index partition), then the whole history (merged over the shards).
    const conversation = await api.get(`/v1/customers/${customerId}/messages?contact=${encodeURIComponent(contact)}&limit=100`);
    expect(conversation.body.data.map((m: { id: string }) => m.id)).toEqual([...sent].reverse());
    const whole = await api.get(`/v1/customers/${customerId}/messages?limit=100`);
    expect(whole.body.nextCursor).toBeNull();
    for (const [filter, ids] of [
      [`contact=${encodeURIComponent(contact)}&`, [...sent].reverse()],
      ['', whole.body.data.map((m: { id: string }) => m.id)],
    ] as const) {
      const path = (limit: number, cursor?: string) => `/v1/customers/${customerId}/messages?${filter}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const exact = await api.get(path(ids.length));
      expect(exact.body.data.map((m: { id: string }) => m.id)).toEqual(ids);
      expect(exact.body.nextCursor).toBeNull();
      const first = await api.get(path(ids.length - 1));
      expect(first.body.data.map((m: { id: string }) => m.id)).toEqual(ids.slice(0, -1));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const last = await api.get(path(ids.length - 1, first.body.nextCursor));
      expect(last.body.data.map((m: { id: string }) => m.id)).toEqual(ids.slice(-1));
      expect(last.body.nextCursor).toBeNull();
    }
  });

  it("refuses a malformed cursor, another list's and another customer's with 400 naming query.cursor", async () => {
    for (let i = 0; i < 2; i++) await send({ to: handset(), body: `Paged ${i}` });
    const mine: string = (await api.get(`/v1/customers/${customerId}/messages?limit=1`)).body.nextCursor;
    const otherCustomer = await newCustomer(api, customerBody());
    await api.post('/v1/customers', customerBody());
    const customersCursor: string = (await api.get('/v1/customers?limit=1')).body.nextCursor;
    for (const [customer, cursor] of [
      [customerId, 'bogus'],
      [customerId, mine.slice(0, -2)],
      [customerId, customersCursor],
      [otherCustomer, mine],
    ]) {
      const problem = expectProblem(await api.get(`/v1/customers/${customer}/messages?cursor=${encodeURIComponent(cursor!)}`), 400);
      expect(problem.errors).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
    }
  });

  it("every messaging route answers another partner's customer exactly like a missing one", async () => {
    const sent = await send({ to: handset(), body: 'Mine' });
    const paths: Array<[string, string, unknown?]> = [
      ['POST', `/v1/customers/${customerId}/messages`, { to: handset(), body: 'Not yours' }],
      ['GET', `/v1/customers/${customerId}/messages`],
      ['GET', `/v1/customers/${customerId}/messages/${sent.body.id}`],
      ['POST', `/v1/customers/${customerId}/messages/${sent.body.id}/cancel`, {}],
    ];
    const before = sandboxOf(platform).requests({ method: 'POST', path: /\/Messages/ }).length;
    for (const [method, path, body] of paths) {
      const foreign = await other.request(method, path, { body });
      const missing = await api.request(method, path.replace(customerId, 'cus_01JZZZZZZZZZZZZZZZZZZZZZZZ'), { body });
      expect({ path, status: foreign.status }).toEqual({ path, status: 404 });
      expect(foreign.body.type).toBe(missing.body.type);
    }
    expect(sandboxOf(platform).requests({ method: 'POST', path: /\/Messages/ })).toHaveLength(before);
  });
});

describe('garbage in, clear error out (fuzz)', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const messageish = fc.record(
    { to: fc.oneof(json, fc.constantFrom('+14155550123', '+1', 'whatsapp:+14155550123')), body: json, mediaUrls: json, from: json, sendAt: fc.oneof(json, fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString()))), maxSegments: json, channel: json },
    { requiredKeys: [] },
  );

  it('never answers 5xx to random send bodies or history queries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, messageish), async (body) => {
        const reply = await send(body as Record<string, unknown>);
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) expect(reply.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 60, seed: 20261202 },
    );
    await fc.assert(
      fc.asyncProperty(fc.webQueryParameters(), fc.dictionary(fc.constantFrom('limit', 'cursor', 'contact', 'direction', 'status', 'channel', 'createdAfter', 'createdBefore'), fc.string()), async (raw, named) => {
        const query = [raw, new URLSearchParams(named).toString()].filter(Boolean).join('&');
        const reply = await api.get(`/v1/customers/${customerId}/messages?${query}`);
        expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 60, seed: 20261203 },
    );
  });
});

describe('WhatsApp template sends', () => {
  const TEMPLATE = {
    name: 'order_shipped_send', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' },
    content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.' },
  };
  const whatsAppRequestsTo = (to: string) => messagesTo(`whatsapp:${to}`);

  it('refuses a pending template and a free-form body outside the window before Twilio, then sends the approved template', async () => {
    const created = await api.post(`/v1/customers/${customerId}/templates`, TEMPLATE);
    expect(created.status).toBe(201);
    const to = handset();
    const variables = { '1': 'Ana', '2': 'A-9' };

    expect(expectProblem(await send({ to: `whatsapp:${to}`, templateId: created.body.id, contentVariables: variables }), 409).type).toMatch(/template-not-approved$/);
    expect(expectProblem(await send({ to: `whatsapp:${to}`, body: 'Any news?' }), 422).type).toMatch(/template-required$/);
    expect(whatsAppRequestsTo(to)).toEqual([]);

    // The sandbox decides the review on its clock; the scheduled refresh reads the decision.
    for (let i = 0; i < 3; i++) await sandboxOf(platform).advance(60);
    clock.advance(60_000);
    await platform.schedules.runDue();
    expect((await api.get(`/v1/customers/${customerId}/templates/${created.body.id}`)).body.status).toBe('approved');

    const mismatch = expectProblem(await send({ to: `whatsapp:${to}`, templateId: created.body.id, contentVariables: { '1': 'Ana' } }), 422);
    expect(mismatch.type).toMatch(/template-mismatch$/);
    const sent = await send({ to: `whatsapp:${to}`, templateId: created.body.id, contentVariables: variables });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ channel: 'whatsapp', contact: to });
    const [request] = whatsAppRequestsTo(to);
    expect(request?.params).toMatchObject({ ContentSid: created.body.contentSid, ContentVariables: JSON.stringify(variables), MessagingServiceSid: expect.stringMatching(/^MG/) });
    expect(whatsAppRequestsTo(to)).toHaveLength(1);
  });
});
