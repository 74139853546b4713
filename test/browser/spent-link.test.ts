import type { Browser } from 'playwright-core';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { launch, newPage, screenshot, seriousAccessibilityFindings } from './support';

/**
 * A person clicks a portal link that was already used: Chromium gets the API's 410 as a page that
 * says so and what to do (not problem+json), accessible, within a phone's width, and its way back
 * to the portal.
 */
let platform: Platform;
let browser: Browser;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('spent-link', { portal: true });
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Spent link partner')).apiKey);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** A customer's link, opened once already (as by the person's first click). */
async function spentLink(): Promise<string> {
  const customer = (await api.post('/v1/customers', customerBody({ displayName: 'Spent' }))).body;
  const link = await api.post(`/v1/customers/${customer.id}/portal-sessions`, {});
  expect(link.status).toBe(201);
  expect((await fetch(link.body.url, { redirect: 'manual' })).status).toBe(303);
  return link.body.url;
}

describe('a spent portal link in the browser', () => {
  it.each([
    ['desktop', 1280],
    ['phone', 360],
  ])('shows a 410 page that says what happened and what to do, accessible (%s)', async (name, width) => {
    const url = await spentLink();
    const { context, page } = await newPage(browser, width);
    try {
      const reply = await page.goto(url);
      expect(reply?.status()).toBe(410);
      expect(reply?.headers()['content-type']).toBe('text/html; charset=utf-8');
      await page.getByRole('heading', { level: 1, name: 'This link has already been used or has expired' }).waitFor();
      expect(await page.title()).toBe('Link already used or expired');
      expect(await page.getByText('ask your provider for a new link').isVisible()).toBe(true);
      // Its style block is allowed by its CSP (a refused one would leave the page unstyled).
      expect(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth")).toBe('576px');
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, name === 'desktop' ? 'spent-link' : `spent-link-${name}`);

      // Without a session its link leads to the portal's sign-in page; no cookie was set.
      await page.getByRole('link', { name: 'go to the portal' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in with your link' }).waitFor();
      expect((await context.cookies()).map((c) => c.name)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
