import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../infra/local/platform';

/** Debian's Chromium, installed by the set-up script (never downloaded at run time). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where each run's page screenshots go (ignored by git). */
export const SCREENSHOTS = join(PROJECT_ROOT, 'test-results', 'screenshots');

export async function launch(): Promise<Browser> {
  // --no-sandbox: the machines run tests as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}

/** A page of its own context (cookies included), at a phone's width or a desktop's. */
export async function newPage(browser: Browser, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 740 : 800 } });
  return { context, page: await context.newPage() };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe-core's serious and critical findings on the page as it is now (none is the bar). */
export async function seriousAccessibilityFindings(page: Page): Promise<Array<{ id: string; impact: string; nodes: number }>> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, nodes: v.nodes.length }));
}

/**
 * The list at `pathname` served `limit` items a page, whatever page size the portal asks for: its
 * paging is reached with a couple of items instead of a page's worth.
 */
export async function smallPages(page: Page, pathname: string, limit: number): Promise<void> {
  await page.route(
    (url) => url.pathname === pathname,
    (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const url = new URL(route.request().url());
      url.searchParams.set('limit', String(limit));
      return route.continue({ url: url.toString() });
    },
  );
}

/** A problem+json answer, as the API gives one. */
export const problem = (status: number, title: string, detail?: string, errors?: Array<{ field: string; message: string }>) => ({
  status,
  contentType: 'application/problem+json',
  body: JSON.stringify({ type: 'about:blank', title, status, ...(detail && { detail }), ...(errors && { errors }) }),
});

/** Whether the element `selector` matches is the one with keyboard focus. */
export const isFocused = (page: Page, selector: string) => page.locator(selector).evaluate((el) => el === el.ownerDocument.activeElement);
