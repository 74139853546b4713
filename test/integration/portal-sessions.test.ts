import { apiRoutes } from '../../infra/catalog';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient, type Reply } from '../support/local-platform';

/**
 * Portal sessions over HTTP on the local platform: a partner's single-use link, the cookies it
 * sets, the scope a customer session is confined to, CSRF on changes, reuse, expiry, revocation.
 */
let platform: Platform;
let a: ApiClient;
let b: ApiClient;
let own: { id: string };
let sibling: { id: string };
let foreign: { id: string };

/** Handlers read Date: it starts ahead of the wall clock and only moves forward. */
const START = Date.parse('2031-03-01T12:00:00Z');
const advance = (ms: number) => jest.setSystemTime(Date.now() + ms);

beforeAll(async () => {
  // The platform's own clock (throttle, queues) is a manual one, apart from the handlers' Date.
  platform = await startTestPlatform('portal-sessions', { clock: manualClock() });
  a = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Portal A')).apiKey);
  b = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Portal B')).apiKey);
  own = (await a.post('/v1/customers', customerBody({ displayName: 'Own' }))).body;
  sibling = (await a.post('/v1/customers', customerBody({ displayName: 'Sibling' }))).body;
  foreign = (await b.post('/v1/customers', customerBody({ displayName: 'Foreign' }))).body;
  // Only Date moves: the platform's sockets and timers run as usual.
  jest.useFakeTimers({
    now: START,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
});
afterAll(async () => {
  jest.useRealTimers();
  await platform?.stop();
});

interface Opened {
  reply: Response;
  cookies: string[];
  secret: string;
  csrf: string;
}

/** Opens a link as a browser would, without following the redirect. */
async function open(url: string, headers: Record<string, string> = {}): Promise<Opened> {
  const reply = await fetch(url, { redirect: 'manual', headers });
  const cookies = reply.headers.getSetCookie();
  const value = (name: string) => cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0]!.slice(name.length + 1) ?? '';
  return { reply, cookies, secret: value('sb_portal'), csrf: value('sb_csrf') };
}

/** A browser holding the session: cookies, no API key; the CSRF header only when asked for. */
function browser(session: Opened, withCsrf = false): ApiClient {
  const headers: Record<string, string> = { cookie: `sb_portal=${session.secret}; sb_csrf=${session.csrf}` };
  if (withCsrf) headers['x-csrf-token'] = session.csrf;
  const client = apiClient(platform.url);
  return {
    ...client,
    request: (method, path, init = {}) => client.request(method, path, { ...init, headers: { ...headers, ...init.headers } }),
    get: (path, extra) => client.request('GET', path, { headers: { ...headers, ...extra } }),
    post: (path, body, extra) => client.request('POST', path, { body, headers: { ...headers, ...extra } }),
    patch: (path, body, extra) => client.request('PATCH', path, { body, headers: { ...headers, ...extra } }),
  } as ApiClient;
}

async function customerLink(body: Record<string, unknown> = {}) {
  const created = await a.post(`/v1/customers/${own.id}/portal-sessions`, body);
  expect(created.status).toBe(201);
  return created.body as { id: string; url: string; expiresAt: string; scope: string; customerId: string };
}

/** A 404 without its request id: what a caller can compare. */
const notFound = (reply: Reply) => {
  const { instance: _instance, ...problem } = expectProblem(reply, 404) as unknown as Record<string, unknown>;
  return problem;
};

describe('portal links', () => {
  it('creates a customer link: a pls_ id, a /portal/link URL on the platform, the expiry, the scope', async () => {
    const link = await customerLink({ expiresIn: 600 });
    expect(link).toEqual({ id: expect.stringMatching(/^pls_[0-9A-Z]{26}$/), url: expect.any(String), expiresAt: new Date(START + 600_000).toISOString(), scope: 'customer', customerId: own.id });
    expect(link.url).toMatch(new RegExp(`^${platform.url}/portal/link/[A-Za-z0-9_-]{43}$`));
  });

  it('refuses a bad returnUrl or expiresIn naming the field, and a foreign or missing customer as 404', async () => {
    const bad = async (body: Record<string, unknown>, field: string) => {
      const problem = expectProblem(await a.post(`/v1/customers/${own.id}/portal-sessions`, body), 400);
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    };
    await bad({ returnUrl: 'http://example.com/back' }, 'body.returnUrl');
    await bad({ returnUrl: 'http://127.0.0.1:8080/back' }, 'body.returnUrl');
    await bad({ returnUrl: 'not a url' }, 'body.returnUrl');
    await bad({ expiresIn: 59 }, 'body.expiresIn');
    await bad({ expiresIn: 86_401 }, 'body.expiresIn');
    await bad({ other: true }, 'body.other');
    expect(notFound(await a.post(`/v1/customers/${foreign.id}/portal-sessions`, {}))).toEqual(
      { ...notFound(await a.post('/v1/customers/cus_01JF3X0000000000000000ZZZZ/portal-sessions', {})), detail: expect.any(String) },
    );
  });

  it('opens once: 303 to /portal/ with an HttpOnly, SameSite=Strict session cookie and a readable CSRF cookie; the second open is 410', async () => {
    const link = await customerLink({ expiresIn: 900 });
    const first = await open(link.url);
    expect(first.reply.status).toBe(303);
    expect(first.reply.headers.get('location')).toBe('/portal/');
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [session, csrf] = [first.cookies.find((c) => c.startsWith('sb_portal='))!, first.cookies.find((c) => c.startsWith('sb_csrf='))!];
    expect(session.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=900', 'Path=/', 'SameSite=Strict']);
    expect(csrf.split('; ').slice(1).sort()).toEqual(['Max-Age=900', 'Path=/', 'SameSite=Strict']);

    const again = await open(link.url);
    expect(again.reply.status).toBe(410);
    expect(again.cookies).toEqual([]);
    expect(JSON.parse(await again.reply.text()).type).toBe('https://switchboard.dev/problems/portal-link-gone');
  });

  it("answers a browser's open of a used or expired link with a 410 page saying what to do; API clients keep problem+json", async () => {
    const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
    const used = await customerLink();
    expect((await open(used.url)).reply.status).toBe(303);

    const page = await open(used.url, { accept: BROWSER });
    expect(page.reply.status).toBe(410);
    expect(page.cookies).toEqual([]);
    expect(page.reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.reply.headers.get('cache-control')).toBe('no-store');
    expect(page.reply.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.reply.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /);
    const html = await page.reply.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>This link has already been used or has expired</h1>');
    expect(html).toContain('ask your provider for a new link');
    expect(html).not.toMatch(/<script|style="/i);

    // An expired link, never opened, is the same page.
    const late = await customerLink({ expiresIn: 60 });
    advance(61_000);
    expect((await open(late.url, { accept: BROWSER })).reply.headers.get('content-type')).toBe('text/html; charset=utf-8');

    for (const accept of ['application/json', 'application/problem+json', 'text/html;q=0.5, application/problem+json', '*/*']) {
      const reply = (await open(used.url, { accept })).reply;
      expect({ accept, status: reply.status, type: reply.headers.get('content-type') }).toEqual({ accept, status: 410, type: 'application/problem+json' });
      expect(JSON.parse(await reply.text()).type).toBe('https://switchboard.dev/problems/portal-link-gone');
    }
    // A link that never existed is no spent one: the API's 404, whoever asks.
    const unknown = (await open(`${platform.url}/portal/link/${'A'.repeat(43)}`, { accept: BROWSER })).reply;
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([404, 'application/problem+json']);
  });

  it('marks the cookies Secure when the request came over https', async () => {
    const opened = await open((await customerLink()).url, { 'x-forwarded-proto': 'https' });
    expect(opened.cookies).toHaveLength(2);
    for (const cookie of opened.cookies) expect(cookie.split('; ')).toContain('Secure');
  });

  it('answers an unknown token 404 and an expired link 410, creating nothing', async () => {
    expect((await open(`${platform.url}/portal/link/${'A'.repeat(43)}`)).reply.status).toBe(404);
    expect((await open(`${platform.url}/portal/link/short`)).reply.status).toBe(404);
    const link = await customerLink({ expiresIn: 60 });
    advance(61_000);
    const late = await open(link.url);
    expect(late.reply.status).toBe(410);
    expect(late.cookies).toEqual([]);
  });
});

describe('a customer session', () => {
  let session: Opened;
  beforeAll(async () => {
    session = await open((await customerLink({ returnUrl: 'https://partner.example.com/back' })).url);
  });

  it('reads its own customer with the cookie and no key', async () => {
    const reply = await browser(session).get(`/v1/customers/${own.id}`);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(own.id);
  });

  it('tells the portal who it is', async () => {
    const reply = await browser(session).get('/v1/portal-sessions/current');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ id: expect.stringMatching(/^pls_/), scope: 'customer', customerId: own.id, partnerName: 'Portal A', expiresAt: expect.any(String), returnUrl: 'https://partner.example.com/back' });
    expect(notFound(await a.get('/v1/portal-sessions/current')).status).toBe(404);
  });

  it("answers a sibling customer and another partner's customer exactly like a missing one", async () => {
    const missing = 'cus_01JF3X0000000000000000ZZZZ';
    const same = (reply: Reply, id: string) => JSON.parse(JSON.stringify(notFound(reply)).split(id).join('<id>'));
    const expected = same(await browser(session).get(`/v1/customers/${missing}`), missing);
    expect(same(await browser(session).get(`/v1/customers/${sibling.id}`), sibling.id)).toEqual(expected);
    expect(same(await browser(session).get(`/v1/customers/${foreign.id}`), foreign.id)).toEqual(expected);
    expect(same(await browser(session).get(`/v1/customers/${sibling.id}/usage`), sibling.id)).toEqual(expected);
    // The partner's key gets the same answer for a missing customer.
    expect(same(await a.get(`/v1/customers/${missing}`), missing)).toEqual(expected);
  });

  it('does not reach the customer list or the event log', async () => {
    // Worded as the route fallback words an unknown path.
    expect(notFound(await browser(session).get('/v1/customers'))).toEqual({ ...notFound(await a.get('/v1/no-such-route')), detail: 'No route /v1/customers' });
    expect(notFound(await browser(session).get('/v1/events')).status).toBe(404);
  });

  it('needs X-CSRF-Token equal to the sb_csrf cookie on every change', async () => {
    const missing = expectProblem(await browser(session).patch(`/v1/customers/${own.id}`, { displayName: 'Renamed' }), 403);
    expect(missing.type).toBe('https://switchboard.dev/problems/csrf-token-missing');
    const wrong = await browser(session).patch(`/v1/customers/${own.id}`, { displayName: 'Renamed' }, { 'x-csrf-token': 'B'.repeat(43) });
    expect(expectProblem(wrong, 403).type).toBe('https://switchboard.dev/problems/csrf-token-mismatch');
    expect((await a.get(`/v1/customers/${own.id}`)).body.displayName).toBe('Own');
    const ok = await browser(session, true).patch(`/v1/customers/${own.id}`, { displayName: 'Renamed' });
    expect(ok.status).toBe(200);
    expect(ok.body.displayName).toBe('Renamed');
  });

  it('cannot create portal sessions, with or without CSRF', async () => {
    const customerScoped = await browser(session, true).post(`/v1/customers/${own.id}/portal-sessions`, {});
    expect(expectProblem(customerScoped, 403).type).toBe('https://switchboard.dev/problems/api-key-required');
    expect(notFound(await browser(session, true).post('/v1/portal-sessions', {})).status).toBe(404);
  });
});

describe('a partner session', () => {
  it('reaches every customer of the partner, the list and the event log, but not another partner nor session minting', async () => {
    const created = await a.post('/v1/portal-sessions', {});
    expect(created.body).toEqual({ id: expect.stringMatching(/^pls_/), url: expect.any(String), expiresAt: expect.any(String), scope: 'partner' });
    const session = await open(created.body.url);
    const partner = browser(session);
    expect((await partner.get(`/v1/customers/${sibling.id}`)).status).toBe(200);
    const list = await partner.get('/v1/customers');
    expect(list.status).toBe(200);
    expect(list.body.data.map((c: { id: string }) => c.id).sort()).toEqual([own.id, sibling.id].sort());
    expect((await partner.get('/v1/events')).status).toBe(200);
    expect(notFound(await partner.get(`/v1/customers/${foreign.id}`)).status).toBe(404);
    expect((await partner.get('/v1/portal-sessions/current')).body).toMatchObject({ scope: 'partner', partnerName: 'Portal A' });
    expect(expectProblem(await browser(session, true).post('/v1/portal-sessions', {}), 403).type).toBe('https://switchboard.dev/problems/api-key-required');
    const revoke = await browser(session, true).request('DELETE', `/v1/portal-sessions/${created.body.id}`);
    expect(expectProblem(revoke, 403).type).toBe('https://switchboard.dev/problems/api-key-required');
  });
});

describe('session end', () => {
  const unauthorized = (reply: Reply) => {
    const { instance: _instance, ...problem } = expectProblem(reply, 401) as unknown as Record<string, unknown>;
    return problem;
  };

  it('answers an expired session with the 401 of an unknown key', async () => {
    const session = await open((await customerLink({ expiresIn: 120 })).url);
    expect((await browser(session).get(`/v1/customers/${own.id}`)).status).toBe(200);
    advance(121_000);
    expect(unauthorized(await browser(session).get(`/v1/customers/${own.id}`))).toEqual(unauthorized(await apiClient(platform.url, 'sb_test_unknown').get('/v1/customers')));
  });

  it('revokes a session by id with the partner key: 401 from then on; a foreign id is 404', async () => {
    const link = await customerLink();
    const session = await open(link.url);
    expect((await browser(session).get(`/v1/customers/${own.id}`)).status).toBe(200);
    expect(notFound(await b.request('DELETE', `/v1/portal-sessions/${link.id}`)).status).toBe(404);
    expect((await browser(session).get(`/v1/customers/${own.id}`)).status).toBe(200);
    expect((await a.request('DELETE', `/v1/portal-sessions/${link.id}`)).status).toBe(204);
    unauthorized(await browser(session).get(`/v1/customers/${own.id}`));
  });

  it('revokes a link not yet opened: opening it is 410', async () => {
    const link = await customerLink();
    expect((await a.request('DELETE', `/v1/portal-sessions/${link.id}`)).status).toBe(204);
    expect((await open(link.url)).reply.status).toBe(410);
  });

  it("refuses a logout without the CSRF token (another site's form), and ends nothing", async () => {
    const session = await open((await customerLink()).url);
    const forged = await fetch(`${platform.url}/portal/logout`, { method: 'POST', headers: { cookie: `sb_portal=${session.secret}; sb_csrf=${session.csrf}` } });
    expect(forged.status).toBe(403);
    expect(forged.headers.getSetCookie()).toEqual([]);
    const wrong = await fetch(`${platform.url}/portal/logout`, { method: 'POST', headers: { cookie: `sb_portal=${session.secret}; sb_csrf=${session.csrf}`, 'x-csrf-token': 'B'.repeat(43) } });
    expect(wrong.status).toBe(403);
    expect((await browser(session).get(`/v1/customers/${own.id}`)).status).toBe(200);
    // Without a session cookie there is nothing to end, and nothing is cleared.
    const none = await fetch(`${platform.url}/portal/logout`, { method: 'POST' });
    expect([none.status, none.headers.getSetCookie()]).toEqual([204, []]);
  });

  it('answers a link scanner (HEAD, POST on a link) 405 without the token in its answer, and the link still opens', async () => {
    const link = await customerLink();
    const token = new URL(link.url).pathname.split('/').pop()!;
    for (const method of ['HEAD', 'POST']) {
      const reply = await fetch(link.url, { method, redirect: 'manual' });
      expect(reply.status).toBe(405);
      if (method === 'POST') expect(await reply.text()).not.toContain(token);
    }
    const unknown = await fetch(`${link.url}/more`, { redirect: 'manual' });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).not.toContain(token);
    expect((await open(link.url)).reply.status).toBe(303);
  });

  it('logs out: both cookies cleared and the session ended', async () => {
    const session = await open((await customerLink()).url);
    const reply = await fetch(`${platform.url}/portal/logout`, { method: 'POST', headers: { cookie: `sb_portal=${session.secret}; sb_csrf=${session.csrf}`, 'x-csrf-token': session.csrf } });
    expect(reply.status).toBe(204);
    const cleared = reply.headers.getSetCookie();
    expect(cleared.map((c) => c.split(';')[0])).toEqual(['sb_portal=', 'sb_csrf=']);
    for (const cookie of cleared) expect(cookie).toContain('Max-Age=0');
    unauthorized(await browser(session).get(`/v1/customers/${own.id}`));
  });

  it('leaves API-key requests unaffected by a stale cookie next to the key', async () => {
    const reply = await a.request('PATCH', `/v1/customers/${own.id}`, { body: { displayName: 'By key' }, headers: { cookie: 'sb_portal=' + 'C'.repeat(43) } });
    expect(reply.status).toBe(200);
  });
});

describe('a customer session on every route of the catalog', () => {
  let session: Opened;
  beforeAll(async () => {
    session = await open((await customerLink()).url);
  });
  const missing = 'cus_01JF3X0000000000000000ZZZZ';
  /** The one route it may take outside its own customer: who it is. */
  const OUTSIDE: Record<string, number> = { 'GET /v1/portal-sessions/current': 200 };
  const routes = apiRoutes().filter((r) => r.trigger.auth === 'partner');
  const under = routes.filter((r) => r.trigger.path.startsWith('/v1/customers/{id}'));
  const outside = routes.filter((r) => !r.trigger.path.startsWith('/v1/customers/{id}'));
  // Other path parameters get any value: the customer in front is what must not be got past.
  const fill = (path: string, id: string) => path.replace('{id}', id).replace(/\{\w+\}/g, 'x1');
  const send = (method: string, path: string) => browser(session, true).request(method, path, method === 'GET' ? {} : { body: {} });
  const normalised = (reply: Reply, id: string) => {
    const { instance: _instance, ...body } = (reply.body ?? {}) as Record<string, unknown>;
    return { status: reply.status, body: JSON.parse(JSON.stringify(body).split(id).join('<id>')) };
  };

  it('covers the routes under a customer and those outside one', () => {
    expect(under.length).toBeGreaterThanOrEqual(30);
    expect(outside.length).toBeGreaterThanOrEqual(10);
  });

  it.each(under.map((r) => [`${r.trigger.method} ${r.trigger.path}`, r] as const))("%s: a sibling customer's id answers exactly like a missing one", async (_key, route) => {
    const sib = await send(route.trigger.method, fill(route.trigger.path, sibling.id));
    const none = await send(route.trigger.method, fill(route.trigger.path, missing));
    expect(sib.status).toBe(404);
    expect(normalised(sib, sibling.id)).toEqual(normalised(none, missing));
  });

  it.each(outside.map((r) => [`${r.trigger.method} ${r.trigger.path}`, r] as const))('%s: outside its own customer, it is not let in', async (key, route) => {
    const reply = await send(route.trigger.method, fill(route.trigger.path, missing));
    expect(reply.status).toBe(OUTSIDE[key] ?? 404);
  });

  it('changed nothing of the sibling', async () => {
    expect((await a.get(`/v1/customers/${sibling.id}`)).body.displayName).toBe('Sibling');
    expect((await a.get(`/v1/customers/${sibling.id}/messages`)).body.data).toEqual([]);
  });
});
