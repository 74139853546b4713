import type { Browser } from 'playwright-core';
import type { Platform } from '../../infra/local/platform';
import { manualClock } from '../../infra/local/clock';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';
import { launch, newPage, screenshot, seriousAccessibilityFindings } from './support';

/**
 * A customer fixes its own rejected brand in the portal: Twilio's reasons sit on the fields they
 * name, the API's validation and the preflight answer on the same fields, and one click resumes
 * the onboarding, which the page follows to the end without a reload.
 */
let platform: Platform;
let browser: Browser;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('portal-fix', { portal: true, twilio: 'sandbox', clock: manualClock() });
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Fix partner')).apiKey);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

it('shows a failed brand on its fields; the customer fixes them, resubmits in one click and watches the steps complete', async () => {
  const id = await newCustomer(api, customerBody({ legalName: 'Acme Widgets [fail:brand] LLC' }));
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('FAILED');
  const registration = (await api.get(`/v1/customers/${id}`)).body.registration;

  const link = await api.post(`/v1/customers/${id}/portal-sessions`, {});
  {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(link.body.url);
      await page.getByRole('heading', { level: 1, name: 'Acme' }).waitFor();
      await page.getByText('Stopped at Brand registration').waitFor();
      await page.getByRole('heading', { level: 2, name: 'Fix and resubmit' }).waitFor();

      // Twilio's 30794 names the legal name and the EIN: both fields are marked with the reason.
      const legalName = page.getByLabel('Legal business name');
      const ein = page.getByLabel('Registration number');
      for (const [field, reason] of [
        [legalName, 'fix-legalName-reason'],
        [ein, 'fix-registration-number-reason'],
      ] as const) {
        expect(await field.getAttribute('aria-invalid')).toBe('true');
        expect((await field.getAttribute('aria-describedby'))!.split(' ')).toContain(reason);
        expect(await page.locator(`#${reason}`).innerText()).toMatch(/^Twilio 30794: .*IRS/);
      }
      expect(await legalName.inputValue()).toBe('Acme Widgets [fail:brand] LLC');
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'fix-failed-brand');

      // The API's own validation answers beside the field, and nothing is saved.
      await ein.fill('123');
      await page.getByRole('button', { name: 'Save and check' }).click();
      await page.locator('#fix-registration-number-error', { hasText: 'an EIN has 9 digits' }).waitFor();
      expect((await api.get(`/v1/customers/${id}`)).body.registration).toEqual(registration);

      // A well-formed EIN the IRS never issues: the preflight's finding lands on the same field.
      await ein.fill('00-1234567');
      await page.getByRole('button', { name: 'Save and check' }).click();
      await page.locator('#fix-registration-number-error', { hasText: 'not an EIN the IRS issues' }).waitFor();
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'fix-preflight-finding');

      await ein.fill(registration.number);
      await legalName.fill('Acme Widgets LLC');
      await page.getByRole('button', { name: 'Save and resubmit' }).click();
      await page.getByText('In progress: this page follows each step as it happens.').waitFor();
      expect(await page.getByRole('heading', { level: 2, name: 'Fix and resubmit' }).count()).toBe(0);

      // The workflow resumes at the brand; the page follows it to the end by itself.
      expect((await runToEnd(platform, `${id}-a2`)).status).toBe('SUCCEEDED');
      await page.getByText('Done: you are ready to send.').waitFor();
      expect(await page.locator('.step.succeeded').count()).toBe(7);
      expect(await page.getByRole('heading', { level: 1, name: 'Acme' }).count()).toBe(1);
      await screenshot(page, 'fix-resubmitted');
    } finally {
      await context.close();
    }
  }

  const customer = (await api.get(`/v1/customers/${id}`)).body;
  expect({ legalName: customer.legalName, registration: customer.registration }).toEqual({ legalName: 'Acme Widgets LLC', registration });
  const timeline = (await api.get(`/v1/customers/${id}/onboarding`)).body;
  expect({ status: timeline.status, attempt: timeline.attempt }).toEqual({ status: 'succeeded', attempt: 2 });
  // The same brand was sent back for review once, after the fix.
  const brandSid = timeline.steps.find((s: { step: string }) => s.step === 'brand').sids.brandSid;
  const accountSid = timeline.steps[0].sids.accountSid;
  expect(sandboxOf(platform).requests({ method: 'POST', path: `/v1/a2p/BrandRegistrations/${brandSid}`, accountSid }).filter((r) => r.status < 300)).toHaveLength(1);
});

it('at a phone’s width, a failed campaign puts its samples on the form, and a finding lands on the sample it names', async () => {
  sandboxOf(platform).addRule({ type: 'fail', step: 'campaign', times: 1, errors: [{ code: 30893, description: 'Message samples do not match the use case', fields: ['MessageSamples'] }] });
  const id = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('FAILED');

  const link = await api.post(`/v1/customers/${id}/portal-sessions`, {});
  const { context, page } = await newPage(browser, 360);
  try {
    await page.goto(link.body.url);
    await page.getByText('Stopped at Campaign registration').waitFor();
    expect(await page.getByLabel('Sample 1').inputValue()).toBe(CAMPAIGN.messageSamples[0]);
    expect(await page.getByLabel('Sample 2').inputValue()).toBe(CAMPAIGN.messageSamples[1]);
    // Only what Twilio named is on the form, and it is marked.
    expect(await page.locator('.field').count()).toBe(1);
    expect(await page.locator('.field.marked legend').innerText()).toBe('Message samples');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await screenshot(page, 'fix-failed-campaign-phone');

    // A sample with a link the campaign does not declare: the preflight's finding sits beside that sample only.
    await page.getByLabel('Sample 2').fill('Acme: track your order at https://acme.example.com/track. Reply STOP to opt out.');
    await page.getByRole('button', { name: 'Save and check' }).click();
    await page.locator('.sample').nth(1).locator('.error', { hasText: 'set hasEmbeddedLinks to true' }).waitFor();
    expect(await page.locator('.sample').nth(0).locator('.error').count()).toBe(0);
    expect(await page.getByLabel('Sample 2').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Sample 2').fill(CAMPAIGN.messageSamples[1]!);
    await page.getByRole('button', { name: 'Save and resubmit' }).click();
    await page.getByText('In progress: this page follows each step as it happens.').waitFor();
    expect((await runToEnd(platform, `${id}-a2`)).status).toBe('SUCCEEDED');
    await page.getByText('Done: you are ready to send.').waitFor();
  } finally {
    await context.close();
  }
  const timeline = (await api.get(`/v1/customers/${id}/onboarding`)).body;
  expect(timeline.options.campaign.messageSamples).toEqual(CAMPAIGN.messageSamples);
});
