import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { CAMPAIGN, newCustomer, runToEnd } from '../workflow/support';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';

/**
 * GET /v1/status on the local platform: a partner's onboardings in flight and failed, the depth of
 * the local queues, and refused Twilio webhooks counted for the customer whose subaccount they
 * named (never for a request naming none). A partner sees only its own; a customer's portal
 * session gets the ordinary 404.
 */
let platform: Platform;
let a: ApiClient;
let b: ApiClient;
let failedId: string;
let accountSid: string;
let clock: ManualClock;

async function badlySigned(sid: string, signature = 'bm90IHRoZSByZWFsIHNpZ25hdHU=') {
  return fetch(`${platform.url}/webhooks/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams({ AccountSid: sid, From: '+14155550100', To: '+14155550101', Body: 'secret body text', MessageSid: `SM${'a'.repeat(32)}` }).toString(),
  });
}

/** The session cookie a link sets, as a browser would send it. */
async function sessionCookie(linkUrl: string): Promise<string> {
  const reply = await fetch(linkUrl, { redirect: 'manual' });
  return reply.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

beforeAll(async () => {
  platform = await startTestPlatform('partner-status', { twilio: 'sandbox', clock: (clock = manualClock()), env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true', PARTNER_WEBHOOKS_ENDPOINT_CACHE_MS: '0' } });
  a = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Status A')).apiKey);
  b = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Status B')).apiKey);
  failedId = await newCustomer(a, customerBody({ displayName: 'Acme', legalName: 'Acme Widgets [fail:brand] LLC' }));
  expect((await a.post(`/v1/customers/${failedId}/onboarding`, { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${failedId}-a1`)).status).toBe('FAILED');
  accountSid = (await a.get(`/v1/customers/${failedId}/subaccount`)).body.accountSid;
}, 120_000);
afterAll(() => platform?.stop());

describe('GET /v1/status', () => {
  it("shows the partner's failed onboarding with the step it stopped at, and the queues with their dead-letter queues", async () => {
    const reply = await a.get('/v1/status');
    expect(reply.status).toBe(200);
    expect(reply.body.onboarding).toMatchObject({ counts: { running: 0, failed: 1, succeeded: 0 }, complete: true, inFlight: [] });
    expect(reply.body.webhookEndpoints).toEqual({ total: 0, failing: [], disabled: [] });
    expect(reply.body.onboarding.failed).toEqual([{ customerId: failedId, displayName: 'Acme', step: 'brand', stepStatus: 'failed', since: expect.any(String) }]);
    expect(reply.body.queues.map((q: { queue: string }) => q.queue)).toEqual(['inbound-messages', 'status-callbacks', 'twilio-events', 'partner-deliveries', 'partner-deliveries-retry', 'partner-replays']);
    expect(reply.body.queues[0]).toEqual({ queue: 'inbound-messages', messages: 0, oldestMessageAgeSeconds: null, deadLetters: { messages: 0, oldestMessageAgeSeconds: null } });
  });

  it('counts a queued message and its age on the queues’ clock, without showing it', async () => {
    await platform.queues.send('partner-replays', JSON.stringify({ private: 'payload' }));
    clock.advance(5_000);
    const reply = await a.get('/v1/status');
    const replays = reply.body.queues.find((q: { queue: string }) => q.queue === 'partner-replays');
    expect(replays).toEqual({ queue: 'partner-replays', messages: 1, oldestMessageAgeSeconds: 5, deadLetters: { messages: 0, oldestMessageAgeSeconds: null } });
    expect(reply.text).not.toContain('payload');
    await platform.queues.drain();
  });

  it('counts a badly signed webhook for the customer whose subaccount it names, with the reason and no request content', async () => {
    expect((await badlySigned(accountSid)).status).toBe(403);
    expect((await badlySigned(accountSid)).status).toBe(403);
    const reply = await a.get('/v1/status');
    // The first refusal is written at once; the next within the minute waits for the next write.
    expect(reply.body.webhookRefusals).toMatchObject({ total: 1, customers: [{ customerId: failedId, displayName: 'Acme', count: 1, lastReason: 'signature-mismatch', lastWebhook: 'inbound' }] });
    expect(reply.text).not.toContain('secret body text');
    expect(reply.text).not.toContain('bm90IHRoZSByZWFsIHNpZ25hdHU=');
  });

  it('records nothing for a request naming no known subaccount', async () => {
    expect((await badlySigned(`AC${'0'.repeat(32)}`)).status).toBe(403);
    expect((await badlySigned('not-an-account')).status).toBe(403);
    expect((await a.get('/v1/status')).body.webhookRefusals.total).toBe(1);
  });

  it("names the partner's endpoint whose deliveries fail, with when the failures began", async () => {
    // A port nothing listens on: the attempt is refused by the machine, not by the SSRF guard.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const endpoint = await a.post('/v1/webhook-endpoints', { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['*'] });
    expect(endpoint.status).toBe(201);
    expect((await a.post(`/v1/webhook-endpoints/${endpoint.body.id}/test`, undefined)).status).toBe(202);
    // One polling round: the first attempt only (its retries are delayed on the manual clock).
    await platform.queues.pump();

    const { webhookEndpoints } = (await a.get('/v1/status')).body;
    expect(webhookEndpoints).toEqual({ total: 1, failing: [{ id: endpoint.body.id, url: `http://127.0.0.1:${port}/hook`, failingSince: expect.any(String), lastFailureAt: expect.any(String) }], disabled: [] });
    expect(JSON.stringify(webhookEndpoints)).not.toContain('whsec_');
    expect((await a.request('DELETE', `/v1/webhook-endpoints/${endpoint.body.id}`)).status).toBe(204);
  });

  it("shows another partner nothing of this partner's", async () => {
    const reply = await b.get('/v1/status');
    expect(reply.status).toBe(200);
    expect(reply.body.onboarding).toMatchObject({ counts: { running: 0, failed: 0, succeeded: 0 }, inFlight: [], failed: [] });
    expect(reply.body.webhookRefusals).toMatchObject({ total: 0, customers: [] });
    expect(reply.body.webhookEndpoints).toEqual({ total: 0, failing: [], disabled: [] });
    expect(reply.text).not.toContain(failedId);
  });

  it("answers a partner's portal session, and a customer's with the ordinary 404", async () => {
    const partner = await a.post('/v1/portal-sessions', {});
    expect(partner.status).toBe(201);
    const asPartner = await fetch(`${platform.url}/v1/status`, { headers: { cookie: await sessionCookie(partner.body.url) } });
    expect(asPartner.status).toBe(200);

    const customer = await a.post(`/v1/customers/${failedId}/portal-sessions`, {});
    expect(customer.status).toBe(201);
    const cookie = await sessionCookie(customer.body.url);
    for (const path of ['/v1/status', '/v1/webhook-endpoints']) {
      const reply = await apiClient(platform.url).request('GET', path, { headers: { cookie } });
      expectProblem(reply, 404);
    }
  });

  it('needs a key', async () => {
    expect((await apiClient(platform.url).get('/v1/status')).status).toBe(401);
  });
});

describe('GET /v1/customers?include=onboarding', () => {
  it("gives each customer of the page where its onboarding stands, read by the partner's own keys", async () => {
    const fresh = await newCustomer(a, customerBody({ displayName: 'Not onboarded' }));
    const listed = await a.get('/v1/customers?include=onboarding&limit=100');
    expect(listed.status).toBe(200);
    const byId = Object.fromEntries(listed.body.data.map((c: { id: string; onboarding: unknown }) => [c.id, c.onboarding]));
    expect(byId[failedId]).toEqual({ status: 'failed', attempt: 1, failedStep: 'brand', updatedAt: expect.any(String) });
    expect(byId[fresh]).toBeNull();
    // The same customer's timeline agrees with its summary.
    const timeline = (await a.get(`/v1/customers/${failedId}/onboarding`)).body;
    expect([timeline.status, timeline.failedStep, timeline.updatedAt]).toEqual(['failed', 'brand', byId[failedId].updatedAt]);
    // Without include, the list says nothing of onboarding; another partner sees none of it.
    expect((await a.get('/v1/customers?limit=100')).body.data.some((c: object) => 'onboarding' in c)).toBe(false);
    expect((await b.get('/v1/customers?include=onboarding')).body.data).toEqual([]);
    expect(expectProblem(await a.get('/v1/customers?include=steps'), 400).errors?.map((e) => e.field)).toEqual(['query.include']);
  });
});
