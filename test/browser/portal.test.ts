import type { Browser } from 'playwright-core';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { manualClock } from '../../infra/local/clock';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';
import { isFocused, launch, newPage, problem, screenshot, seriousAccessibilityFindings } from './support';

/**
 * The portal in Debian's Chromium against the real local platform: served at /portal on the API's
 * origin with its security headers, keyboard focus on each page's heading, no serious or critical
 * axe-core findings, at a phone's width and a desktop's.
 */
/** A `datetime-local` value for an instant, in the browser's (and this process's) time zone. */
const localDateTime = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

let platform: Platform;
let browser: Browser;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('portal', { portal: true, twilio: 'sandbox', clock: manualClock() });
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Portal partner')).apiKey);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the portal', () => {
  it('is served at /portal with its security headers, and an app route gets the same page', async () => {
    const page = await fetch(`${platform.url}/portal/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const asset = /src="(\/portal\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${platform.url}${asset}`);
    expect([script.status, script.headers.get('content-type'), script.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    expect(await (await fetch(`${platform.url}/portal/templates/new`)).text()).toBe(html);
    expect((await fetch(`${platform.url}/portal`, { redirect: 'manual' })).headers.get('location')).toBe('/portal/');
    // Nothing outside the build is reachable, however the path is spelled.
    for (const path of ['/portal/..%2Fpackage.json', '/portal/%2e%2e/package.json', '/portal/assets/missing.js']) expect((await fetch(`${platform.url}${path}`)).status).toBe(404);
    expect((await fetch(`${platform.url}/portal/`, { method: 'POST' })).status).toBe(405);
  });

  it.each([
    ['desktop', 1280],
    ['phone', 360],
  ])('without a session shows how to sign in, focused and accessible (%s)', async (name, width) => {
    const { context, page } = await newPage(browser, width);
    try {
      await page.goto(`${platform.url}/portal/`);
      const heading = page.getByRole('heading', { level: 1, name: 'Sign in with your link' });
      await heading.waitFor();
      expect(await heading.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      expect(await page.getByText('Each link works once').isVisible()).toBe(true);
      // Nothing wider than the screen.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, `signed-out-${name}`);
    } finally {
      await context.close();
    }
  });

  it("opens from a customer's link to its own account, reaches no other customer, and signs out", async () => {
    const mine = await newCustomer(api, customerBody({ displayName: 'Acme Portal' }));
    const theirs = await newCustomer(api, customerBody({ displayName: 'Someone Else' }));
    const link = await api.post(`/v1/customers/${mine}/portal-sessions`, { returnUrl: 'https://partner.example.com/back' });
    expect(link.status).toBe(201);
    const { context, page } = await newPage(browser);
    try {
      await page.goto(link.body.url);
      expect(new URL(page.url()).pathname).toBe('/portal/');
      const heading = page.getByRole('heading', { level: 1, name: 'Acme Portal' });
      await heading.waitFor();
      expect(await page.getByRole('link', { name: /Back to Portal partner/ }).getAttribute('href')).toBe('https://partner.example.com/back');
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'sb_portal')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'customer-account');

      // The page's own session, from the page: its customer answers, another one is a 404.
      const status = (path: string) => page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).status, path);
      expect(await status(`/v1/customers/${mine}`)).toBe(200);
      expect(await status(`/v1/customers/${theirs}`)).toBe(404);
      expect(await status('/v1/customers')).toBe(404);

      // A sign-out the platform did not take is said, and the session still stands.
      await page.route('**/portal/logout', (route) => route.fulfill(problem(503, 'Service Unavailable', 'The platform is busy.')));
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('alert').filter({ hasText: 'You are still signed in: The platform is busy. Try signing out again.' }).waitFor();
      expect(await page.getByRole('heading', { level: 1, name: 'Acme Portal' }).count()).toBe(1);
      expect(await status(`/v1/customers/${mine}`)).toBe(200);
      await page.unroute('**/portal/logout');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in with your link' }).waitFor();
      expect((await context.cookies()).find((c) => c.name === 'sb_portal')).toBeUndefined();
      // The link worked once.
      const again = await page.goto(link.body.url);
      expect(again?.status()).toBe(410);
    } finally {
      await context.close();
    }
  });

  it("shows an onboarded customer's steps, filters its message log and opens a message's status timeline", async () => {
    const id = await newCustomer(api, customerBody());
    const displayName: string = (await api.get(`/v1/customers/${id}`)).body.displayName;
    const started = await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } });
    expect(started.status).toBe(202);
    expect((await runToEnd(platform, `${id}-a1`)).status).toBe('SUCCEEDED');
    const number = (await api.get(`/v1/customers/${id}/numbers`)).body.data[0].phoneNumber;
    for (const to of ['+14155556001', '+14155556002']) expect((await api.post(`/v1/customers/${id}/messages`, { to, body: `Acme: hello ${to}` })).status).toBe(201);
    await sandboxOf(platform).simulateInbound({ from: '+14155556001', to: number, body: 'Thanks, see you Tuesday' });
    for (let i = 0; i < 10; i++) await sandboxOf(platform).advance(1);
    await platform.queues.drain();

    const link = await api.post(`/v1/customers/${id}/portal-sessions`, {});
    const { context, page } = await newPage(browser);
    try {
      await page.goto(link.body.url);
      await page.getByRole('heading', { level: 1, name: displayName }).waitFor();
      await page.getByText('Done: you are ready to send.').waitFor();
      expect(await page.locator('.step.succeeded').count()).toBe(7);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'customer-onboarding');

      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Messages' }).click();
      await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      expect(await page.locator('tbody tr').count()).toBe(3);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'messages');

      // A contact that is not E.164: the API's problem names the field, shown beside it.
      await page.getByLabel('Contact (E.164)').fill('12345');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('#filter-contact-error').waitFor();
      expect(await page.getByLabel('Contact (E.164)').getAttribute('aria-invalid')).toBe('true');

      // A time window after every message matches none; one around them all matches all three.
      const times = ((await api.get(`/v1/customers/${id}/messages`)).body.data as Array<{ createdAt: string }>).map((m) => Date.parse(m.createdAt));
      await page.getByLabel('Contact (E.164)').fill('');
      await page.getByLabel('From').fill(localDateTime(Math.max(...times) + 60_000));
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByText('No messages match.').waitFor();
      await page.getByLabel('From').fill(localDateTime(Math.min(...times) - 60_000));
      await page.getByLabel('Until').fill(localDateTime(Math.max(...times) + 120_000));
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tbody tr').nth(2).waitFor();

      // A refused filter on a select is tied to it as on the other fields.
      await page.route('**/messages?*', (route) => route.fulfill(problem(400, 'Bad Request', 'The query is not valid.', [{ field: 'query.status', message: 'is not a message status' }])), { times: 1 });
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('#filter-status-error').waitFor();
      expect(await page.getByLabel('Status').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Status').getAttribute('aria-describedby')).toBe('filter-status-error');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('tbody tr').nth(2).waitFor();

      await page.getByLabel('Contact (E.164)').fill('+14155556001');
      await page.getByLabel('Direction').selectOption('inbound');
      await page.getByRole('button', { name: 'Filter' }).click();
      // The table of three is replaced by the one inbound message.
      await page.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'Thanks, see you Tuesday' }).waitFor();
      expect(await page.locator('tbody tr').count()).toBe(1);

      await page.getByRole('link', { name: 'Thanks, see you Tuesday' }).click();
      await page.getByRole('heading', { level: 1, name: 'Message' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Status timeline' }).waitFor();
      expect(await page.locator('ol.steps li').allInnerTexts()).toEqual([expect.stringMatching(/^received — /)]);
      expect(new URL(page.url()).pathname).toMatch(/^\/portal\/messages\/SM/);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'message-timeline');
      // A reload of an app path lands on the same page.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Message' }).waitFor();
      // A message with no status yet says so under its timeline.
      await page.route('**/v1/customers/*/messages/SM*', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...(await response.json()), timeline: [] } });
      });
      await page.reload();
      await page.getByText('No status recorded yet.').waitFor();
      expect(await page.locator('ol.steps li').count()).toBe(0);
      await page.unroute('**/v1/customers/*/messages/SM*');

      // The handset's STOP puts it on the opt-out list; its consent shows the ledger entry.
      await sandboxOf(platform).simulateInbound({ from: '+14155556002', to: number, body: 'STOP' });
      await platform.queues.drain();
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Contacts' }).click();
      await page.getByRole('heading', { level: 1, name: 'Contacts' }).waitFor();
      await page.getByRole('button', { name: '+14155556002' }).click();
      await page.getByRole('heading', { level: 3, name: 'History' }).waitFor();
      // The answer is announced as well as shown.
      expect(await page.getByRole('status').filter({ hasText: '+14155556002:' }).innerText()).toMatch(/^\+14155556002: SMS opted-out, WhatsApp /);
      expect(await page.locator('dl dd').first().innerText()).toMatch(/^opted-out since .* \(keyword\)$/);
      expect(await page.locator('ol.steps li').allInnerTexts()).toEqual([expect.stringMatching(/^opt-out on sms by keyword \(STOP\)/)]);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'contacts');
      await page.getByLabel('Phone number (E.164)').fill('555');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.locator('#consent-number-error').waitFor();
      expect(await isFocused(page, '#consent-number')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('keeps following a running onboarding through failed reads: the steps stay, the error is said, reads go on less often', async () => {
    const id = await newCustomer(api, customerBody());
    expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
    const link = await api.post(`/v1/customers/${id}/portal-sessions`, {});
    const { context, page } = await newPage(browser);
    try {
      // The page's timers run only when the test moves its clock.
      await page.clock.install();
      await page.goto(link.body.url);
      await page.getByText(/^In progress: .* Now: /).waitFor();
      const steps = await page.locator('.step').count();
      expect(steps).toBe(7);
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 100);

      let failed = 0;
      let failing = true;
      await page.route(`**/v1/customers/${id}/onboarding`, (route) => (failing ? route.fulfill(problem(503, 'Service Unavailable', `The platform is busy (${++failed}).`)) : route.fallback()));
      // The next read, 3 s on, fails: the error is said above the steps read before, which stay.
      await page.clock.runFor(3_000);
      await page.getByRole('alert').filter({ hasText: 'The platform is busy (1); this page keeps trying.' }).waitFor();
      expect(await page.locator('.step').count()).toBe(steps);
      // Then it waits twice as long: nothing at 5.9 s, the second read at 6 s.
      await page.clock.runFor(5_900);
      expect(failed).toBe(1);
      await page.clock.runFor(100);
      await page.getByRole('alert').filter({ hasText: 'The platform is busy (2)' }).waitFor();

      failing = false;
      expect((await runToEnd(platform, `${id}-a1`)).status).toBe('SUCCEEDED');
      await page.clock.runFor(12_000);
      await page.getByText('Done: you are ready to send.').waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      expect(failed).toBe(2);
    } finally {
      await context.close();
    }
  });
});
