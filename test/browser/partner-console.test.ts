import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd } from '../workflow/support';
import { isFocused, launch, newPage, screenshot, seriousAccessibilityFindings, smallPages } from './support';

/**
 * The partner console in Debian's Chromium against the real local platform: a partner's session
 * lists its customers with their onboarding, registers a webhook endpoint (the SSRF guard's
 * refusal beside the URL field, then a receiver on this machine, which the local platform allows),
 * follows its delivery log and a redelivery, and sees a failed onboarding and a refused webhook
 * on the status page. A customer's session reaches none of it.
 */
let platform: Platform;
let browser: Browser;
let api: ApiClient;
let receiver: Server;
let received = 0;
let receiverUrl: string;
let failingId: string;
/** One partner session at a desktop's width, carried through the steps below in order. */
let desktop: { context: BrowserContext; page: Page };

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name, exact: true });
const fitsTheScreen = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

async function partnerPage(width: number) {
  const link = await api.post('/v1/portal-sessions', {});
  expect(link.status).toBe(201);
  const opened = await newPage(browser, width);
  await opened.page.goto(link.body.url);
  await opened.page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  return opened;
}

async function expectAccessible(page: Page, name: string) {
  expect(await fitsTheScreen(page)).toBe(true);
  expect(await seriousAccessibilityFindings(page)).toEqual([]);
  await screenshot(page, name);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/switchboard`;
  platform = await startTestPlatform('partner-console', {
    portal: true,
    twilio: 'sandbox',
    clock: manualClock(),
    env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true', PARTNER_WEBHOOKS_ENDPOINT_CACHE_MS: '0' },
  });
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Console partner')).apiKey);
  failingId = await newCustomer(api, customerBody({ displayName: 'Acme', legalName: 'Acme Widgets [fail:brand] LLC' }));
  await newCustomer(api, customerBody({ displayName: 'Bolt Bikes' }));
  desktop = await partnerPage(1280);
}, 120_000);
afterAll(async () => {
  await desktop?.context.close();
  await browser?.close();
  await platform?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('the partner console', () => {
  it('registers a webhook endpoint: a private URL is refused beside its field, a valid one shows its secret once', async () => {
    const { page } = desktop;
    await nav(page, 'Webhooks').click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No endpoints yet').waitFor();

    await page.getByLabel('URL (https, a public host)').fill('https://10.0.0.7/hooks');
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    const error = page.locator('#endpoint-url-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/private|10\.0\.0\.7/i);
    expect(await page.getByLabel('URL (https, a public host)').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'partner-webhooks-refused');

    // No event type at all: the API's problem names the field, shown beside the types.
    await page.getByLabel('URL (https, a public host)').fill(receiverUrl);
    await page.getByLabel('Every type (*), including types added later').uncheck();
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await page.locator('#endpoint-types-error').waitFor();
    expect(await page.locator('#endpoint-url-error').count()).toBe(0);

    await page.getByLabel('onboarding.failed').check();
    await page.getByLabel('Every type (*), including types added later').check();
    expect(await page.getByLabel('onboarding.failed').isChecked()).toBe(false);

    // A description over the API's limit: its error beside the field, which takes focus.
    await page.getByLabel('Description (optional)').fill('x'.repeat(501));
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await page.locator('#endpoint-description-error').waitFor();
    expect(await page.getByLabel('Description (optional)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Description (optional)').getAttribute('aria-describedby')).toBe('endpoint-description-error');
    expect(await isFocused(page, '#endpoint-description')).toBe(true);
    await page.getByLabel('Description (optional)').fill('Local receiver');

    await page.getByRole('button', { name: 'Register endpoint' }).click();
    await page.getByRole('heading', { level: 2, name: 'Endpoint registered' }).waitFor();
    // The one-time secret is where focus lands.
    expect(await isFocused(page, '#created')).toBe(true);
    const secret = await page.getByLabel('Signing secret').innerText();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('link', { name: receiverUrl, exact: true }).waitFor();
    expect(await page.locator('#endpoint-url-error').count()).toBe(0);
    await expectAccessible(page, 'partner-webhooks');
    // Shown once: the API never returns it again, and the page does not keep it across a visit.
    expect((await api.get('/v1/webhook-endpoints')).text).not.toContain(secret);
    await nav(page, 'Status').click();
    await nav(page, 'Webhooks').click();
    await page.getByRole('link', { name: receiverUrl, exact: true }).waitFor();
    expect(await page.getByText(secret).count()).toBe(0);
  });

  it("lists every customer with its onboarding's state and opens one's steps", async () => {
    expect((await api.post(`/v1/customers/${failingId}/onboarding`, { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
    expect((await runToEnd(platform, `${failingId}-a1`, { onRound: () => platform.settle() })).status).toBe('FAILED');
    await platform.settle();

    const { page } = desktop;
    await nav(page, 'Customers').click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    const acme = page.getByRole('row', { name: /^Acme Acme Widgets/ });
    await acme.getByText('failed', { exact: true }).waitFor();
    expect(await acme.locator('td').allInnerTexts()).toEqual([expect.stringMatching(/^Acme/), 'active', 'failed', '—', 'Brand registration']);
    const bolt = page.getByRole('row', { name: /^Bolt Bikes/ });
    await bolt.getByText('not started').waitFor();
    await expectAccessible(page, 'partner-customers');

    await page.getByRole('link', { name: 'Acme', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme' }).waitFor();
    await page.locator('.step.failed').first().waitFor();
    expect(await page.locator('.step.failed .name').allInnerTexts()).toEqual(['Brand registration']);
    await expectAccessible(page, 'partner-customer');
  });

  it("shows the endpoint's delivery log and a redelivered event's new attempt", async () => {
    const { page } = desktop;
    await nav(page, 'Webhooks').click();
    await page.getByRole('link', { name: receiverUrl, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    await page.locator('tr.attempt').first().waitFor();
    const before = await page.locator('tr.attempt').count();
    expect(before).toBeGreaterThan(0);
    expect(await page.locator('tr.attempt.succeeded').count()).toBe(before);
    await expectAccessible(page, 'partner-webhook-deliveries');

    const failedEvent = page.locator('tr.attempt', { hasText: 'onboarding.failed' });
    const eventId = (await failedEvent.locator('.detail.wrap').innerText()).trim();
    const deliveredBefore = received;
    // The request is held until its button has been seen waiting: a second press sends nothing.
    let redeliveries = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/v1/events/*/redeliver', async (route) => {
      redeliveries++;
      await held;
      await route.continue();
    });
    const button = failedEvent.getByRole('button', { name: /^Redeliver/ });
    await button.click();
    await page.getByText(`Redelivering ${eventId}…`).waitFor();
    expect(await button.isDisabled()).toBe(true);
    release();
    await page.getByText(`${eventId} is queued again for this endpoint`).waitFor();
    expect(redeliveries).toBe(1);
    await page.unroute('**/v1/events/*/redeliver');
    await platform.settle();
    await page.getByText(`Redelivered ${eventId}: succeeded (HTTP 200).`).waitFor();
    expect(received).toBe(deliveredBefore + 1);
    expect(await page.locator('tr.attempt').count()).toBe(before + 1);
    expect(await page.locator('tr.attempt').first().innerText()).toContain('(redeliver)');
    await expectAccessible(page, 'partner-webhook-redelivered');
  });

  it('shows the failed onboarding and a refused webhook of a known subaccount on the status page', async () => {
    const accountSid: string = (await api.get(`/v1/customers/${failingId}/subaccount`)).body.accountSid;
    const forged = await fetch(`${platform.url}/webhooks/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': Buffer.alloc(20, 7).toString('base64') },
      body: new URLSearchParams({ AccountSid: accountSid, From: '+14155550100', To: '+14155550101', Body: 'hello', MessageSid: `SM${'b'.repeat(32)}` }).toString(),
    });
    expect(forged.status).toBe(403);

    const { page } = desktop;
    await nav(page, 'Status').click();
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    await page.getByText('0 in flight, 1 failed, 0 done.').waitFor();
    const failed = page.locator('section[aria-labelledby="status-failed"] tbody tr');
    expect(await failed.allInnerTexts()).toEqual([expect.stringMatching(new RegExp(`^Acme ${failingId}\tBrand registration failed\t`))]);
    await page.getByText(/^1 refused since/).waitFor();
    const refusals = page.locator('section[aria-labelledby="status-refusals"] tbody tr');
    expect(await refusals.allInnerTexts()).toEqual([expect.stringMatching(/^Acme\t1\tsignature-mismatch \(inbound\)\t/)]);
    expect(await page.locator('section[aria-labelledby="status-queues"] tbody tr').count()).toBe(6);
    await page.getByText('1 registered: 0 failing, 0 disabled.').waitFor();
    await expectAccessible(page, 'partner-status');
  });

  it('pages through the customers, newest first', async () => {
    for (let i = 1; i <= 24; i++) await newCustomer(api, customerBody({ displayName: `Customer ${String(i).padStart(2, '0')}` }));
    const { page } = desktop;
    await nav(page, 'Customers').click();
    await page.getByRole('row', { name: /^Customer 24/ }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Older' }).click();
    // The oldest, Acme, is alone on the second page.
    await page.getByRole('row', { name: /^Acme Acme Widgets/ }).getByText('failed', { exact: true }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Older' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByRole('row', { name: /^Customer 24/ }).waitFor();
  });

  it('pages through the webhook endpoints, oldest first', async () => {
    const second = `${receiverUrl}/second`;
    expect((await api.post('/v1/webhook-endpoints', { url: second, eventTypes: ['message.received'] })).status).toBe(201);
    const { page } = desktop;
    await smallPages(page, '/v1/webhook-endpoints', 1);
    try {
      await nav(page, 'Webhooks').click();
      await page.getByRole('link', { name: receiverUrl, exact: true }).waitFor();
      expect(await page.getByRole('link', { name: second, exact: true }).count()).toBe(0);
      await page.getByRole('button', { name: 'Older' }).click();
      await page.getByRole('link', { name: second, exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Older' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Newer' }).click();
      await page.getByRole('link', { name: receiverUrl, exact: true }).waitFor();
    } finally {
      await page.unrouteAll();
    }
  });

  it('fits a phone: every console page at 360 px without horizontal scroll or serious findings', async () => {
    const { context, page } = await partnerPage(360);
    try {
      await page.getByRole('row', { name: /^Customer 24/ }).getByText('not started').waitFor();
      await expectAccessible(page, 'partner-customers-phone');
      await nav(page, 'Webhooks').click();
      await page.getByRole('link', { name: receiverUrl, exact: true }).waitFor();
      await expectAccessible(page, 'partner-webhooks-phone');
      await page.getByRole('link', { name: receiverUrl, exact: true }).click();
      await page.locator('tr.attempt').first().waitFor();
      // A table that scrolls sideways can be scrolled from the keyboard, whatever its cells hold.
      expect(await page.locator('table:not([tabindex="0"])').count()).toBe(0);
      await expectAccessible(page, 'partner-webhook-deliveries-phone');
      await nav(page, 'Status').click();
      await page.getByText(/^1 refused since/).waitFor();
      await expectAccessible(page, 'partner-status-phone');
    } finally {
      await context.close();
    }
  });

  it("does not let a customer's session reach the console's routes", async () => {
    const link = await api.post(`/v1/customers/${failingId}/portal-sessions`, {});
    expect(link.status).toBe(201);
    const { context, page } = await newPage(browser);
    try {
      await page.goto(link.body.url);
      await page.getByRole('heading', { level: 1, name: 'Acme' }).waitFor();
      expect(await nav(page, 'Webhooks').count()).toBe(0);
      const status = (path: string) => page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).status, path);
      for (const path of ['/v1/status', '/v1/webhook-endpoints', '/v1/customers']) expect({ path, status: await status(path) }).toEqual({ path, status: 404 });
      await page.goto(`${platform.url}/portal/status`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
