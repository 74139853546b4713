import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { newCustomer } from '../workflow/support';
import { launch, newPage, screenshot, seriousAccessibilityFindings } from './support';

/**
 * The portal with the platform's Meta app configured: its pages allow Meta's SDK in their CSP,
 * and the WhatsApp page runs Meta's Embedded Signup with it. Meta's two hosts are played by the
 * browser's request routing (the machines have no network): connect.facebook.net serves an SDK
 * that records what it was given and opens www.facebook.com, whose page posts the session's
 * result to the portal the way Meta's window does. The portal's CSP and its origin check of the
 * message are the real ones.
 */
let platform: Platform;
let browser: Browser;
let api: ApiClient;
let customerId: string;

const APP_ID = '1234567890123';
const CONFIG_ID = '987654321098';
const WABA = '104567890123456';

/** Stands in for Meta's SDK: FB.init and FB.login record their arguments; login opens Meta's window and answers when it closes. */
const FAKE_SDK = `
window.FB = {
  init(options) { window.fbInit = options; },
  login(callback, options) {
    window.fbLogin = options;
    // A page of another origin (here the portal's own) posting Meta's message must be ignored.
    window.postMessage(JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: '999999999999999', phone_number_id: '1' } }), '*');
    const popup = window.open('https://www.facebook.com/v21.0/dialog/oauth', 'meta', 'width=600,height=700');
    const timer = setInterval(() => {
      if (!popup || popup.closed) { clearInterval(timer); callback({ authResponse: { code: 'AQD-code' }, status: 'connected' }); }
    }, 20);
  },
};
window.fbAsyncInit();
`;

/** Meta's window: posts what the session ended with to the page that opened it, then closes. */
const metaWindow = (message: unknown) =>
  `<!doctype html><title>Meta</title><script>window.opener.postMessage(${JSON.stringify(JSON.stringify(message))}, '*'); window.close();</script>`;

async function playMeta(context: BrowserContext, message: unknown): Promise<void> {
  await context.route('https://connect.facebook.net/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', headers: { 'access-control-allow-origin': '*' }, body: FAKE_SDK }),
  );
  await context.route('https://www.facebook.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: metaWindow(message) }));
}

async function connectPage(message: unknown): Promise<{ page: Page; close: () => Promise<void> }> {
  const link = await api.post(`/v1/customers/${customerId}/portal-sessions`, {});
  const { context, page } = await newPage(browser);
  await playMeta(context, message);
  await page.goto(link.body.url);
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'WhatsApp' }).click();
  await page.getByRole('link', { name: 'Connect a WhatsApp number' }).click();
  await page.getByRole('heading', { level: 1, name: 'Connect a WhatsApp number' }).waitFor();
  return { page, close: () => context.close() };
}

beforeAll(async () => {
  platform = await startTestPlatform('whatsapp-meta', { portal: true, twilio: 'sandbox', env: { META_APP_ID: APP_ID, META_EMBEDDED_SIGNUP_CONFIG_ID: CONFIG_ID } });
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Meta partner')).apiKey);
  customerId = await newCustomer(api, customerBody());
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the portal with a Meta app', () => {
  it("allows Meta's SDK and frames in its CSP and tells the front end how to run Embedded Signup", async () => {
    const csp = (await fetch(`${platform.url}/portal/whatsapp/connect`)).headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' https://connect.facebook.net;");
    expect(csp).toContain('frame-src');
    expect((await api.get(`/v1/customers/${customerId}/whatsapp/embedded-signup`)).body).toEqual({ mode: 'meta', appId: APP_ID, configId: CONFIG_ID, graphApiVersion: 'v21.0' });
  });

  it("runs Meta's Embedded Signup and takes the WABA id only from Meta's window", async () => {
    const { page, close } = await connectPage({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: WABA, phone_number_id: '106540352242922' } });
    try {
      const start = page.getByRole('button', { name: 'Continue with Facebook' });
      await start.waitFor();
      expect(await page.getByText('Simulated').count()).toBe(0);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'whatsapp-meta-signup');
      await start.click();
      await page.getByRole('heading', { level: 2, name: '2. The number and its profile' }).waitFor();
      expect(await page.locator('form p strong').first().innerText()).toBe(WABA);
      expect(await page.evaluate('window.fbInit')).toEqual({ appId: APP_ID, autoLogAppEvents: true, xfbml: false, version: 'v21.0' });
      expect(await page.evaluate('window.fbLogin')).toEqual({ config_id: CONFIG_ID, response_type: 'code', override_default_response_type: true, extras: { sessionInfoVersion: 3, setup: {} } });

      // The registration carries Meta's WABA id (this customer has no messaging service yet: the API says so).
      await page.getByLabel('Phone number (E.164)').fill('+14155558322');
      await page.getByLabel('Display name').fill('Acme Widgets');
      const [request] = await Promise.all([
        page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/v1/customers/${customerId}/whatsapp/senders`)),
        page.getByRole('button', { name: 'Connect the number' }).click(),
      ]);
      expect(request.postDataJSON()).toMatchObject({ wabaId: WABA, phoneNumber: '+14155558322', profile: { name: 'Acme Widgets' }, verificationMethod: 'sms' });
      await page.getByRole('alert').waitFor();
    } finally {
      await close();
    }
  });

  it('says so when the business leaves Meta’s window before it finished, and can start again', async () => {
    const { page, close } = await connectPage({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PHONE_NUMBER_SETUP' } });
    try {
      await page.getByRole('button', { name: 'Continue with Facebook' }).click();
      await page.getByRole('alert').filter({ hasText: 'left before it finished (at PHONE_NUMBER_SETUP)' }).waitFor();
      expect(await page.getByRole('button', { name: 'Continue with Facebook' }).isEnabled()).toBe(true);
      expect(await page.getByLabel('Phone number (E.164)').count()).toBe(0);
    } finally {
      await close();
    }
  });
});
