import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd } from '../workflow/support';

/**
 * Partner webhooks end to end on the local platform: events committed to the log reach a real
 * HTTP receiver through the table's stream, the fan-out, the delivery lanes and the delivery
 * consumer, signed per Standard Webhooks and verified here with the `standardwebhooks` package.
 * Retry delays are SQS delays on the local queues' manual clock: draining moves the clock to
 * each retry instead of waiting for it.
 */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let platform: Platform;
let api: ApiClient;
let other: ApiClient;
let server: Server;
let base: string;
const received: Received[] = [];
/** Status to answer per path, in order; then 200. */
const script = new Map<string, number[]>();

const at = (path: string) => received.filter((r) => r.path === path);
const parsed = (r: Received) => JSON.parse(r.body) as { type: string; timestamp: string; customerId?: string; data: Record<string, any> };
const verifies = (secret: string, r: Received) => {
  try {
    new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

async function register(path: string, body: Record<string, unknown> = {}, client = api) {
  const reply = await client.post('/v1/webhook-endpoints', { url: `${base}${path}`, eventTypes: ['*'], ...body });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; secret: string };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = script.get(req.url ?? '')?.shift() ?? 200;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  platform = await startTestPlatform('partner-webhooks', { twilio: 'sandbox', clock: manualClock(), env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true', PARTNER_WEBHOOKS_ENDPOINT_CACHE_MS: '0' } });
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Webhook partner')).apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

describe('registration', () => {
  it('refuses URLs the SSRF guard refuses with 422 on body.url, and bad bodies with 400, creating nothing', async () => {
    for (const url of ['https://10.0.0.8/hook', 'https://169.254.169.254/latest/meta-data', 'http://hooks.example.com/in', 'https://user:pw@hooks.example.com/in', `${base.replace('127.0.0.1', '0x7f.1')}/in`]) {
      const reply = await api.post('/v1/webhook-endpoints', { url, eventTypes: ['*'] });
      expect([reply.status, reply.headers.get('content-type')]).toEqual([422, 'application/problem+json']);
      expect(reply.body).toMatchObject({ type: expect.stringContaining('webhook-url-refused'), errors: [{ field: 'body.url' }] });
    }
    const unknown = await api.post('/v1/webhook-endpoints', { url: `${base}/x`, eventTypes: ['*'], secret: 'mine' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'body.secret' })]);
    const badType = await api.post('/v1/webhook-endpoints', { url: `${base}/x`, eventTypes: ['message.sent'] });
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0].field).toBe('body.eventTypes.0');
    expect((await other.get('/v1/webhook-endpoints')).body.data).toEqual([]);
  });

  it('shows the secret only at creation; list, get and patch never return it; delete ends it', async () => {
    const created = await register('/lifecycle', { description: 'lifecycle' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const reads = [await api.get('/v1/webhook-endpoints'), await api.get(`/v1/webhook-endpoints/${created.id}`), await api.patch(`/v1/webhook-endpoints/${created.id}`, { eventTypes: ['message.received'] })];
    for (const reply of reads) {
      expect(reply.status).toBe(200);
      expect(reply.text).not.toContain(created.secret);
      expect(reply.text).not.toMatch(/whsec_|ciphertext|"secrets"/);
    }
    expect(reads[2]!.body).toMatchObject({ id: created.id, eventTypes: ['message.received'], description: 'lifecycle', enabled: true });
    expect((await api.get(`/v1/webhook-endpoints/${created.id}/deliveries?cursor=bogus`)).status).toBe(400);
    expect((await api.request('DELETE', `/v1/webhook-endpoints/${created.id}`)).status).toBe(204);
    expect((await api.get(`/v1/webhook-endpoints/${created.id}`)).status).toBe(404);
    expect((await api.post(`/v1/webhook-endpoints/${created.id}/test`, {})).status).toBe(404);
  });
});

describe('delivery', () => {
  it('registration and message events arrive signed, verify, and carry the log’s event ids', async () => {
    const endpoint = await register('/all');
    const id = await newCustomer(api, customerBody());
    expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
    expect((await runToEnd(platform, `${id}-a1`, { onRound: () => platform.settle() })).status).toBe('SUCCEEDED');
    const sent = await api.post(`/v1/customers/${id}/messages`, { to: '+14155550142', body: 'Acme: hello. Reply STOP to opt out.' });
    expect(sent.status).toBe(201);
    await platform.settle();

    const deliveries = at('/all');
    const types = new Set(deliveries.map((r) => parsed(r).type));
    expect([...types]).toEqual(expect.arrayContaining(['onboarding.step.updated', 'brand.updated', 'campaign.updated', 'number.updated', 'message.created']));
    for (const r of deliveries) {
      expect(verifies(endpoint.secret, r)).toBe(true);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toMatch(/Switchboard/);
      expect(r.headers['webhook-id']).toMatch(/^evt_/);
      expect(parsed(r).customerId).toBe(id);
    }
    // The delivered ids are the log's, and every event of the log was delivered once.
    const log: Array<{ id: string }> = [];
    for (let after: string | null | undefined; ; ) {
      const page = await api.get(`/v1/events?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      log.push(...page.body.data);
      if (!page.body.nextCursor) break;
      after = page.body.nextCursor;
    }
    expect(new Set(deliveries.map((r) => r.headers['webhook-id']))).toEqual(new Set(log.map((e) => e.id)));
    expect(deliveries).toHaveLength(log.length);
    // A signature made with another secret does not verify.
    expect(verifies('whsec_' + Buffer.alloc(32, 7).toString('base64'), deliveries[0]!)).toBe(false);
  }, 120_000);

  it('a receiver failing twice gets the event on the third attempt, and the deliveries log shows all three', async () => {
    const endpoint = await register('/flaky');
    script.set('/flaky', [503, 500]);
    const test = await api.post(`/v1/webhook-endpoints/${endpoint.id}/test`, {});
    expect(test.status).toBe(202);
    await platform.settle();
    const attempts = at('/flaky');
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([test.body.eventId, test.body.eventId, test.body.eventId]);
    expect(attempts.every((r) => verifies(endpoint.secret, r))).toBe(true);
    expect(parsed(attempts[0]!).type).toBe('webhook_endpoint.test');

    const log = await api.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.data.map((a: any) => [a.attempt, a.responseStatus, a.outcome])).toEqual([
      [3, 200, 'succeeded'],
      [2, 500, 'failed'],
      [1, 503, 'failed'],
    ]);
    expect(log.body.data[1].nextAttemptAt).toEqual(expect.any(String));
    expect(log.body.data[0].nextAttemptAt).toBeUndefined();
    // Succeeding again clears the failure run.
    expect((await api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.failingSince).toBeUndefined();
  });

  it('410 Gone disables the endpoint at once; the log and the partner’s other endpoints hear of it', async () => {
    const watcher = await register('/watcher', { eventTypes: ['webhook_endpoint.disabled'] });
    const gone = await register('/gone');
    script.set('/gone', [410]);
    expect((await api.post(`/v1/webhook-endpoints/${gone.id}/test`, {})).status).toBe(202);
    await platform.settle();
    expect(at('/gone')).toHaveLength(1);
    expect((await api.get(`/v1/webhook-endpoints/${gone.id}`)).body).toMatchObject({ enabled: false, disabledReason: 'gone' });
    const told = at('/watcher').map(parsed);
    expect(told).toEqual([expect.objectContaining({ type: 'webhook_endpoint.disabled', data: expect.objectContaining({ endpointId: gone.id, reason: 'gone' }) })]);
    expect(at('/watcher').every((r) => verifies(watcher.secret, r))).toBe(true);
    // Nothing more is sent to it, until the partner enables it again.
    expect((await api.post(`/v1/webhook-endpoints/${gone.id}/test`, {})).status).toBe(409);
    const enabled = await api.patch(`/v1/webhook-endpoints/${gone.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true });
    expect(enabled.body.disabledReason).toBeUndefined();
    expect((await api.post(`/v1/webhook-endpoints/${gone.id}/test`, {})).status).toBe(202);
    await platform.settle();
    expect(at('/gone')).toHaveLength(2);
  });

  it('during a rotation both secrets verify; after the overlap only the new one', async () => {
    const endpoint = await register('/rotating');
    const rotated = await api.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    await api.post(`/v1/webhook-endpoints/${endpoint.id}/test`, {});
    await platform.settle();
    const during = at('/rotating').at(-1)!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(endpoint.secret, during)).toBe(true);
    expect(verifies(rotated.body.secret, during)).toBe(true);

    // A second rotation with no overlap ends the first secret's window (and the second's) at once.
    const again = await api.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { overlapSeconds: 0 });
    await api.post(`/v1/webhook-endpoints/${endpoint.id}/test`, {});
    await platform.settle();
    const after = at('/rotating').at(-1)!;
    expect(verifies(again.body.secret, after)).toBe(true);
    expect(verifies(endpoint.secret, after)).toBe(false);
    expect(verifies(rotated.body.secret, after)).toBe(false);
  });

  it('redeliver sends one event again; replay re-sends everything after a cursor, in log order', async () => {
    const endpoint = await register('/recovery');
    const id = await newCustomer(api, customerBody());
    // Two partner-recorded consent changes: events of the log, after the endpoint exists.
    let page = await api.get('/v1/events?limit=100');
    while (page.body.nextCursor) page = await api.get(`/v1/events?limit=100&after=${encodeURIComponent(page.body.nextCursor)}`);
    const head = page.body.pollCursor as string;
    for (const [action, capturedAt] of [['opt-out', '2026-01-10T09:00:00Z'], ['opt-in', '2026-01-11T09:00:00Z']]) {
      const reply = await api.post(`/v1/customers/${id}/contacts/%2B14155550177/consent`, { action, channel: 'sms', evidence: { source: 'web-form', capturedAt } });
      expect([200, 201]).toContain(reply.status);
    }
    await platform.settle();
    const logOrder = (await api.get(`/v1/events?limit=100&after=${encodeURIComponent(head)}`)).body.data.map((e: { id: string }) => e.id);
    expect(logOrder).toHaveLength(2);
    // Live deliveries run in parallel: each arrives, in no promised order (receivers order by the event, not the arrival).
    const live = at('/recovery').map((r) => r.headers['webhook-id'] as string);
    expect([...live].sort()).toEqual([...logOrder].sort());

    const redelivered = await api.post(`/v1/events/${live[0]}/redeliver`, { endpointId: endpoint.id });
    expect(redelivered.status).toBe(202);
    await platform.settle();
    expect(at('/recovery').map((r) => r.headers['webhook-id'])).toEqual([...live, live[0]]);

    const replay = await api.post(`/v1/webhook-endpoints/${endpoint.id}/replay`, { after: head });
    expect(replay.status).toBe(202);
    await platform.settle();
    // A replay sends one event after the other, in log order.
    expect(at('/recovery').map((r) => r.headers['webhook-id'])).toEqual([...live, live[0], ...logOrder]);
    const origins = (await api.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`)).body.data.map((a: any) => a.origin);
    expect(origins.sort()).toEqual(['event', 'event', 'redeliver', 'replay', 'replay']);
  });

  it('another partner’s endpoints and events answer 404', async () => {
    const endpoint = await register('/mine');
    for (const reply of [
      await other.get(`/v1/webhook-endpoints/${endpoint.id}`),
      await other.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`),
      await other.post(`/v1/webhook-endpoints/${endpoint.id}/test`, {}),
      await other.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {}),
    ]) expect(reply.status).toBe(404);
    const theirs = (await api.get('/v1/events?limit=1')).body.data[0];
    expect((await other.post(`/v1/events/${theirs.id}/redeliver`, {})).status).toBe(404);
  });
});
