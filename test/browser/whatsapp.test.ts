import type { Browser, Page } from 'playwright-core';
import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';
import { isFocused, launch, newPage, problem, screenshot, seriousAccessibilityFindings, smallPages } from './support';

/**
 * A customer's WhatsApp in the portal, in Debian's Chromium against the real local platform: a
 * number connected through the simulated Embedded Signup (no Meta app is configured) and verified
 * with the code Meta sent it (read off the sandbox, as the business reads it off its phone), its
 * status followed by the page to ONLINE; templates linted as they are typed, previewed, submitted
 * and followed to approval, a rejected one shown with its reason and resubmitted. Every clock is
 * moved by hand: the page follows what the platform's own refresh records, no reload.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let clock: ManualClock;
let browser: Browser;
let api: ApiClient;
let customerId: string;
let accountSid: string;
let ownNumber: string;

/** A number of the business's own (not a Twilio number), so Meta sends it a code. */
const SENDER = '+14155558321';
const GOOD_BODY = 'Hello {{1}}, this is a reminder of your appointment on {{2}}. Reply to this message to change it.';

/** One minute of the world: the sandbox's reviews move, then the platform's refresh schedules and queues run. */
async function minute(): Promise<void> {
  await sandbox.advance(60);
  clock.advance(60_000);
  await platform.settle();
}

/** Minutes pass until the API shows `status` (at most `max`): the page is then expected to follow on its own. */
async function until(path: string, status: string, max = 4): Promise<void> {
  for (let i = 0; i < max && (await api.get(path)).body.status !== status; i++) await minute();
  expect((await api.get(path)).body.status).toBe(status);
}

async function signedIn(width = 1280): Promise<{ page: Page; close: () => Promise<void> }> {
  const link = await api.post(`/v1/customers/${customerId}/portal-sessions`, {});
  expect(link.status).toBe(201);
  const { context, page } = await newPage(browser, width);
  await page.goto(link.body.url);
  await page.getByRole('heading', { level: 1 }).waitFor();
  return { page, close: () => context.close() };
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  expect(await seriousAccessibilityFindings(page)).toEqual([]);
  await screenshot(page, name);
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name }).click();

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('whatsapp-portal', { portal: true, twilio: 'sandbox', clock });
  sandbox = sandboxOf(platform);
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('WhatsApp portal partner')).apiKey);
  customerId = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${customerId}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${customerId}-a1`)).status).toBe('SUCCEEDED');
  accountSid = (await api.get(`/v1/customers/${customerId}/onboarding`)).body.steps[0].sids.accountSid;
  ownNumber = (await api.get(`/v1/customers/${customerId}/numbers`)).body.data[0].phoneNumber;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe("the portal's WhatsApp pages", () => {
  it('serve no Meta origin in the CSP and say the hand-off is simulated when no Meta app is configured', async () => {
    const csp = (await fetch(`${platform.url}/portal/whatsapp/connect`)).headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('facebook');
    expect((await api.get(`/v1/customers/${customerId}/whatsapp/embedded-signup`)).body).toEqual({ mode: 'simulated' });
  });

  it('connect a number through the simulated Embedded Signup, refuse a wrong code beside its field, and follow the right one to ONLINE', async () => {
    const { page, close } = await signedIn();
    try {
      await nav(page, 'WhatsApp');
      await page.getByRole('heading', { level: 1, name: 'WhatsApp' }).waitFor();
      await page.getByText('No number is on WhatsApp yet').waitFor();
      await checkPage(page, 'whatsapp-empty');

      await page.getByRole('link', { name: 'Connect a WhatsApp number' }).click();
      await page.getByRole('heading', { level: 1, name: 'Connect a WhatsApp number' }).waitFor();
      await page.getByText(/Simulated:.*no Meta app configured/).waitFor();
      expect(await page.getByRole('button', { name: 'Continue with Facebook' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Start the simulated sign-up' }).click();
      const dialog = page.getByRole('dialog', { name: 'Simulated Meta sign-up' });
      await dialog.waitFor();
      expect(await dialog.getByText('Not Meta: a stand-in').isVisible()).toBe(true);
      await checkPage(page, 'whatsapp-simulated-signup');
      await dialog.getByRole('button', { name: 'Finish the simulated sign-up' }).click();

      // The API's field errors, each beside its field.
      await page.getByRole('heading', { level: 2, name: '2. The number and its profile' }).waitFor();
      const wabaId = (await page.locator('form p strong').first().innerText()).trim();
      expect(wabaId).toMatch(/^\d{15}$/);
      await page.getByLabel('Phone number (E.164)').fill('12345');
      await page.getByRole('button', { name: 'Connect the number' }).click();
      await page.locator('#sender-phone-error').waitFor();
      await page.locator('#sender-name-error').waitFor();
      expect(await page.getByLabel('Phone number (E.164)').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('Display name').getAttribute('aria-describedby')).toBe('sender-name-error');
      await checkPage(page, 'whatsapp-connect-errors');

      await page.getByLabel('Phone number (E.164)').fill(SENDER);
      await page.getByLabel('Display name').fill('Acme Widgets');
      await page.getByLabel('About (optional)').fill('Widgets, delivered');
      await page.getByLabel('Website (optional)').fill('https://acme.example.com');
      await page.getByLabel('Text message').check();
      await page.getByRole('button', { name: 'Connect the number' }).click();
      await page.getByRole('heading', { level: 1, name: `WhatsApp number ${SENDER}` }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/portal\/whatsapp\/senders\/was_/);
      await page.locator('dd.sender-status', { hasText: 'Registering with WhatsApp' }).waitFor();

      const [sender] = (await api.get(`/v1/customers/${customerId}/whatsapp/senders`)).body.data;
      expect(sender).toMatchObject({ phoneNumber: SENDER, wabaId, verificationMethod: 'sms', profile: { name: 'Acme Widgets', about: 'Widgets, delivered', websites: ['https://acme.example.com'] } });

      // Meta texts the number; the page, following, asks for the code.
      await minute();
      await page.getByLabel('Verification code').waitFor();
      expect(await page.locator('dd.sender-status').innerText()).toBe('Waiting for the verification code');
      const code = sandbox.whatsAppVerificationCode(sender.sid)!;
      expect(code).toMatch(/^\d{6}$/);
      // Not digits: the API's own field error; digits that are not Meta's: Twilio's refusal, worded for the person.
      await page.getByLabel('Verification code').fill('abc');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('#verification-code-error', { hasText: 'must be the digits Meta sent the number' }).waitFor();
      await page.getByLabel('Verification code').fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('#verification-code-error', { hasText: 'not the code WhatsApp sent' }).waitFor();
      expect(await page.getByLabel('Verification code').getAttribute('aria-invalid')).toBe('true');
      await checkPage(page, 'whatsapp-wrong-code');

      await page.getByLabel('Verification code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('dd.sender-status', { hasText: 'Verifying the number' }).waitFor();
      await until(`/v1/customers/${customerId}/whatsapp/senders/${sender.id}`, 'ONLINE');
      await page.locator('dd.sender-status', { hasText: /^Online$/ }).waitFor();
      expect(await page.getByLabel('Verification code').count()).toBe(0);
      expect(await page.locator('dl').innerText()).toContain('HIGH');
      await checkPage(page, 'whatsapp-sender-online');

      // An OFFLINE number shows Twilio's reason, with what to do about it.
      sandbox.addRule({ type: 'fail', step: 'sender', errorCode: 63020, accountSid, times: 1 });
      const offline = await api.post(`/v1/customers/${customerId}/whatsapp/senders`, { phoneNumber: ownNumber, wabaId, profile: { name: 'Acme Widgets' } });
      expect(offline.status).toBe(202);
      await until(`/v1/customers/${customerId}/whatsapp/senders/${offline.body.id}`, 'OFFLINE');

      await nav(page, 'WhatsApp');
      await page.getByRole('heading', { level: 1, name: 'WhatsApp' }).waitFor();
      const online = page.getByRole('listitem').filter({ hasText: SENDER });
      await online.waitFor();
      expect(await online.innerText()).toMatch(/Status\s+Online\s+Quality\s+HIGH\s+Messaging limit\s+1K Customers\/24hr/);
      const offlineRow = page.getByRole('listitem').filter({ hasText: ownNumber }).first();
      expect(await offlineRow.innerText()).toMatch(/Offline[\s\S]*Error 63020: .*invitation.*Accept the invitation from Twilio/);
      await checkPage(page, 'whatsapp-senders');
    } finally {
      await close();
    }
  }, 120_000);

  it('lint a template while it is typed, preview it, submit it and follow it to approval', async () => {
    const { page, close } = await signedIn();
    try {
      await nav(page, 'Templates');
      await page.getByRole('heading', { level: 1, name: 'Templates' }).waitFor();
      await page.getByText('No template yet.').waitFor();
      await checkPage(page, 'templates-empty');
      await page.getByRole('link', { name: 'New template' }).click();
      await page.getByRole('heading', { level: 1, name: 'New template' }).waitFor();
      // Nothing typed, nothing found.
      expect(await page.locator('.finding').count()).toBe(0);

      await page.getByLabel('Name').fill('Flash-Sale');
      await page.getByLabel('Message').fill('{{1}} Flash sale! 50% off everything today only, shop now at https://bit.ly/acme {{3}}');
      await page.locator('#template-name-findings').waitFor();
      await page.locator('#template-body-findings').waitFor();
      expect(await page.locator('#template-body-findings').innerText()).toMatch(/shortener|start|end/i);
      expect(await page.getByLabel('Message').getAttribute('aria-describedby')).toBe('template-body-hint template-body-findings');
      // A variable without a sample is named beside its sample's field.
      await page.locator('#template-sample-3-findings').waitFor();
      expect(await page.getByLabel('Sample for {{3}}').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('template-preview').innerText()).toBe('{{1}} Flash sale! 50% off everything today only, shop now at https://bit.ly/acme {{3}}');
      await checkPage(page, 'templates-lint');

      await page.getByLabel('Name').fill('appointment_reminder');
      await page.getByLabel('Message').fill(GOOD_BODY);
      await page.getByLabel('Sample for {{1}}').fill('Ana');
      await page.getByLabel('Sample for {{2}}').fill('Tuesday 10:00');
      await page.getByText('No findings: nothing here is likely to be rejected.').waitFor();
      expect(await page.locator('.finding').count()).toBe(0);
      expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();
      expect(await page.getByTestId('template-preview').innerText()).toBe('Hello Ana, this is a reminder of your appointment on Tuesday 10:00. Reply to this message to change it.');
      await checkPage(page, 'templates-new');

      await page.getByRole('button', { name: 'Submit for review' }).click();
      await page.getByRole('heading', { level: 1, name: 'Template appointment_reminder' }).waitFor();
      const templateId = new URL(page.url()).pathname.split('/').at(-1)!;
      expect(templateId).toMatch(/^tpl_/);
      await page.getByText('this page follows the review as it happens').waitFor();
      await until(`/v1/customers/${customerId}/templates/${templateId}`, 'approved');
      await page.locator('dd.template-status', { hasText: /^Approved$/ }).waitFor();
      await checkPage(page, 'templates-approved');
    } finally {
      await close();
    }
  }, 120_000);

  it("show a rejected template's reason and resubmit it, fixed, under a new name to approval", async () => {
    sandbox.addRule({ type: 'fail', step: 'template', accountSid, times: 1 });
    const rejected = await api.post(`/v1/customers/${customerId}/templates`, {
      name: 'order_update', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' },
      content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and arrives within three days.' },
    });
    expect(rejected.status).toBe(201);
    await until(`/v1/customers/${customerId}/templates/${rejected.body.id}`, 'rejected');

    const { page, close } = await signedIn();
    try {
      await nav(page, 'Templates');
      const row = page.getByRole('listitem').filter({ hasText: 'order_update' });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/Status\s+Rejected[\s\S]*INVALID_FORMAT/);
      await row.getByRole('link', { name: 'order_update' }).click();
      await page.getByRole('heading', { level: 1, name: 'Template order_update' }).waitFor();
      expect(await page.locator('dd.error').innerText()).toMatch(/^INVALID_FORMAT/);
      await page.getByRole('heading', { level: 2, name: 'Fix and resubmit' }).waitFor();
      expect(await page.getByLabel('Name').inputValue()).toBe('order_update_v2');
      // The old name again is refused beside the field.
      await page.getByLabel('Name').fill('order_update');
      await page.getByRole('button', { name: 'Resubmit for review' }).click();
      await page.locator('#template-name-findings').waitFor();
      await page.getByLabel('Name').fill('order_update_v2');
      await page.getByLabel('Message').fill('Hello {{1}}, your order {{2}} has shipped. It arrives within three days; reply here with any question.');
      await page.locator('#template-name-findings').waitFor({ state: 'detached' });
      expect(await page.getByRole('region', { name: 'Fix and resubmit' }).getByTestId('template-preview').innerText()).toBe('Hello Ana, your order A-1234 has shipped. It arrives within three days; reply here with any question.');
      await checkPage(page, 'templates-resubmit');
      await page.getByRole('button', { name: 'Resubmit for review' }).click();

      await page.getByRole('heading', { level: 1, name: 'Template order_update_v2' }).waitFor();
      const nextId = new URL(page.url()).pathname.split('/').at(-1)!;
      expect((await api.get(`/v1/customers/${customerId}/templates/${rejected.body.id}`)).body.nextVersionId).toBe(nextId);
      expect(await page.getByRole('link', { name: 'the rejected version' }).getAttribute('href')).toBe(`/portal/templates/${rejected.body.id}`);
      await until(`/v1/customers/${customerId}/templates/${nextId}`, 'approved');
      await page.locator('dd.template-status', { hasText: /^Approved$/ }).waitFor();
    } finally {
      await close();
    }
  }, 120_000);

  it('say when the lint cannot run rather than that it found nothing, and focus a failed submit\'s error', async () => {
    const { page, close } = await signedIn();
    try {
      await page.route('**/templates/lint', (route) => route.fulfill(problem(503, 'Service Unavailable', 'The lint is down.')));
      await nav(page, 'Templates');
      await page.getByRole('link', { name: 'New template' }).click();
      expect(await page.getByLabel('Name').getAttribute('aria-describedby')).toBe('template-name-hint');
      await page.getByLabel('Name').fill('delivery_window');
      await page.getByText('Lint unavailable: The lint is down. The draft is checked again as you edit it.').waitFor();
      expect(await page.getByText('No findings').count()).toBe(0);
      await checkPage(page, 'templates-lint-unavailable');

      await page.unroute('**/templates/lint');
      await page.getByLabel('Message').fill(GOOD_BODY);
      await page.getByLabel('Sample for {{1}}').fill('Ana');
      await page.getByLabel('Sample for {{2}}').fill('Tuesday 10:00');
      await page.getByText('No findings: nothing here is likely to be rejected.').waitFor();

      // A submit that fails on nothing of the form's: focus moves to the error said above the button.

      await page.route(`**/v1/customers/${customerId}/templates`, (route) =>
        route.request().method() === 'POST' ? route.fulfill(problem(503, 'Service Unavailable', 'Templates cannot be submitted right now.')) : route.fallback(),
      );
      await page.getByRole('button', { name: 'Submit for review' }).click();
      await page.getByRole('alert').filter({ hasText: 'Templates cannot be submitted right now.' }).waitFor();
      expect(await isFocused(page, 'form [role="alert"]')).toBe(true);
    } finally {
      await close();
    }
  });

  it('page through the templates and the numbers with Older and Newer', async () => {
    const { page, close } = await signedIn();
    try {
      await smallPages(page, `/v1/customers/${customerId}/templates`, 1);
      await smallPages(page, `/v1/customers/${customerId}/whatsapp/senders`, 1);
      const cards = page.getByRole('list', { name: 'Your WhatsApp templates, newest first' }).getByRole('listitem');
      await nav(page, 'Templates');
      await page.getByRole('button', { name: 'Older' }).waitFor();
      expect(await cards.count()).toBe(1);
      const newest = await cards.getByRole('heading').innerText();
      await page.getByRole('button', { name: 'Older' }).click();
      await cards.getByRole('heading').filter({ hasNotText: newest }).waitFor();
      await page.getByRole('button', { name: 'Newer' }).click();
      await cards.getByRole('heading', { name: newest }).waitFor();

      const numbers = page.getByRole('list', { name: 'Your WhatsApp numbers' }).getByRole('listitem');
      await nav(page, 'WhatsApp');
      await page.getByRole('button', { name: 'Older' }).waitFor();
      expect(await numbers.count()).toBe(1);
      const first = await numbers.getByRole('heading').innerText();
      await page.getByRole('button', { name: 'Older' }).click();
      await numbers.getByRole('heading').filter({ hasNotText: first }).waitFor();
      expect(await page.getByRole('button', { name: 'Newer' }).count()).toBe(1);
    } finally {
      await close();
    }
  });

  it("fit a phone's width: the numbers, the sign-up and the template editor", async () => {
    const { page, close } = await signedIn(360);
    try {
      await nav(page, 'WhatsApp');
      await page.getByRole('listitem').filter({ hasText: SENDER }).waitFor();
      await checkPage(page, 'whatsapp-senders-phone');
      await page.getByRole('link', { name: 'Connect a WhatsApp number' }).click();
      await page.getByRole('button', { name: 'Start the simulated sign-up' }).click();
      await page.getByRole('dialog', { name: 'Simulated Meta sign-up' }).waitFor();
      await checkPage(page, 'whatsapp-simulated-signup-phone');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByText('The simulated sign-up was cancelled.').waitFor();

      await nav(page, 'Templates');
      await page.getByRole('link', { name: 'New template' }).click();
      await page.getByLabel('Message').fill(GOOD_BODY);
      await page.getByLabel('Sample for {{2}}').waitFor();
      await checkPage(page, 'templates-new-phone');
    } finally {
      await close();
    }
  }, 60_000);
});
