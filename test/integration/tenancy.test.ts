import { apiRoutes } from '../../infra/catalog';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient, type Reply } from '../support/local-platform';

/**
 * BOLA (OWASP API1): partner A's key with partner B's ids must answer exactly like an id that
 * does not exist, on every route of the catalog — new routes are covered as they are added —
 * and must change nothing of B's.
 */
let platform: Platform;
let a: ApiClient;
let b: ApiClient;
let bCustomer: Record<string, unknown>;
let bSubaccount: Record<string, unknown>;
let bEndpointId: string;
let bEndpoint: Record<string, unknown>;
let bEventId: string;
let bSessionId: string;

/** A well-formed customer id nobody has. */
const MISSING_CUSTOMER = 'cus_01JF3X0000000000000000ZZZZ';

beforeAll(async () => {
  platform = await startTestPlatform('tenancy', { twilio: 'sandbox', env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true' } });
  a = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Partner A')).apiKey);
  b = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Partner B')).apiKey);
  await a.post('/v1/customers', customerBody({ displayName: 'A own' }));
  bCustomer = (await b.post('/v1/customers', customerBody({ displayName: 'B secret' }))).body;
  const sub = await b.post(`/v1/customers/${bCustomer.id}/subaccount`, undefined);
  expect(sub.status).toBe(201);
  bSubaccount = sub.body;
  // The subaccount is recorded on the customer: this is the state nothing of A's may change.
  bCustomer = (await b.get(`/v1/customers/${bCustomer.id}`)).body;
  const endpoint = await b.post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:65000/hook', eventTypes: ['*'] });
  expect(endpoint.status).toBe(201);
  const { secret: _secret, ...view } = endpoint.body;
  bEndpoint = view;
  bEndpointId = endpoint.body.id;
  // One event in B's log (A has none: event ids are positions in a partner's own log, so A could hold the same id).
  const consent = { action: 'opt-out', channel: 'sms', evidence: { source: 'web-form', capturedAt: '2026-01-01T00:00:00Z' } };
  expect((await b.post(`/v1/customers/${bCustomer.id}/contacts/%2B14155550177/consent`, consent)).status).toBe(201);
  bEventId = (await b.get('/v1/events?limit=1')).body.data[0].id;
  const session = await b.post('/v1/portal-sessions', {});
  expect(session.status).toBe(201);
  bSessionId = session.body.id;
  expect((await a.get('/v1/events')).body.data).toEqual([]);
  // A well-formed cursor (cursors are positions, valid in any log), so the replay body is valid and only ownership decides.
  BODIES['POST /v1/webhook-endpoints/{endpointId}/replay'] = { after: (await b.get('/v1/events?limit=1')).body.pollCursor };
});
afterAll(() => platform?.stop());

/**
 * Values for each path parameter: B's resource, and one that exists nowhere. Child ids are
 * well-formed but unknown on both sides: B's customer id in front is what A must not get past.
 */
const PARAMS: Record<string, { foreign: () => string; missing: string }> = {
  id: { foreign: () => String(bCustomer.id), missing: MISSING_CUSTOMER },
  brandId: { foreign: () => 'BN0123456789abcdef0123456789abcdef', missing: 'BN0123456789abcdef0123456789abcdef' },
  numberId: { foreign: () => 'PN0123456789abcdef0123456789abcdef', missing: 'PN0123456789abcdef0123456789abcdef' },
  phone: { foreign: () => '+14155550123', missing: '+14155550123' },
  messageId: { foreign: () => 'msg_01JF3X0000000000000000ZZZZ', missing: 'msg_01JF3X0000000000000000ZZZZ' },
  endpointId: { foreign: () => bEndpointId, missing: 'we_01JF3X0000000000000000ZZZZ' },
  eventId: { foreign: () => bEventId, missing: 'evt_0_999999' },
  templateId: { foreign: () => 'tpl_01JF3X0000000000000000ZZZZ', missing: 'tpl_01JF3X0000000000000000ZZZZ' },
  senderId: { foreign: () => 'was_01JF3X0000000000000000ZZZZ', missing: 'was_01JF3X0000000000000000ZZZZ' },
  sessionId: { foreign: () => bSessionId, missing: 'pls_01JF3X0000000000000000ZZZZ' },
  documentId: { foreign: () => 'doc_01JF3X0000000000000000ZZZZ', missing: 'doc_01JF3X0000000000000000ZZZZ' },
};

const TEMPLATE = {
  name: 'order_shipped', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' },
  content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.' },
};

/** Bodies that would be accepted if the resource were the caller's, so only ownership can refuse them. */
const BODIES: Record<string, unknown> = {
  'POST /v1/customers/{id}/contacts/{phone}/consent': { action: 'opt-out', channel: 'sms', evidence: { source: 'web-form', capturedAt: '2026-01-01T00:00:00Z' } },
  'PATCH /v1/customers/{id}': { displayName: 'Hijacked' },
  'POST /v1/customers/{id}/templates': TEMPLATE,
  'POST /v1/customers/{id}/templates/lint': TEMPLATE,
  'POST /v1/customers/{id}/templates/{templateId}/resubmit': { name: 'order_shipped_v2' },
  'POST /v1/customers/{id}/whatsapp/senders': { phoneNumber: '+14155550177', wabaId: '104567890123456', profile: { name: 'Acme' } },
  'POST /v1/customers/{id}/whatsapp/senders/{senderId}/verification': { code: '123456' },
  'PATCH /v1/customers/{id}/whatsapp/senders/{senderId}': { profile: { about: 'Renamed' } },
  'PATCH /v1/webhook-endpoints/{endpointId}': { description: 'Hijacked' },
  'POST /v1/customers/{id}/messages': { to: '+14155550123', body: 'Not yours' },
  'POST /v1/customers/{id}/campaigns': {
    useCase: 'ACCOUNT_NOTIFICATION',
    description: 'Order and account notifications sent to customers of the business who opted in.',
    messageFlow: 'Customers opt in by ticking an unchecked box at checkout on https://acme.example.com/checkout.',
    messageSamples: ['Acme: your order 123 has shipped. Reply STOP to opt out.', 'Acme: your password was changed. Reply STOP to opt out.'],
    hasEmbeddedLinks: false,
    hasEmbeddedPhone: false,
  },
};

const scopedRoutes = apiRoutes().filter((r) => r.trigger.auth === 'partner' && r.trigger.path.includes('{'));

function fill(template: string, which: 'foreign' | 'missing'): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const values = PARAMS[name];
    if (!values) throw new Error(`No tenancy test values for path parameter {${name}}: add them to PARAMS`);
    return encodeURIComponent(which === 'foreign' ? values.foreign() : values.missing);
  });
}

/** The answer with everything id- and request-specific taken out. */
function normalised(reply: Reply, which: 'foreign' | 'missing') {
  const { instance: _instance, ...body } = (reply.body ?? {}) as Record<string, unknown>;
  let text = JSON.stringify(body);
  for (const values of Object.values(PARAMS)) text = text.split(which === 'foreign' ? values.foreign() : values.missing).join('<id>');
  return { status: reply.status, contentType: reply.headers.get('content-type'), body: JSON.parse(text) };
}

describe('tenant isolation on every route', () => {
  it('covers every partner route with a path parameter', () => {
    expect(scopedRoutes.length).toBeGreaterThanOrEqual(4);
  });

  it.each(scopedRoutes.map((r) => [`${r.trigger.method} ${r.trigger.path}`, r] as const))('%s: a foreign id answers exactly like a missing one', async (key, route) => {
    const body = BODIES[key] ?? (route.trigger.method === 'GET' ? undefined : {});
    const foreign = await a.request(route.trigger.method, fill(route.trigger.path, 'foreign'), { body });
    const missing = await a.request(route.trigger.method, fill(route.trigger.path, 'missing'), { body });
    expect(foreign.status).toBe(404);
    expect(normalised(foreign, 'foreign')).toEqual(normalised(missing, 'missing'));
  });

  it.each(scopedRoutes.map((r) => [`${r.trigger.method} ${r.trigger.path}`, r] as const))('%s: an id of 1,000 characters in any position is the ordinary 404, before any store call', async (key, route) => {
    const body = BODIES[key] ?? (route.trigger.method === 'GET' ? undefined : {});
    for (const [, name] of route.trigger.path.matchAll(/\{(\w+)\}/g)) {
      const path = route.trigger.path.replace(/\{(\w+)\}/g, (_, other: string) => (other === name ? '1'.repeat(1000) : encodeURIComponent(PARAMS[other]!.missing)));
      const reply = await a.request(route.trigger.method, path, { body });
      // A phone number is not an id: it is checked as one, 400 naming path.phone.
      expect({ name, status: reply.status, type: reply.headers.get('content-type') }).toEqual({ name, status: name === 'phone' ? 400 : 404, type: expect.stringMatching(/^application\/problem\+json/) });
    }
  });

  it("never lists another partner's customers or events", async () => {
    const list = await a.get('/v1/customers?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: { id: string }) => c.id)).not.toContain(bCustomer.id);
    expect(list.body.data).toHaveLength(1);
    const events = await a.get('/v1/events');
    expect(events.status).toBe(200);
    expect(events.text).not.toContain(String(bCustomer.id));
    expect(events.text).not.toContain(String(bSubaccount.accountSid));
  });

  it("leaves every one of B's resources unchanged", async () => {
    expect((await b.get(`/v1/webhook-endpoints/${bEndpointId}`)).body).toEqual(bEndpoint);
    // A's test, redeliver and replay calls queued nothing for B's endpoint.
    expect(platform.queues.messages('partner-deliveries').concat(platform.queues.messages('partner-replays'))).toEqual([]);
    expect((await b.get(`/v1/customers/${bCustomer.id}`)).body).toEqual(bCustomer);
    // A's DELETE of B's portal session revoked nothing: B can still revoke it itself.
    expect((await b.request('DELETE', `/v1/portal-sessions/${bSessionId}`)).status).toBe(204);
    expect((await b.get(`/v1/customers/${bCustomer.id}/subaccount`)).body).toEqual(bSubaccount);
    const sandbox = platform.twilioSandbox as unknown as { account(sid: string): { status: string } | undefined };
    expect(sandbox.account(String(bSubaccount.accountSid))?.status).toBe('active');
  });
});
