import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { Platform } from '../../infra/local/platform';
import { MAX_DOCUMENT_BYTES } from '../../shared/domain/document';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { newCustomer } from '../workflow/support';
import { isFocused, launch, newPage, problem, screenshot, seriousAccessibilityFindings, smallPages } from './support';

/**
 * The Documents page in Debian's Chromium against the real local platform: a customer session
 * uploads a PDF and sees it listed with its sniffed type, downloads it, is refused a file that
 * only pretends to be a PDF and one over the limit (each error beside the file field), and
 * deletes one after confirming; focused and accessible at a desktop's width and a phone's.
 */
let platform: Platform;
let browser: Browser;
let api: ApiClient;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f40000000049454e44ae426082', 'hex');

beforeAll(async () => {
  platform = await startTestPlatform('portal-documents', { portal: true, twilio: 'sandbox' });
  browser = await launch();
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Documents partner')).apiKey);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** A fresh customer's session in a page of its own, on the Documents page (reached through the nav). */
async function openDocuments(width: number): Promise<{ page: Page; close: () => Promise<void>; customerId: string }> {
  const customerId = await newCustomer(api, customerBody({ displayName: 'Acme Documents' }));
  const link = await api.post(`/v1/customers/${customerId}/portal-sessions`, {});
  expect(link.status).toBe(201);
  const { context, page } = await newPage(browser, width);
  await page.goto(link.body.url);
  await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Documents' }).click();
  const heading = page.getByRole('heading', { level: 1, name: 'Documents' });
  await heading.waitFor();
  expect(await heading.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  return { page, close: () => context.close(), customerId };
}

async function uploadFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }, type = 'Business registration'): Promise<void> {
  await page.getByLabel('File (PDF, PNG or JPEG)').setInputFiles(file);
  await page.getByLabel('Type').selectOption({ label: type });
  await page.getByRole('button', { name: 'Upload' }).click();
}

const fileError = (page: Page) => page.locator('#doc-file-error');
const rows = (page: Page) => page.getByRole('table').getByRole('row');

describe('the Documents page', () => {
  it('uploads a PDF, lists it with its sniffed type and downloads the same bytes', async () => {
    const { page, close } = await openDocuments(1280);
    try {
      await page.getByText('No documents yet.').waitFor();
      expect(await page.getByText('Up to 4 MB.').isVisible()).toBe(true);
      await uploadFile(page, { name: 'ein-letter.pdf', mimeType: 'application/pdf', buffer: PDF });
      await page.getByRole('status').filter({ hasText: 'ein-letter.pdf was uploaded as application/pdf.' }).waitFor();
      const row = rows(page).filter({ hasText: 'ein-letter.pdf' });
      await row.waitFor();
      expect(await row.getByRole('cell').nth(1).innerText()).toContain('application/pdf');
      expect(await row.getByRole('cell').nth(4).innerText()).toBe('Not linked');

      const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /ein-letter\.pdf/ }).click()]);
      expect(download.suggestedFilename()).toBe('ein-letter.pdf');
      expect(readFileSync((await download.path())!).equals(PDF)).toBe(true);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'documents-uploaded');
    } finally {
      await close();
    }
  });

  it('refuses a file pretending to be a PDF, garbage bytes and a file over the limit, each with the error beside the file field', async () => {
    const { page, close } = await openDocuments(1280);
    try {
      await uploadFile(page, { name: 'scan.pdf', mimeType: 'application/pdf', buffer: PNG });
      await fileError(page).filter({ hasText: 'is image/png, not application/pdf' }).waitFor();
      expect(await page.getByLabel('File (PDF, PNG or JPEG)').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('File (PDF, PNG or JPEG)').getAttribute('aria-describedby')).toContain('doc-file-error');
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
      await screenshot(page, 'documents-wrong-type');

      await uploadFile(page, { name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a document at all') });
      await fileError(page).filter({ hasText: 'must be a PDF, PNG or JPEG file' }).waitFor();

      const big = Buffer.concat([PDF, Buffer.alloc(MAX_DOCUMENT_BYTES + 1 - PDF.length)]);
      await uploadFile(page, { name: 'big.pdf', mimeType: 'application/pdf', buffer: big });
      await fileError(page).filter({ hasText: 'must be at most' }).waitFor();
      await screenshot(page, 'documents-too-large');
      // Nothing was stored.
      await page.getByText('No documents yet.').waitFor();
    } finally {
      await close();
    }
  });

  it('deletes a document only after it is confirmed', async () => {
    const { page, close } = await openDocuments(1280);
    try {
      await uploadFile(page, { name: 'keep.pdf', mimeType: 'application/pdf', buffer: PDF });
      await rows(page).filter({ hasText: 'keep.pdf' }).waitFor();
      await uploadFile(page, { name: 'bill.png', mimeType: 'image/png', buffer: PNG }, 'Proof of address');
      const bill = rows(page).filter({ hasText: 'bill.png' });
      await bill.waitFor();
      expect(await bill.getByRole('cell').nth(1).innerText()).toContain('image/png');

      await page.getByRole('button', { name: 'Delete bill.png' }).click();
      const confirm = page.getByRole('group', { name: 'Confirm deleting bill.png' });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Delete bill.png' }).waitFor();
      await page.getByRole('button', { name: 'Delete bill.png' }).click();
      await confirm.getByRole('button', { name: 'Yes, delete' }).click();
      await bill.waitFor({ state: 'detached' });
      expect(await rows(page).filter({ hasText: 'keep.pdf' }).count()).toBe(1);
      await screenshot(page, 'documents-deleted');
    } finally {
      await close();
    }
  });

  it('sends one deletion however often "Yes, delete" is pressed while it is on its way', async () => {
    const { page, close } = await openDocuments(1280);
    try {
      await uploadFile(page, { name: 'once.pdf', mimeType: 'application/pdf', buffer: PDF });
      const row = rows(page).filter({ hasText: 'once.pdf' });
      await row.waitFor();
      // The deletion is held until the button has been seen waiting.
      let deletes = 0;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/documents/*', async (route) => {
        if (route.request().method() !== 'DELETE') return route.fallback();
        deletes++;
        await held;
        await route.continue();
      });
      await page.getByRole('button', { name: 'Delete once.pdf' }).click();
      const confirm = page.getByRole('group', { name: 'Confirm deleting once.pdf' });
      await confirm.getByRole('button', { name: 'Yes, delete' }).click();
      const pending = confirm.getByRole('button', { name: 'Deleting…' });
      await pending.waitFor();
      expect(await pending.isDisabled()).toBe(true);
      release();
      await row.waitFor({ state: 'detached' });
      expect(deletes).toBe(1);
    } finally {
      await close();
    }
  });

  it('pages through the documents with Older and Newer', async () => {
    const { page, close, customerId } = await openDocuments(1280);
    try {
      await uploadFile(page, { name: 'first.pdf', mimeType: 'application/pdf', buffer: PDF });
      await rows(page).filter({ hasText: 'first.pdf' }).waitFor();
      await uploadFile(page, { name: 'second.pdf', mimeType: 'application/pdf', buffer: PDF });
      await rows(page).filter({ hasText: 'second.pdf' }).waitFor();
      // One document a page: the newest first, the other one page older.
      await smallPages(page, `/v1/customers/${customerId}/documents`, 1);
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Account' }).click();
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Documents' }).click();
      await rows(page).filter({ hasText: 'second.pdf' }).waitFor();
      expect(await rows(page).filter({ hasText: 'first.pdf' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Older' }).click();
      await rows(page).filter({ hasText: 'first.pdf' }).waitFor();
      expect(await rows(page).filter({ hasText: 'second.pdf' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Older' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Newer' }).click();
      await rows(page).filter({ hasText: 'second.pdf' }).waitFor();
    } finally {
      await close();
    }
  });

  it("says a gateway's HTML error page plainly, and focuses the error of a failed upload", async () => {
    const { page, close, customerId } = await openDocuments(1280);
    try {
      await page.getByText('No documents yet.').waitFor();
      // A CDN in front of the API answers with its own HTML page when the API is unreachable.
      const gatewayPage = { status: 502, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>CloudFront</p></body></html>' };
      await page.route(`**/v1/customers/${customerId}/documents**`, (route) => route.fulfill(gatewayPage));
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Account' }).click();
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Documents' }).click();
      const said = page.getByRole('alert').filter({ hasText: 'The platform did not answer as expected (HTTP 502).' });
      await said.waitFor();
      expect(await page.getByText(/Unexpected token|JSON/).count()).toBe(0);

      await uploadFile(page, { name: 'ein-letter.pdf', mimeType: 'application/pdf', buffer: PDF });
      const uploadError = page.getByRole('region', { name: 'Upload a document' }).getByRole('alert');
      await uploadError.filter({ hasText: 'HTTP 502' }).waitFor();
      expect(await uploadError.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

      // A refusal of the file itself: focus moves to the file field, which says why.
      await page.unroute(`**/v1/customers/${customerId}/documents**`);
      await page.route(`**/v1/customers/${customerId}/documents`, (route) =>
        route.request().method() === 'POST' ? route.fulfill(problem(422, 'Unprocessable Entity', 'The file was refused.', [{ field: 'body.file', message: 'is not a document' }])) : route.fallback(),
      );
      await uploadFile(page, { name: 'ein-letter.pdf', mimeType: 'application/pdf', buffer: PDF });
      await fileError(page).filter({ hasText: 'is not a document' }).waitFor();
      expect(await isFocused(page, '#doc-file')).toBe(true);
    } finally {
      await close();
    }
  });

  it.each([
    ['desktop', 1280],
    ['phone', 360],
  ])('fits the screen and has no serious accessibility findings with a document listed and an error shown (%s)', async (name, width) => {
    const { page, close } = await openDocuments(width);
    try {
      await uploadFile(page, { name: 'ein-letter.pdf', mimeType: 'application/pdf', buffer: PDF });
      await rows(page).filter({ hasText: 'ein-letter.pdf' }).waitFor();
      await uploadFile(page, { name: 'scan.pdf', mimeType: 'application/pdf', buffer: PNG });
      await fileError(page).waitFor();
      await screenshot(page, `documents-${name}`);
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(await seriousAccessibilityFindings(page)).toEqual([]);
    } finally {
      await close();
    }
  });
});
