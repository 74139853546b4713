import type { Browser } from 'playwright-core';
import type { Platform } from '../../infra/local/platform';
import { manualClock } from '../../infra/local/clock';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';
import { isFocused, launch, newPage, problem, screenshot, seriousAccessibilityFindings } from './support';

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

/** A customer whose first onboarding ran to its end and failed (the input or a sandbox rule says where). */
async function failedOnboarding(body: Record<string, unknown>): Promise<string> {
  const id = await newCustomer(api, body);
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('FAILED');
  return id;
}

/** A single-use sign-in link to the customer's portal. */
const portalLink = (id: string) => api.post(`/v1/customers/${id}/portal-sessions`, {});

it('shows a failed brand on its fields; the customer fixes them, resubmits in one click and watches the steps complete', async () => {
  const id = await failedOnboarding(customerBody({ legalName: 'Acme Widgets [fail:brand] LLC' }));
  const registration = (await api.get(`/v1/customers/${id}`)).body.registration;

  const link = await portalLink(id);
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
      // The form is gone: focus is on the onboarding it resumed, whose live line names the step it is at.
      expect(await isFocused(page, '#onboarding')).toBe(true);
      expect(await page.locator('p[aria-live]').innerText()).toMatch(/Now: [A-Z]/);

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
  const id = await failedOnboarding(customerBody());

  const link = await portalLink(id);
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

it("puts an error on a group of fields (Twilio's address, the API's body.address) on every field of the group, and focuses the first", async () => {
  sandboxOf(platform).addRule({ type: 'fail', step: 'brand', times: 1, errors: [{ code: 30795, description: 'The business address could not be verified', fields: ['address_sids'] }] });
  const id = await failedOnboarding(customerBody());
  const address = (await api.get(`/v1/customers/${id}`)).body.address;

  const link = await portalLink(id);
  const { context, page } = await newPage(browser);
  try {
    await page.goto(link.body.url);
    await page.getByText('Stopped at Brand registration').waitFor();
    const street = page.getByLabel('Street', { exact: true });
    await street.waitFor();
    // Twilio named the address as a whole: each of its fields carries the reason and is marked.
    const fields = ['street', 'city', 'region', 'postalCode', 'isoCountry'];
    for (const field of fields) {
      const control = page.locator(`#fix-address-${field}`);
      expect({ field, invalid: await control.getAttribute('aria-invalid') }).toEqual({ field, invalid: 'true' });
      expect(await page.locator(`#fix-address-${field}-reason`).innerText()).toBe('Twilio 30795: The business address could not be verified');
    }
    expect(await seriousAccessibilityFindings(page)).toEqual([]);

    // The API refusing the address as a whole: the error sits on each of its fields, and focus on the first.
    await page.route(`**/v1/customers/${id}`, (route) =>
      route.request().method() === 'PATCH'
        ? route.fulfill(problem(422, 'Unprocessable Entity', 'The request is not valid.', [{ field: 'body.address', message: 'is not an address the postal service knows' }]))
        : route.fallback(),
    );
    await street.fill(`${address.street} `);
    await page.getByRole('button', { name: 'Save and check' }).click();
    await page.locator('#fix-address-street-error', { hasText: 'is not an address the postal service knows' }).waitFor();
    expect(await page.locator('#fix-address-postalCode-error').innerText()).toBe('is not an address the postal service knows');
    expect(await isFocused(page, '#fix-address-street')).toBe(true);
    await page.unroute(`**/v1/customers/${id}`);

    await street.fill(address.street);
    await page.getByRole('button', { name: 'Save and resubmit' }).click();
    await page.getByText('In progress: this page follows each step as it happens.').waitFor();
    expect(await isFocused(page, '#onboarding')).toBe(true);
    expect((await runToEnd(platform, `${id}-a2`)).status).toBe('SUCCEEDED');
    await page.getByText('Done: you are ready to send.').waitFor();
  } finally {
    await context.close();
  }
});

it("puts the campaign step's own error on the one sample it names (campaign.messageSamples[1])", async () => {
  sandboxOf(platform).addRule({ type: 'fail', step: 'campaign', times: 1, errors: [{ code: 30893, description: 'Message samples do not match the use case', fields: ['MessageSamples'] }] });
  const id = await failedOnboarding(customerBody());

  const link = await portalLink(id);
  const { context, page } = await newPage(browser);
  try {
    // The step's failure as the campaign step writes it for stored options it cannot take: the item in brackets.
    await page.route(`**/v1/customers/${id}/onboarding`, async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      const response = await route.fetch();
      const timeline = await response.json();
      for (const step of timeline.steps) if (step.errors) step.errors = [{ code: 'invalid-options', message: 'the sample is too short', fields: ['campaign.messageSamples[1]'] }];
      await route.fulfill({ response, json: timeline });
    });
    await page.goto(link.body.url);
    await page.getByText('Stopped at Campaign registration').waitFor();
    await page.getByLabel('Sample 2').waitFor();
    expect(await page.locator('.field').count()).toBe(1);
    expect(await page.locator('#fix-campaign-messageSamples-reason').innerText()).toBe('Twilio invalid-options: the sample is too short');
    expect(await page.getByLabel('Sample 2').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Sample 1').getAttribute('aria-invalid')).toBeNull();
    expect(await seriousAccessibilityFindings(page)).toEqual([]);

    // A preflight finding on one sample is tied to that sample's textarea.
    await page.getByLabel('Sample 2').fill('Acme: track your order at https://acme.example.com/track. Reply STOP to opt out.');
    await page.getByRole('button', { name: 'Save and check' }).click();
    const sampleError = page.locator('#fix-campaign-messageSamples-1-error', { hasText: 'set hasEmbeddedLinks to true' });
    await sampleError.waitFor();
    expect((await page.getByLabel('Sample 2').getAttribute('aria-describedby'))!.split(' ')).toContain('fix-campaign-messageSamples-1-error');
    expect(await isFocused(page, '#fix-campaign-messageSamples-1')).toBe(true);
  } finally {
    await context.close();
  }
});
