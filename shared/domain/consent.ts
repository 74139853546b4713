import { z } from 'zod';
import { pageOf, pageQuery } from './page';
import { isValidPhoneNumber, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { ValidationError } from './errors';

/**
 * The consent ledger of a customer's contacts: every keyword a handset sent, every send Twilio
 * refused with 21610 and every consent a partner recorded is one immutable record, and the
 * effective state per channel is a pure fold of those records in event-time order (see
 * {@link foldChannel}). The ledger is what a business shows when a consent complaint arrives;
 * the state is what the send path enforces.
 */

export const CONSENT_CHANNELS = ['sms', 'whatsapp'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export const CONSENT_SOURCES = ['keyword', 'twilio-error', 'partner'] as const;
/** Who said so: the handset (a keyword), Twilio (21610 on a send), or the partner (with its evidence). */
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export const CONSENT_ACTIONS = ['opt-out', 'opt-in', 'help'] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];

export const CONSENT_STATES = ['opted-in', 'opted-out', 'unknown'] as const;
export type ConsentStateName = (typeof CONSENT_STATES)[number];

/** What a record did when the ledger was folded in time order. */
export const RECORD_EFFECTS = ['changed', 'unchanged', 'evidence-required'] as const;
export type RecordEffect = (typeof RECORD_EFFECTS)[number];

/** Canonical E.164 only (`+14155550123`, no spaces): the contact is part of the storage key. */
export function isE164(value: string): boolean {
  if (!value.startsWith('+') || !isValidPhoneNumber(value)) return false;
  try {
    return parsePhoneNumberWithError(value).number === value;
  } catch {
    return false;
  }
}

const E164_MESSAGE = 'must be a valid phone number in E.164 form, e.g. +14155550123';
export const ContactSchema = z.string().refine(isE164, E164_MESSAGE).describe('The contact (handset), E.164');

/**
 * A contact from a path segment. API Gateway REST APIs pass path parameters still percent-encoded
 * (`%2B14155550123`), the local server decoded; a phone number never contains `%`, so decoding
 * whatever still has one is right for both.
 */
export function parseContact(raw: string, field = 'path.phone'): string {
  let value = raw;
  if (value.includes('%')) {
    try {
      value = decodeURIComponent(value);
    } catch {
      throw new ValidationError('The contact is not a valid phone number', [{ field, message: 'is not validly percent-encoded' }]);
    }
  }
  if (!isE164(value)) throw new ValidationError('The contact is not a valid phone number', [{ field, message: E164_MESSAGE }]);
  return value;
}

export const ConsentEvidenceSchema = z
  .strictObject({
    source: z.string().trim().min(1).max(100).describe("Where the consent was captured, e.g. 'web-form', 'paper', 'checkout'"),
    capturedAt: z.iso.datetime({ offset: true }).describe('When the contact gave (or withdrew) consent; not in the future. This time orders the record in the ledger'),
    url: z
      .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be a public https URL' })
      .max(2048)
      .optional()
      .describe('The page where consent was captured'),
    formText: z.string().min(1).max(2000).optional().describe('The consent wording the contact agreed to'),
    ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional().describe('The IP address consent was captured from'),
  })
  .describe('Evidence of the consent, kept in the ledger as the partner sent it');
export type ConsentEvidence = z.infer<typeof ConsentEvidenceSchema>;

export const ConsentRecordInputSchema = z
  .strictObject({
    action: z.enum(['opt-in', 'opt-out']),
    channel: z.enum(CONSENT_CHANNELS),
    evidence: ConsentEvidenceSchema,
  })
  .describe('A consent the partner captured outside Switchboard');
export type ConsentRecordInput = z.infer<typeof ConsentRecordInputSchema>;

/** One ledger row: immutable, idempotent by `id` (derived from the source's own identity). */
export interface ConsentRecord {
  /** `kw_<MessageSid>`, `err_<messageId>` or `ptn_<hash of the partner's request>`. */
  id: string;
  partnerId: string;
  customerId: string;
  contact: string;
  channel: ConsentChannel;
  action: ConsentAction;
  source: ConsentSource;
  /** Event time (ISO, milliseconds, UTC): the keyword's arrival, the refused send, the evidence's capture. */
  at: string;
  /** When Switchboard wrote the row. */
  recordedAt: string;
  keyword?: string;
  messageId?: string;
  messageSid?: string;
  /** The number or sender a keyword was sent to. */
  to?: string;
  errorCode?: number;
  evidence?: ConsentEvidence;
}

/** The folded state of one channel, as stored on the contact's state row. */
export interface ChannelConsent {
  state: ConsentStateName;
  /** When the current state began (the event time of the record that made it). */
  since?: string;
  source?: ConsentSource;
  recordId?: string;
  keyword?: string;
  messageId?: string;
  errorCode?: number;
  /** While opted out: a handset STOP or a Twilio 21610 stands, so a partner opt-in needs evidence. */
  reopenRequiresEvidence?: boolean;
}

/** Why a send is refused, with when and how the contact opted out (for a 409 `recipient-opted-out`). */
export interface ConsentBlock {
  contact: string;
  channel: ConsentChannel;
  since: string;
  source: ConsentSource;
  keyword?: string;
  messageId?: string;
  errorCode?: number;
}

/** ISO time with milliseconds in UTC, so event times compare as strings. */
export function normaliseTime(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`Not a date-time: ${value}`);
  return new Date(ms).toISOString();
}

const ACTION_RANK: Record<ConsentAction, number> = { help: 0, 'opt-in': 1, 'opt-out': 2 };

/**
 * Total order of the ledger: event time, then action (at the same instant an opt-out sorts last,
 * so it wins), then record id. Any order of applying the same records folds to the same state.
 */
export function orderKey(record: Pick<ConsentRecord, 'at' | 'action' | 'id'>): string {
  return `${record.at}#${ACTION_RANK[record.action]}#${record.id}`;
}

export const byOrderKey = (a: ConsentRecord, b: ConsentRecord) => (orderKey(a) < orderKey(b) ? -1 : orderKey(a) > orderKey(b) ? 1 : 0);

/** A partner opt-in re-opens a handset opt-out only with evidence beyond its capture time. */
export const hasReopeningEvidence = (evidence: ConsentEvidence | undefined) => Boolean(evidence && (evidence.url || evidence.formText || evidence.ip));

function becomes(state: 'opted-in' | 'opted-out', r: ConsentRecord): ChannelConsent {
  return {
    state,
    since: r.at,
    source: r.source,
    recordId: r.id,
    ...(r.keyword !== undefined ? { keyword: r.keyword } : {}),
    ...(r.messageId !== undefined ? { messageId: r.messageId } : {}),
    ...(r.errorCode !== undefined ? { errorCode: r.errorCode } : {}),
    ...(state === 'opted-out' && r.source !== 'partner' ? { reopenRequiresEvidence: true } : {}),
  };
}

/**
 * One record applied to a channel's state, the record being the newest so far ({@link foldChannel}
 * applies them in {@link orderKey} order):
 * - HELP never changes the state.
 * - An opt-out from any source opts out. While already opted out the state keeps the opt-out
 *   that began it, but remembers that a handset (keyword or 21610) opt-out now stands.
 * - A handset START (keyword opt-in) opts in.
 * - A partner opt-in opts in, except while a handset opt-out stands: then only with evidence
 *   (url, formText or ip besides its capture time); otherwise it stays in the ledger only.
 */
export function stepChannel(current: ChannelConsent | undefined, r: ConsentRecord): { next: ChannelConsent; effect: RecordEffect } {
  const state: ChannelConsent = current ?? { state: 'unknown' };
  if (r.action === 'help') return { next: state, effect: 'unchanged' };
  if (r.action === 'opt-out') {
    if (state.state !== 'opted-out') return { next: becomes('opted-out', r), effect: 'changed' };
    return { next: r.source === 'partner' ? state : { ...state, reopenRequiresEvidence: true }, effect: 'unchanged' };
  }
  if (state.state === 'opted-in') return { next: state, effect: 'unchanged' };
  if (state.state === 'opted-out' && state.reopenRequiresEvidence && r.source === 'partner' && !hasReopeningEvidence(r.evidence)) {
    return { next: state, effect: 'evidence-required' };
  }
  return { next: becomes('opted-in', r), effect: 'changed' };
}

/**
 * The state of one channel from its whole ledger (in any order), what each record did, and the
 * records in ledger order.
 */
export function foldChannel(records: readonly ConsentRecord[]): { state: ChannelConsent | undefined; effects: Map<string, RecordEffect>; ordered: ConsentRecord[] } {
  const effects = new Map<string, RecordEffect>();
  const ordered = [...records].sort(byOrderKey);
  let state: ChannelConsent | undefined;
  for (const r of ordered) {
    const { next, effect } = stepChannel(state, r);
    state = next;
    effects.set(r.id, effect);
  }
  return { state, effects, ordered };
}

/** The effective state name (a channel never folded is `unknown`). */
export const effectiveState = (c: ChannelConsent | undefined): ConsentStateName => c?.state ?? 'unknown';

// --- API views ------------------------------------------------------------------------------

const channelDetail = {
  since: z.iso.datetime().optional().describe('When the current state began'),
  source: z.enum(CONSENT_SOURCES).optional().describe('keyword: the handset sent it; twilio-error: Twilio refused a send (21610); partner: recorded through the API'),
  recordId: z.string().optional().describe('The ledger record that made the current state'),
  keyword: z.string().optional(),
  messageId: z.string().optional(),
  errorCode: z.number().int().optional(),
};

export const ChannelConsentSchema = z.object({
  state: z.enum(CONSENT_STATES),
  ...channelDetail,
  reopenRequiresEvidence: z
    .boolean()
    .optional()
    .describe('While opted out: a handset STOP or a Twilio 21610 stands, so only a newer partner opt-in with url, formText or ip re-opens sending (or the handset replying START)'),
});
export type ChannelConsentView = z.infer<typeof ChannelConsentSchema>;

export const ConsentHistoryEntrySchema = z.object({
  id: z.string(),
  channel: z.enum(CONSENT_CHANNELS),
  action: z.enum(CONSENT_ACTIONS),
  source: z.enum(CONSENT_SOURCES),
  at: z.iso.datetime().describe('Event time; the ledger is ordered by it'),
  recordedAt: z.iso.datetime(),
  keyword: z.string().optional(),
  messageId: z.string().optional(),
  messageSid: z.string().optional(),
  to: z.string().optional(),
  errorCode: z.number().int().optional(),
  evidence: ConsentEvidenceSchema.optional(),
  effect: z.enum(RECORD_EFFECTS).describe('What the record did in time order: changed the state, left it as it was, or was not applied for want of evidence'),
});
export type ConsentHistoryEntry = z.infer<typeof ConsentHistoryEntrySchema>;

export const ConsentViewSchema = z
  .object({
    contact: z.string(),
    channels: z.object({ sms: ChannelConsentSchema, whatsapp: ChannelConsentSchema }),
    history: z.array(ConsentHistoryEntrySchema).describe('Every ledger record, oldest first'),
  })
  .describe("A contact's consent: the state enforced per channel and the ledger it comes from");
export type ConsentView = z.infer<typeof ConsentViewSchema>;

export const NOT_APPLIED_REASONS = ['already-opted-in', 'already-opted-out', 'evidence-required', 'superseded'] as const;
export type NotAppliedReason = (typeof NOT_APPLIED_REASONS)[number];

export const ConsentRecordResultSchema = ConsentViewSchema.extend({
  applied: z.boolean().describe('Whether this record decides the current state of its channel'),
  reason: z
    .enum(NOT_APPLIED_REASONS)
    .optional()
    .describe('When not applied: the state already was that; an opt-in after a handset STOP or a 21610 lacks url, formText or ip; or a newer record decided the state'),
  record: ConsentHistoryEntrySchema,
}).describe('The recorded consent and the contact as it stands now');
export type ConsentRecordResult = z.infer<typeof ConsentRecordResultSchema>;

export const OptOutsQuerySchema = z.strictObject({
  ...pageQuery(50),
  channel: z.enum(CONSENT_CHANNELS).optional().describe('Only contacts opted out on this channel'),
});

const ChannelOptOutSchema = z.object({
  since: z.iso.datetime(),
  source: z.enum(CONSENT_SOURCES),
  keyword: z.string().optional(),
  messageId: z.string().optional(),
  errorCode: z.number().int().optional(),
});

export const OptOutSchema = z.object({
  contact: z.string(),
  since: z.iso.datetime().describe('The latest opt-out among the channels listed'),
  channels: z.object({ sms: ChannelOptOutSchema.optional(), whatsapp: ChannelOptOutSchema.optional() }).describe('The channels the contact is opted out of'),
});
export type OptOut = z.infer<typeof OptOutSchema>;

export const OptOutListSchema = pageOf(OptOutSchema, 'Newest opt-out first');
export type OptOutList = z.infer<typeof OptOutListSchema>;
