/**
 * The portal's first load: the gzipped JavaScript the browser fetches for it (budget 150 KB), and
 * the time from opening a customer's sign-in link to a usable account page (its name and its
 * onboarding shown), and from a partner's sign-in link to its usable console (the customers list
 * with each one's onboarding state), in headless Chromium against the local platform, over
 * repeated cold loads (a fresh browser context and a fresh single-use link each).
 *
 *   npx tsx bench/portal.bench.ts [loads]
 */
import { gzipSync } from 'node:zlib';
import { silentLog } from '../infra/local/log';
import { startPlatform } from '../infra/local/platform';
import type { Page } from 'playwright-core';
import { launch } from '../test/browser/support';
import { validCustomer } from '../test/support/fixtures';

const LOADS = Number(process.argv[2] ?? 20);
const BUDGET_BYTES = 150 * 1024;

async function main(): Promise<number> {
  const platform = await startPlatform({ port: 0, inMemory: true, twilio: 'none', portal: true, log: silentLog, tableName: 'switchboard-bench-portal' });
  const browser = await launch();
  try {
    // What a first load fetches: every script the page pulls in, as the browser receives them.
    const scripts = new Map<string, number>();
    const probe = await browser.newContext();
    const page = await probe.newPage();
    page.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scripts.set(response.url(), gzipSync(await response.body(), { level: 9 }).length);
    });
    await page.goto(`${platform.url}/portal/`, { waitUntil: 'networkidle' });
    await probe.close();
    const gzipped = [...scripts.values()].reduce((a, b) => a + b, 0);

    const { apiKey } = await platform.admin.createPartnerWithKey('Bench partner');
    const call = async (path: string, body?: unknown) => {
      const response = await fetch(`${platform.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      if (!response.ok) throw new Error(`POST ${path} answered ${response.status}`);
      return response.json() as Promise<Record<string, string>>;
    };
    const customer = await call('/v1/customers', validCustomer());

    /** Cold loads from a fresh link each to the moment `usable` resolves; p50, p90 and max. */
    const timeLoads = async (link: () => Promise<string>, usable: (tab: Page) => Promise<void>) => {
      const times: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const url = await link();
        const context = await browser.newContext();
        const tab = await context.newPage();
        const start = performance.now();
        await tab.goto(url);
        await usable(tab);
        times.push(performance.now() - start);
        await context.close();
      }
      times.sort((a, b) => a - b);
      const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!.toFixed(0);
      return `p50 ${at(50)} ms, p90 ${at(90)} ms, max ${at(100)} ms`;
    };
    const account = await timeLoads(
      async () => (await call(`/v1/customers/${customer.id}/portal-sessions`)).url!,
      async (tab) => {
        await tab.getByRole('heading', { level: 1, name: customer.displayName }).waitFor();
        await tab.getByText('Onboarding has not started yet').waitFor();
      },
    );
    const console_ = await timeLoads(
      async () => (await call('/v1/portal-sessions')).url!,
      async (tab) => {
        await tab.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
        await tab.getByRole('cell', { name: 'not started' }).waitFor();
      },
    );
    console.log(`first-load JavaScript: ${scripts.size} file(s), ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB): ${gzipped <= BUDGET_BYTES ? 'met' : 'MISSED'}`);
    console.log(`time from a customer's sign-in link to a usable account page, ${LOADS} cold loads in headless Chromium: ${account}`);
    console.log(`time from a partner's sign-in link to a usable console (customers and their onboarding), ${LOADS} cold loads: ${console_}`);
    return gzipped <= BUDGET_BYTES ? 0 : 1;
  } finally {
    await browser.close();
    await platform.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
