import { z } from 'zod';
import { PageQuerySchema, pageOf } from './page';

/**
 * A customer's supporting documents: files a registration may need (a business registration, an
 * IRS letter, proof of address, evidence of how consent is collected), kept by us and, where a
 * Twilio registration takes documents, handed to Twilio.
 *
 * What Twilio takes, in the flow this platform runs (US A2P 10DLC, US local numbers):
 * - Customer profile and A2P trust product (TrustHub bundles) take SupportingDocuments (RD…)
 *   through EntityAssignments. TrustHub's API (`POST /v1/SupportingDocuments`) carries a type and
 *   attributes, not a file, so what goes to Twilio is the document record (type, our id, sniffed
 *   media type, SHA-256) assigned to the bundle; the bytes stay with us.
 * - Brand and campaign registrations take no document at all: a document linked to them is kept
 *   and linked here only (`twilio.status: not-required`).
 * - Numbers' regulatory bundles (Numbers v2, with the file upload) are for countries that require
 *   them; the platform buys US 10DLC numbers, which need none, so they are not a link target.
 */

/**
 * The largest file accepted: 4 MiB. A synchronous Lambda invocation carries at most 6 MB each way;
 * the upload arrives base64-encoded (4/3 of the bytes) with the multipart framing and the event
 * around it, and the download goes back base64-encoded too: 4 MiB is 5.6 MB of base64, which
 * leaves room for both.
 */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
/** Multipart framing and the small text fields allowed on top of the file. */
export const MAX_UPLOAD_OVERHEAD_BYTES = 16 * 1024;

export const DOCUMENT_TYPES = ['business-registration', 'tax-id-letter', 'proof-of-address', 'opt-in-evidence', 'other'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const REGISTRATION_KINDS = ['customer-profile', 'trust-product', 'brand', 'campaign'] as const;
export type RegistrationKind = (typeof REGISTRATION_KINDS)[number];

/** Registrations that are TrustHub bundles and so take supporting documents at Twilio. */
export const TRUSTHUB_KINDS: readonly RegistrationKind[] = ['customer-profile', 'trust-product'];

/** The onboarding SID each registration kind is stored under. */
export const REGISTRATION_SID_KEYS: Record<RegistrationKind, string> = {
  'customer-profile': 'customerProfileSid',
  'trust-product': 'trustProductSid',
  brand: 'brandSid',
  campaign: 'campaignSid',
};

export const SNIFFED_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type SniffedType = (typeof SNIFFED_TYPES)[number];

/**
 * The media type the bytes themselves say, by their signature; the declared type is never
 * trusted (a browser names a file by its extension). Undefined for anything else.
 */
export function sniffMediaType(bytes: Uint8Array): SniffedType | undefined {
  const starts = (...sig: number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  return undefined;
}

/** The text fields of an upload (the file is its own part). */
export const DocumentUploadFieldsSchema = z.strictObject({
  type: z.enum(DOCUMENT_TYPES).describe('What the document is'),
  purpose: z.string().trim().min(1).max(200).optional().describe('Why it is kept, in a few words (e.g. "EIN confirmation for the brand")'),
  registration: z.enum(REGISTRATION_KINDS).optional().describe("The customer's registration it supports; customer-profile and trust-product documents are handed to Twilio"),
});
export type DocumentUploadFields = z.infer<typeof DocumentUploadFieldsSchema>;

/** The multipart body as the OpenAPI document describes it (the handler parses the form itself). */
export const DocumentUploadSchema = DocumentUploadFieldsSchema.extend({
  file: z.string().describe(`The file (binary part): PDF, PNG or JPEG, sniffed from its bytes; 1 byte to ${MAX_DOCUMENT_BYTES} bytes (4 MB)`),
});

export const TWILIO_DOCUMENT_STATUSES = ['not-linked', 'not-required', 'sent', 'failed'] as const;
export type TwilioDocumentStatus = (typeof TWILIO_DOCUMENT_STATUSES)[number];

export interface TwilioHandOff {
  status: TwilioDocumentStatus;
  /** The TrustHub SupportingDocument (RD…) made from this document. */
  supportingDocumentSid?: string;
  /** The bundle (BU…) it was assigned to. */
  bundleSid?: string;
  /** Why nothing was sent, or Twilio's refusal. */
  reason?: string;
  errorCode?: number;
}

export interface DocumentRecord {
  partnerId: string;
  customerId: string;
  id: string;
  type: DocumentType;
  purpose?: string;
  fileName: string;
  contentType: SniffedType;
  size: number;
  sha256: string;
  /** Where the bytes are in the document store (never shown). */
  storageKey: string;
  registration?: { kind: RegistrationKind; sid?: string };
  twilio: TwilioHandOff;
  createdAt: string;
}

const iso = () => z.iso.datetime({ offset: true });

export const DocumentSchema = z.object({
  id: z.string().describe('doc_…'),
  customerId: z.string(),
  type: z.enum(DOCUMENT_TYPES),
  purpose: z.string().nullable(),
  fileName: z.string().describe('As uploaded (shown, never used as a path)'),
  contentType: z.enum(SNIFFED_TYPES).describe('Sniffed from the bytes, not taken from the upload'),
  size: z.number().int().describe('Bytes'),
  sha256: z.string().describe('Hex SHA-256 of the bytes'),
  registration: z
    .object({ kind: z.enum(REGISTRATION_KINDS), sid: z.string().nullable().describe('The registration SID at Twilio when the document was linked') })
    .nullable(),
  twilio: z
    .object({
      status: z.enum(TWILIO_DOCUMENT_STATUSES).describe('not-linked: no registration; not-required: the registration takes no document at Twilio; sent: a TrustHub SupportingDocument was made and assigned to the bundle; failed: Twilio refused it (reason, errorCode)'),
      supportingDocumentSid: z.string().nullable().describe('RD…'),
      bundleSid: z.string().nullable().describe('BU…'),
      reason: z.string().nullable(),
      errorCode: z.number().int().nullable(),
    })
    .describe('The hand-off to Twilio'),
  createdAt: iso(),
  downloadUrl: z.string().describe('GET it for the bytes'),
});
export type DocumentView = z.infer<typeof DocumentSchema>;

export const DocumentListQuerySchema = PageQuerySchema;
export const DocumentListSchema = pageOf(DocumentSchema, 'Newest first');

export function toDocumentView(r: DocumentRecord): DocumentView {
  return {
    id: r.id,
    customerId: r.customerId,
    type: r.type,
    purpose: r.purpose ?? null,
    fileName: r.fileName,
    contentType: r.contentType,
    size: r.size,
    sha256: r.sha256,
    registration: r.registration ? { kind: r.registration.kind, sid: r.registration.sid ?? null } : null,
    twilio: {
      status: r.twilio.status,
      supportingDocumentSid: r.twilio.supportingDocumentSid ?? null,
      bundleSid: r.twilio.bundleSid ?? null,
      reason: r.twilio.reason ?? null,
      errorCode: r.twilio.errorCode ?? null,
    },
    createdAt: r.createdAt,
    downloadUrl: `/v1/customers/${r.customerId}/documents/${r.id}/content`,
  };
}
