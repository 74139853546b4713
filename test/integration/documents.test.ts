import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../../infra/local/platform';
import { MAX_DOCUMENT_BYTES } from '../../shared/domain/document';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient, type Reply } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';

/**
 * Supporting documents over HTTP on the local platform: multipart upload with the type sniffed
 * from the bytes, limits, download headers, tenancy, delete, and the TrustHub hand-off the
 * sandbox records (a SupportingDocument in the customer's subaccount, assigned to its bundle).
 */
let platform: Platform;
let api: ApiClient;
let apiKey: string;
let other: ApiClient;
let customerId: string;
let onboarded: { id: string; accountSid: string; customerProfileSid: string };

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n'), Buffer.from('%%EOF\n')]);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4f40000000049454e44ae426082', 'hex');

/** A multipart body as a browser's FormData sends it. */
async function multipart(fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }): Promise<{ raw: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { raw: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

async function upload(client: ApiClient, id: string, fields: Record<string, string>, file?: { name: string; type: string; bytes: Buffer }): Promise<Reply> {
  const { raw, contentType } = await multipart(fields, file);
  return client.request('POST', `/v1/customers/${id}/documents`, { raw, headers: { 'content-type': contentType } });
}

const pdf = (name = 'ein-letter.pdf') => ({ name, type: 'application/pdf', bytes: PDF });

beforeAll(async () => {
  platform = await startTestPlatform('documents', { twilio: 'sandbox' });
  apiKey = (await platform.admin.createPartnerWithKey('Documents partner')).apiKey;
  api = apiClient(platform.url, apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Other partner')).apiKey);
  customerId = await newCustomer(api, customerBody());
  const id = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('SUCCEEDED');
  const steps = (await api.get(`/v1/customers/${id}/onboarding`)).body.steps as Array<{ sids: Record<string, string> }>;
  const sids = Object.assign({}, ...steps.map((s) => s.sids)) as Record<string, string>;
  onboarded = { id, accountSid: sids.accountSid!, customerProfileSid: sids.customerProfileSid! };
}, 180_000);
afterAll(() => platform?.stop());

describe('POST /v1/customers/{id}/documents', () => {
  it('stores a PDF with the type sniffed from its bytes, lists it and serves it back as an attachment', async () => {
    // Declared as octet-stream: only the bytes say what it is.
    const created = await upload(api, customerId, { type: 'business-registration', purpose: 'EIN confirmation' }, { name: 'ein-letter.pdf', type: 'application/octet-stream', bytes: PDF });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^doc_/),
      customerId,
      type: 'business-registration',
      purpose: 'EIN confirmation',
      fileName: 'ein-letter.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
      registration: null,
      twilio: { status: 'not-linked', supportingDocumentSid: null },
    });
    expect(created.headers.get('location')).toBe(`/v1/customers/${customerId}/documents/${created.body.id}`);

    const list = await api.get(`/v1/customers/${customerId}/documents`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((d: { id: string }) => d.id)).toContain(created.body.id);
    expect((await api.get(`/v1/customers/${customerId}/documents/${created.body.id}`)).body).toEqual(created.body);

    const download = await fetch(`${platform.url}${created.body.downloadUrl}`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="ein-letter.pdf"; filename*=UTF-8''ein-letter.pdf`);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('refuses bytes that are not the declared type, and bytes of no accepted type, naming body.file (415)', async () => {
    const pngAsPdf = expectProblem(await upload(api, customerId, { type: 'other' }, { name: 'scan.pdf', type: 'application/pdf', bytes: PNG }), 415);
    expect(pngAsPdf).toMatchObject({ type: expect.stringMatching(/unsupported-document-type$/), errors: [{ field: 'body.file', message: 'is image/png, not application/pdf' }] });
    const garbage = expectProblem(await upload(api, customerId, { type: 'other' }, { name: 'scan.pdf', type: 'application/pdf', bytes: Buffer.from('MZ\x90\x00 not a document') }), 415);
    expect(garbage.errors).toEqual([{ field: 'body.file', message: 'must be a PDF, PNG or JPEG file' }]);
    // A PNG sent as what it is is accepted.
    expect((await upload(api, customerId, { type: 'proof-of-address' }, { name: 'bill.png', type: 'image/png', bytes: PNG })).body.contentType).toBe('image/png');
  });

  it('refuses a file over 4 MB (413) and an empty file (422), naming body.file, and stores nothing', async () => {
    const before = (await api.get(`/v1/customers/${customerId}/documents?limit=100`)).body.data.length;
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_DOCUMENT_BYTES + 1 - PDF.length)]);
    const tooBig = expectProblem(await upload(api, customerId, { type: 'other' }, { name: 'big.pdf', type: 'application/pdf', bytes: big }), 413);
    expect(tooBig).toMatchObject({ type: expect.stringMatching(/document-too-large$/), errors: [{ field: 'body.file' }] });
    const empty = expectProblem(await upload(api, customerId, { type: 'other' }, { name: 'empty.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) }), 422);
    expect(empty).toMatchObject({ type: expect.stringMatching(/empty-document$/), errors: [{ field: 'body.file', message: 'is empty' }] });
    expect((await api.get(`/v1/customers/${customerId}/documents?limit=100`)).body.data).toHaveLength(before);
  });

  it('refuses a missing file, an unknown type, an unknown field and a JSON body, each naming its field', async () => {
    expect(expectProblem(await upload(api, customerId, { type: 'other' }), 400).errors).toEqual([{ field: 'body.file', message: 'is required' }]);
    expect(expectProblem(await upload(api, customerId, { type: 'passport' }, pdf()), 400).errors).toEqual([{ field: 'body.type', message: expect.any(String) }]);
    expect(expectProblem(await upload(api, customerId, { type: 'other', owner: 'x' }, pdf()), 400).errors).toEqual([{ field: 'body.owner', message: expect.any(String) }]);
    expectProblem(await api.post(`/v1/customers/${customerId}/documents`, { type: 'other' }), 415);
  });

  it('refuses a link to a registration the customer does not have yet (422 naming body.registration)', async () => {
    const reply = expectProblem(await upload(api, customerId, { type: 'business-registration', registration: 'customer-profile' }, pdf()), 422);
    expect(reply.errors).toEqual([{ field: 'body.registration', message: 'the customer has no customer-profile yet' }]);
  });

  it("hands a customer-profile document to Twilio: a SupportingDocument in the customer's subaccount, assigned to its bundle", async () => {
    const created = await upload(api, onboarded.id, { type: 'business-registration', registration: 'customer-profile' }, pdf());
    expect(created.status).toBe(201);
    const { twilio } = created.body;
    expect(created.body.registration).toEqual({ kind: 'customer-profile', sid: onboarded.customerProfileSid });
    expect(twilio).toMatchObject({ status: 'sent', supportingDocumentSid: expect.stringMatching(/^RD[0-9a-f]{32}$/), bundleSid: onboarded.customerProfileSid });

    const sandbox = sandboxOf(platform);
    const made = sandbox.requests({ method: 'POST', path: '/v1/SupportingDocuments' }).filter((r) => r.params.FriendlyName === created.body.id);
    expect(made.map((r) => ({ accountSid: r.accountSid, status: r.status, type: r.params.Type }))).toEqual([{ accountSid: onboarded.accountSid, status: 201, type: 'business_registration' }]);
    expect(JSON.parse(String(made[0]!.params.Attributes))).toEqual({ document_id: created.body.id, mime_type: 'application/pdf', sha256: created.body.sha256 });
    const assigned = sandbox.requests({ method: 'POST', path: `/v1/CustomerProfiles/${onboarded.customerProfileSid}/EntityAssignments` }).filter((r) => r.params.ObjectSid === twilio.supportingDocumentSid);
    expect(assigned.map((r) => ({ accountSid: r.accountSid, status: r.status }))).toEqual([{ accountSid: onboarded.accountSid, status: 201 }]);
  });

  it('keeps a brand document with us: Twilio takes none for a brand', async () => {
    const before = sandboxOf(platform).requests({ method: 'POST', path: '/v1/SupportingDocuments' }).length;
    const created = await upload(api, onboarded.id, { type: 'tax-id-letter', registration: 'brand' }, pdf());
    expect(created.status).toBe(201);
    expect(created.body.registration).toEqual({ kind: 'brand', sid: expect.stringMatching(/^BN/) });
    expect(created.body.twilio).toMatchObject({ status: 'not-required', supportingDocumentSid: null, reason: expect.stringContaining('takes no supporting document') });
    expect(sandboxOf(platform).requests({ method: 'POST', path: '/v1/SupportingDocuments' })).toHaveLength(before);
  });
});

describe('tenancy and delete', () => {
  it("answers another partner's document id exactly like a missing one (404), for metadata, download and delete", async () => {
    const created = (await upload(api, customerId, { type: 'other' }, pdf())).body;
    for (const path of [`/v1/customers/${customerId}/documents/${created.id}`, `/v1/customers/${customerId}/documents/${created.id}/content`]) {
      expectProblem(await other.get(path), 404);
    }
    expectProblem(await other.request('DELETE', `/v1/customers/${customerId}/documents/${created.id}`), 404);
    // The other partner's own customer does not open this one's document either.
    const theirs = await newCustomer(other, customerBody());
    expectProblem(await other.get(`/v1/customers/${theirs}/documents/${created.id}`), 404);
    expect((await api.get(`/v1/customers/${customerId}/documents/${created.id}`)).status).toBe(200);
  });

  it('deletes the metadata and the bytes; then it is 404', async () => {
    const created = (await upload(api, customerId, { type: 'other' }, pdf('to-delete.pdf'))).body;
    const dir = platform.env.DOCUMENTS_DIR!;
    const stored = () => (existsSync(dir) ? readdirRecursive(dir).filter((f) => f.endsWith(created.id)) : []);
    expect(stored()).toHaveLength(1);
    expect((await api.request('DELETE', `/v1/customers/${customerId}/documents/${created.id}`)).status).toBe(204);
    expectProblem(await api.get(`/v1/customers/${customerId}/documents/${created.id}`), 404);
    expectProblem(await api.get(`/v1/customers/${customerId}/documents/${created.id}/content`), 404);
    expect(stored()).toEqual([]);
  });
});

describe('offboarding', () => {
  it("erases a deleted customer's documents, bytes included", async () => {
    const id = await newCustomer(api, customerBody());
    expect((await api.post(`/v1/customers/${id}/subaccount`, undefined)).status).toBe(201);
    const created = (await upload(api, id, { type: 'other' }, pdf('offboarded.pdf'))).body;
    const dir = platform.env.DOCUMENTS_DIR!;
    expect(readdirRecursive(dir).filter((f) => f.endsWith(created.id))).toHaveLength(1);
    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);
    expect((await api.request('DELETE', `/v1/customers/${id}`)).status).toBe(204);
    expect(readdirRecursive(dir).filter((f) => f.endsWith(created.id))).toEqual([]);
  });
});

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
}
