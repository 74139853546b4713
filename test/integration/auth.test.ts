import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type Reply } from '../support/local-platform';

/** OWASP API2: every way of not holding a valid, active key of an active partner is the same 401. */
let platform: Platform;

beforeAll(async () => {
  platform = await startTestPlatform('auth');
});
afterAll(() => platform?.stop());

const listWith = (authorization?: string) =>
  apiClient(platform.url).get('/v1/customers', authorization === undefined ? undefined : { authorization });

/** Every refusal carries the same body (only the request id differs): nothing tells a caller why. */
function expectUnauthorized(reply: Reply) {
  const { instance: _instance, ...problem } = expectProblem(reply, 401) as unknown as Record<string, unknown>;
  expect(problem).toEqual({
    type: 'https://switchboard.dev/problems/unauthorized',
    title: 'Missing or invalid API key',
    status: 401,
    detail: expect.any(String),
  });
  return problem;
}

describe('API key authentication', () => {
  it('accepts an active key', async () => {
    const { apiKey } = await platform.admin.createPartnerWithKey('Valid');
    expect((await listWith(`Bearer ${apiKey}`)).status).toBe(200);
  });

  it('refuses a missing, malformed or unknown key with one identical 401', async () => {
    const { apiKey } = await platform.admin.createPartnerWithKey('Shapes');
    const unknownKey = `sb_test_${randomBytes(32).toString('base64url')}`;
    const attempts = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`,
      apiKey,
      `Bearer ${apiKey} extra`,
      `Bearer ${apiKey.slice(0, -1)}`,
      `Bearer ${apiKey}x`,
      `Bearer ${unknownKey}`,
      `Bearer sb_live_${apiKey.slice('sb_test_'.length)}`,
    ];
    const bodies = [];
    for (const attempt of attempts) bodies.push(expectUnauthorized(await listWith(attempt)));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('answers a valid key of a suspended partner with 403 partner-suspended, refuses it new keys, and accepts it again once reactivated', async () => {
    const { partnerId, apiKey } = await platform.admin.createPartnerWithKey('Suspended');
    await platform.admin.setPartnerStatus(partnerId, 'suspended');
    for (const reply of [await listWith(`Bearer ${apiKey}`), await apiClient(platform.url, apiKey).post('/v1/customers', customerBody())]) {
      const { instance: _instance, ...problem } = expectProblem(reply, 403) as unknown as Record<string, unknown>;
      expect(problem).toEqual({ type: 'https://switchboard.dev/problems/partner-suspended', title: 'Partner suspended', status: 403, detail: expect.stringContaining('suspended') });
    }
    // A key that is not valid says nothing about the partner.
    expectUnauthorized(await listWith(`Bearer ${apiKey.slice(0, -1)}`));
    await expect(platform.admin.issueKey(partnerId)).rejects.toThrow('is suspended');
    await platform.admin.setPartnerStatus(partnerId, 'active');
    expect((await listWith(`Bearer ${apiKey}`)).status).toBe(200);
  });

  it('rotates: two keys work at once, a third is refused, a revoked key stops at once', async () => {
    const { partnerId, keyId: firstId, apiKey: first } = await platform.admin.createPartnerWithKey('Rotating');
    const second = await platform.admin.issueKey(partnerId);
    expect((await listWith(`Bearer ${first}`)).status).toBe(200);
    expect((await listWith(`Bearer ${second.secret}`)).status).toBe(200);

    await expect(platform.admin.issueKey(partnerId)).rejects.toMatchObject({ status: 409 });

    // Both keys act for the same partner: what one creates, the other sees.
    const created = await apiClient(platform.url, first).post('/v1/customers', customerBody());
    expect((await apiClient(platform.url, second.secret).get(`/v1/customers/${created.body.id}`)).status).toBe(200);

    await platform.admin.revokeKey(partnerId, firstId);
    expectUnauthorized(await listWith(`Bearer ${first}`));
    expect((await listWith(`Bearer ${second.secret}`)).status).toBe(200);

    // With one key revoked there is room for the next rotation.
    const third = await platform.admin.issueKey(partnerId);
    expect((await listWith(`Bearer ${third.secret}`)).status).toBe(200);
    await expect(platform.admin.revokeKey(partnerId, firstId)).rejects.toMatchObject({ status: 409 });
  });

  it('accepts the scheme in any case, as RFC 9110 allows, and nothing but one space before the token (RFC 6750)', async () => {
    const { apiKey } = await platform.admin.createPartnerWithKey('Casing');
    expect((await listWith(`bearer ${apiKey}`)).status).toBe(200);
    expect((await listWith(`BEARER ${apiKey}`)).status).toBe(200);
    expectUnauthorized(await listWith(`Bearer  ${apiKey}`));
    expectUnauthorized(await listWith(`Bearer\t${apiKey}`));
    expectUnauthorized(await listWith(`Bearer ${apiKey}, Bearer ${apiKey}`));
  });

  it('refuses a request that carries Authorization twice, even when both are the same valid key', async () => {
    const { apiKey } = await platform.admin.createPartnerWithKey('Twice');
    // Allowed once first, so a cached decision cannot let the doubled header through either.
    expect((await listWith(`Bearer ${apiKey}`)).status).toBe(200);
    const twice = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${platform.url}/v1/customers`, { method: 'GET', headers: ['host', new URL(platform.url).host, 'authorization', `Bearer ${apiKey}`, 'Authorization', `Bearer ${apiKey}`] as never }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body)).toMatchObject({ type: 'https://switchboard.dev/problems/unauthorized' });
  });
});

/** The second way in: a portal session cookie, refused exactly like a bad key when it names no working session. */
describe('portal session cookie authentication', () => {
  const withCookie = (cookie: string, authorization?: string) =>
    apiClient(platform.url).get('/v1/customers', { cookie, ...(authorization === undefined ? {} : { authorization }) });

  it('refuses a missing, malformed, unknown or doubled session cookie with the 401 of an unknown key', async () => {
    const partner = await platform.admin.createPartnerWithKey('Cookies');
    const link = await apiClient(platform.url, partner.apiKey).post('/v1/portal-sessions', {});
    const opened = await fetch(link.body.url, { redirect: 'manual' });
    const secret = opened.headers.getSetCookie().find((c) => c.startsWith('sb_portal='))!.split(';')[0]!.slice('sb_portal='.length);
    expect((await withCookie(`sb_portal=${secret}`)).status).toBe(200);

    const reference = expectUnauthorized(await listWith());
    const attempts = [
      'sb_portal=',
      'sb_portal=short',
      `sb_portal=${secret}x`,
      `sb_portal=${randomBytes(32).toString('base64url')}`,
      `sb_portal=${secret}; sb_portal=${secret}`,
      `other=${secret}`,
    ];
    for (const cookie of attempts) expect(expectUnauthorized(await withCookie(cookie))).toEqual(reference);
  });

  it('lets the API key decide when a request carries both: a bad key is refused whatever the cookie', async () => {
    const partner = await platform.admin.createPartnerWithKey('Both');
    const link = await apiClient(platform.url, partner.apiKey).post('/v1/portal-sessions', {});
    const opened = await fetch(link.body.url, { redirect: 'manual' });
    const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect((await withCookie(cookie, `Bearer ${partner.apiKey}`)).status).toBe(200);
    expectUnauthorized(await withCookie(cookie, `Bearer ${partner.apiKey.slice(0, -1)}`));
  });

  it("answers a session of a suspended partner with 403 partner-suspended, as the partner's key", async () => {
    const partner = await platform.admin.createPartnerWithKey('Suspended portal');
    const link = await apiClient(platform.url, partner.apiKey).post('/v1/portal-sessions', {});
    const opened = await fetch(link.body.url, { redirect: 'manual' });
    const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    await platform.admin.setPartnerStatus(partner.partnerId, 'suspended');
    expect(expectProblem(await withCookie(cookie), 403).type).toBe('https://switchboard.dev/problems/partner-suspended');
    await platform.admin.setPartnerStatus(partner.partnerId, 'active');
    expect((await withCookie(cookie)).status).toBe(200);
  });
});
