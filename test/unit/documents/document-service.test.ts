import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MAX_DOCUMENT_BYTES, sniffMediaType, type DocumentRecord, type DocumentUploadFields, type TwilioHandOff } from '../../../shared/domain/document';
import { localDocumentStore } from '../../../shared/documents/local-document-store';
import { documentService, type DocumentServiceDeps, type UploadedFile } from '../../../shared/services/documents';
import type { DocumentRepository } from '../../../shared/store/documents';
import { TwilioPermanentError } from '../../../shared/twilio/errors';
import { fakeCustomerRepository, fixedClock, sequentialIds } from '../../support/fakes';
import { validCustomer } from '../../support/fixtures';

const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');
const PARTNER = 'ptn_1';
const CUSTOMER = 'cus_00000000000000000000000001';

function memoryDocuments(): DocumentRepository & { rows: Map<string, DocumentRecord>; failCreate?: Error } {
  const rows = new Map<string, DocumentRecord>();
  const repo: DocumentRepository & { rows: Map<string, DocumentRecord>; failCreate?: Error } = {
    rows,
    async create(r) {
      if (repo.failCreate) throw repo.failCreate;
      rows.set(r.id, structuredClone(r));
    },
    async get(_p, _c, id) {
      return rows.get(id) && structuredClone(rows.get(id)!);
    },
    async list() {
      return [...rows.values()].reverse();
    },
    async setTwilio(r, twilio: TwilioHandOff) {
      const stored = { ...rows.get(r.id)!, twilio };
      rows.set(r.id, stored);
      return structuredClone(stored);
    },
    async delete(_p, _c, id) {
      return rows.delete(id);
    },
  };
  return repo;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'documents-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function setUp(overrides: Partial<DocumentServiceDeps> = {}) {
  const customers = fakeCustomerRepository();
  await customers.create({ ...validCustomer(), id: CUSTOMER, partnerId: PARTNER, status: 'active', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' } as never);
  const documents = memoryDocuments();
  const calls: string[] = [];
  const deps: DocumentServiceDeps = {
    documents,
    store: localDocumentStore(dir),
    customers,
    registrationSids: async () => ({ customerProfileSid: 'BU' + '1'.repeat(32), brandSid: 'BN' + '2'.repeat(32) }),
    credentials: async () => ({ accountSid: 'AC' + '3'.repeat(32), authToken: 'token' }),
    twilio: {
      createSupportingDocument: async (_creds, input) => (calls.push(`create ${input.type}`), { sid: 'RD' + '4'.repeat(32), type: input.type }),
      assignToTrustBundle: async (_creds, kind, bundleSid, objectSid) => (calls.push(`assign ${kind} ${bundleSid} ${objectSid}`), { sid: 'BV' + '5'.repeat(32), bundleSid, objectSid }),
    },
    clock: fixedClock(),
    ids: sequentialIds(),
    ...overrides,
  };
  return { service: documentService(deps), documents, calls };
}

const upload = (fields: DocumentUploadFields, file: Partial<UploadedFile> = {}) => async () => ({ fields, file: { fileName: 'a.pdf', declaredType: 'application/pdf', bytes: PDF, ...file } });
const storedFiles = () => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.endsWith('.partial') && /doc_\w+$/.test(f));

describe('document upload', () => {
  it('removes the stored bytes when the metadata write fails, so nothing half-written remains', async () => {
    const { service, documents } = await setUp();
    documents.failCreate = new Error('table unavailable');
    await expect(service.upload(PARTNER, CUSTOMER, upload({ type: 'other' }))).rejects.toThrow('table unavailable');
    expect(storedFiles()).toEqual([]);
    expect(documents.rows.size).toBe(0);
  });

  it('stores nothing when the file is refused', async () => {
    const { service, documents } = await setUp();
    await expect(service.upload(PARTNER, CUSTOMER, upload({ type: 'other' }, { bytes: Buffer.alloc(MAX_DOCUMENT_BYTES + 1, 0x25) }))).rejects.toMatchObject({ status: 413 });
    await expect(service.upload(PARTNER, CUSTOMER, upload({ type: 'other' }, { bytes: Buffer.alloc(0) }))).rejects.toMatchObject({ status: 422, type: 'empty-document' });
    expect(storedFiles()).toEqual([]);
    expect(documents.rows.size).toBe(0);
  });

  it('creates the TrustHub document and assigns it to the bundle for a customer-profile link; brands take none', async () => {
    const { service, calls } = await setUp();
    const sent = await service.upload(PARTNER, CUSTOMER, upload({ type: 'business-registration', registration: 'customer-profile' }));
    expect(sent.twilio).toEqual({ status: 'sent', supportingDocumentSid: 'RD' + '4'.repeat(32), bundleSid: 'BU' + '1'.repeat(32), reason: null, errorCode: null });
    expect(calls).toEqual(['create business_registration', `assign customer-profile ${'BU' + '1'.repeat(32)} ${'RD' + '4'.repeat(32)}`]);
    const kept = await service.upload(PARTNER, CUSTOMER, upload({ type: 'tax-id-letter', registration: 'brand' }));
    expect(kept.twilio.status).toBe('not-required');
    expect(calls).toHaveLength(2);
  });

  it("records Twilio's refusal on the document and keeps the file", async () => {
    const refusal = new TwilioPermanentError({ message: 'Bundle cannot be modified', code: 22215, status: 400, moreInfo: null });
    const { service } = await setUp({
      twilio: {
        createSupportingDocument: async () => ({ sid: 'RD' + '4'.repeat(32), type: 'business_registration' }),
        assignToTrustBundle: async () => {
          throw refusal;
        },
      },
    });
    const doc = await service.upload(PARTNER, CUSTOMER, upload({ type: 'business-registration', registration: 'customer-profile' }));
    expect(doc.twilio).toMatchObject({ status: 'failed', reason: 'Bundle cannot be modified', errorCode: 22215 });
    expect((await service.content(PARTNER, CUSTOMER, doc.id)).bytes.equals(PDF)).toBe(true);
  });

  it('answers another customer of the partner, and another partner, with 404', async () => {
    const { service } = await setUp();
    const doc = await service.upload(PARTNER, CUSTOMER, upload({ type: 'other' }));
    await expect(service.get('ptn_2', CUSTOMER, doc.id)).rejects.toMatchObject({ status: 404 });
    await expect(service.content(PARTNER, 'cus_00000000000000000000000002', doc.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('sniffMediaType', () => {
  it('names PDF, PNG and JPEG by their signatures and nothing else', () => {
    expect(sniffMediaType(Buffer.from('%PDF-1.4'))).toBe('application/pdf');
    expect(sniffMediaType(Buffer.from('89504e470d0a1a0a00', 'hex'))).toBe('image/png');
    expect(sniffMediaType(Buffer.from('ffd8ffe000', 'hex'))).toBe('image/jpeg');
    expect(sniffMediaType(Buffer.from('%PDF'))).toBeUndefined();
    expect(sniffMediaType(Buffer.from('GIF89a'))).toBeUndefined();
  });

  it('never names bytes that do not start with a known signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const known = [[0x25, 0x50, 0x44, 0x46, 0x2d], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0xff, 0xd8, 0xff]].some((sig) => sig.every((b, i) => bytes[i] === b));
        expect(sniffMediaType(bytes) !== undefined).toBe(known);
      }),
    );
  });
});
