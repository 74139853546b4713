import { createHash } from 'node:crypto';
import { requireOpen } from '../domain/customer';
import type { CustomerRecord } from '../store/customers';
import {
  MAX_DOCUMENT_BYTES,
  REGISTRATION_SID_KEYS,
  TRUSTHUB_KINDS,
  sniffMediaType,
  toDocumentView,
  type DocumentRecord,
  type DocumentUploadFields,
  type DocumentView,
  type RegistrationKind,
  type SniffedType,
  type TwilioHandOff,
} from '../domain/document';
import { DocumentTooLargeError, EmptyDocumentError, NotFoundError, UnprocessableError, UnsupportedDocumentTypeError } from '../domain/errors';
import type { DocumentStore } from '../documents/document-store';
import type { DocumentRepository } from '../store/documents';
import type { SubaccountCredentials, TrustBundleKind, TwilioGateway } from '../twilio/gateway';
import { TwilioError } from '../twilio/errors';
import { pager, type Page } from './page';
import type { Clock, IdGenerator } from './support';

export type DocumentTwilioPort = Pick<TwilioGateway, 'createSupportingDocument' | 'assignToTrustBundle'>;

export interface DocumentReaderDeps {
  documents: DocumentRepository;
  store: DocumentStore;
  customers: { get(partnerId: string, customerId: string): Promise<CustomerRecord | undefined> };
}

export interface DocumentServiceDeps extends DocumentReaderDeps {
  /** The Twilio SIDs the customer's onboarding stored, by name (customerProfileSid, brandSid…). */
  registrationSids(partnerId: string, customerId: string): Promise<Record<string, string>>;
  /** The customer's subaccount credentials: TrustHub derives the account from the credentials. */
  credentials(partnerId: string, customerId: string): Promise<SubaccountCredentials>;
  twilio: DocumentTwilioPort;
  clock: Clock;
  ids: IdGenerator;
}

export interface UploadedFile {
  fileName: string;
  /** What the client said the file is; compared with the bytes, never trusted. */
  declaredType: string | undefined;
  bytes: Buffer;
}

const documentPages = pager<DocumentRecord>('documents', /^doc_[0-9A-Za-z]{26}$/, (d) => d.id);

/** Declared types that say nothing about the file (a client that does not know it). */
const UNINFORMATIVE_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** The sniffed type of an upload, or the problem that names the file field. */
export function checkFile(file: Pick<UploadedFile, 'bytes' | 'declaredType'>): SniffedType {
  if (file.bytes.length === 0) throw new EmptyDocumentError('The file has no bytes', [{ field: 'body.file', message: 'is empty' }]);
  if (file.bytes.length > MAX_DOCUMENT_BYTES) {
    throw new DocumentTooLargeError(`The file is ${file.bytes.length} bytes; the limit is ${MAX_DOCUMENT_BYTES} (4 MB)`, [{ field: 'body.file', message: `must be at most ${MAX_DOCUMENT_BYTES} bytes (4 MB)` }]);
  }
  const sniffed = sniffMediaType(file.bytes);
  if (!sniffed) throw new UnsupportedDocumentTypeError('The file is not a PDF, PNG or JPEG', [{ field: 'body.file', message: 'must be a PDF, PNG or JPEG file' }]);
  const declared = file.declaredType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!UNINFORMATIVE_TYPES.has(declared) && declared !== sniffed && !(declared === 'image/jpg' && sniffed === 'image/jpeg')) {
    throw new UnsupportedDocumentTypeError(`The file was sent as ${declared} but its bytes are ${sniffed}`, [{ field: 'body.file', message: `is ${sniffed}, not ${declared}` }]);
  }
  return sniffed;
}

/** Reads and deletes: no Twilio and no key service, so those functions bundle neither. */
export function documentReader(deps: DocumentReaderDeps) {
  const { documents, store, customers } = deps;

  async function requireCustomer(partnerId: string, customerId: string): Promise<CustomerRecord> {
    const customer = await customers.get(partnerId, customerId);
    if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
    return customer;
  }

  async function requireDocument(partnerId: string, customerId: string, documentId: string): Promise<DocumentRecord> {
    await requireCustomer(partnerId, customerId);
    const found = await documents.get(partnerId, customerId, documentId);
    if (!found) throw new NotFoundError(`Document ${documentId} not found`);
    return found;
  }

  return {
    requireCustomer,
    async list(partnerId: string, customerId: string, query: { limit: number; cursor?: string }): Promise<Page<DocumentView>> {
      await requireCustomer(partnerId, customerId);
      const scope = [partnerId, customerId];
      const after = documentPages.after(query.cursor, scope);
      const read = await documents.list(partnerId, customerId, after, query.limit + 1);
      const { items, nextCursor } = documentPages.page(read, query.limit, scope);
      return { data: items.map(toDocumentView), nextCursor };
    },

    async get(partnerId: string, customerId: string, documentId: string): Promise<DocumentView> {
      return toDocumentView(await requireDocument(partnerId, customerId, documentId));
    },

    /** The bytes with what a download needs to name them. */
    async content(partnerId: string, customerId: string, documentId: string): Promise<{ record: DocumentRecord; bytes: Buffer }> {
      const record = await requireDocument(partnerId, customerId, documentId);
      const bytes = await store.get(record.storageKey);
      // A row without its bytes cannot come from an upload (bytes are written first): a bug or a lost object.
      if (!bytes) throw new Error(`Document ${documentId} has no stored bytes`);
      return { record, bytes };
    },

    /**
     * Offboarding: every document of the customer, bytes first and then the row (so a call cut
     * short leaves no row without its bytes), while `more()` allows; true when none is left.
     */
    async eraseAll(partnerId: string, customerId: string, more: () => boolean): Promise<boolean> {
      for (;;) {
        const batch = await documents.list(partnerId, customerId, undefined, 100);
        if (batch.length === 0) return true;
        for (const record of batch) {
          if (!more()) return false;
          await store.delete(record.storageKey);
          await documents.delete(partnerId, customerId, record.id);
        }
      }
    },

    /**
     * The row first, so no read finds the document once this starts; then the bytes. The
     * TrustHub copy stays at Twilio: it belongs to a bundle that may be under review.
     */
    async delete(partnerId: string, customerId: string, documentId: string): Promise<void> {
      requireOpen(await requireCustomer(partnerId, customerId), customerId);
      const record = await requireDocument(partnerId, customerId, documentId);
      if (!(await documents.delete(partnerId, customerId, documentId))) throw new NotFoundError(`Document ${documentId} not found`);
      await store.delete(record.storageKey);
    },
  };
}

/**
 * Supporting documents. Primary course of an upload: check the bytes (size, sniffed type), check
 * the registration it links exists, store the bytes under a key named by the tenant and the new
 * document id, commit the metadata row, then hand it to Twilio where the registration takes
 * documents and record the outcome on the row.
 *
 * Never a partial write: the bytes are written first under a key nothing references until the row
 * commits; if the row's write fails, the bytes are removed. (Should that removal fail too, what is
 * left is an object no row names, which no read can reach.)
 */
export function documentService(deps: DocumentServiceDeps) {
  const { documents, store, twilio, clock, ids } = deps;
  const reader = documentReader(deps);
  const { requireCustomer } = reader;

  /** The registration's SID, or a 422 naming `registration` when the customer has none yet. */
  async function linkOf(partnerId: string, customerId: string, kind: RegistrationKind): Promise<{ kind: RegistrationKind; sid: string }> {
    const sid = (await deps.registrationSids(partnerId, customerId))[REGISTRATION_SID_KEYS[kind]];
    if (!sid) throw new UnprocessableError(`The customer has no ${kind} yet; start its onboarding first`, [{ field: 'body.registration', message: `the customer has no ${kind} yet` }]);
    return { kind, sid };
  }

  /**
   * A TrustHub bundle takes the document as a SupportingDocument (RD…) made in the customer's
   * subaccount and assigned to the bundle; brands and campaigns take none. Twilio's refusal is
   * recorded on the document rather than undoing the upload: the file is ours either way.
   */
  async function handOff(record: DocumentRecord): Promise<TwilioHandOff> {
    const link = record.registration;
    if (!link) return { status: 'not-linked' };
    if (!TRUSTHUB_KINDS.includes(link.kind) || !link.sid) {
      return { status: 'not-required', reason: `Twilio's ${link.kind} registration takes no supporting document; it is kept here` };
    }
    try {
      const creds = await deps.credentials(record.partnerId, record.customerId);
      const document = await twilio.createSupportingDocument(creds, {
        friendlyName: record.id,
        type: record.type.replace(/-/g, '_'),
        attributes: { document_id: record.id, mime_type: record.contentType, sha256: record.sha256 },
      });
      await twilio.assignToTrustBundle(creds, link.kind as TrustBundleKind, link.sid, document.sid);
      return { status: 'sent', supportingDocumentSid: document.sid, bundleSid: link.sid };
    } catch (error) {
      if (!(error instanceof TwilioError) || error.retryable) throw error;
      return { status: 'failed', bundleSid: link.sid, reason: error.message, ...(error.code !== null ? { errorCode: error.code } : {}) };
    }
  }

  return {
    ...reader,

    /**
     * `read` parses the request body; it runs once the customer is known to be the partner's, so
     * a foreign customer is the ordinary 404 whatever the body holds.
     */
    async upload(partnerId: string, customerId: string, read: () => Promise<{ fields: DocumentUploadFields; file: UploadedFile }>): Promise<DocumentView> {
      requireOpen(await requireCustomer(partnerId, customerId), customerId);
      const { fields, file } = await read();
      const contentType = checkFile(file);
      const registration = fields.registration ? await linkOf(partnerId, customerId, fields.registration) : undefined;
      const id = ids('doc');
      const record: DocumentRecord = {
        partnerId,
        customerId,
        id,
        type: fields.type,
        ...(fields.purpose !== undefined && { purpose: fields.purpose }),
        fileName: file.fileName,
        contentType,
        size: file.bytes.length,
        sha256: createHash('sha256').update(file.bytes).digest('hex'),
        storageKey: `${partnerId}/${customerId}/${id}`,
        ...(registration && { registration }),
        twilio: registration ? { status: 'not-required' } : { status: 'not-linked' },
        createdAt: clock.now().toISOString(),
      };
      await store.put(record.storageKey, file.bytes, contentType);
      try {
        await documents.create(record);
      } catch (error) {
        await store.delete(record.storageKey).catch(() => undefined);
        throw error;
      }
      const twilioOutcome = await handOff(record);
      return toDocumentView(await documents.setTwilio(record, twilioOutcome));
    },
  };
}

export type DocumentReader = ReturnType<typeof documentReader>;
export type DocumentService = ReturnType<typeof documentService>;
