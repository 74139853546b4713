import { createHash } from 'node:crypto';
import {
  CONSENT_CHANNELS,
  byOrderKey,
  effectiveState,
  foldChannel,
  normaliseTime,
  type ChannelConsent,
  type ChannelConsentView,
  type ConsentBlock,
  type ConsentChannel,
  type ConsentHistoryEntry,
  type ConsentRecord,
  type ConsentRecordInput,
  type ConsentRecordResult,
  type ConsentView,
  type NotAppliedReason,
  type OptOut,
  type OptOutList,
  type RecordEffect,
} from '../domain/consent';
import { requireOpen } from '../domain/customer';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { CustomerRepository } from '../store/customers';
import { optedOut, stateFromItem, type ConsentRepository, type ConsentStateRecord, type OptedOutItems } from '../store/consent';
import { pager } from './page';
import type { PartnerEventInput, PartnerEventLog } from './partner-events-contract';
import type { Clock } from './support';

export type { ConsentBlock } from '../domain/consent';

/**
 * The consent ledger: opt-outs and opt-ins of a customer's contacts, per channel, with evidence.
 *
 * Every keyword a handset sends, every send Twilio refuses with 21610 and every consent a partner
 * records is one immutable ledger row, idempotent by its source's identity (the inbound
 * MessageSid, our refused message id, a hash of the partner's request). One state row per
 * (customer, contact) holds the effective state per channel, which is the fold of the ledger in
 * event-time order (`at` / `capturedAt`; ties: opt-out last, then record id), so any delivery
 * order of the same records gives the same state:
 * - a handset STOP-family keyword opts out, a START-family keyword opts in; HELP is kept but
 *   never changes the state;
 * - Twilio's 21610 on a send opts out (evidence: the error code and our message id);
 * - a partner opt-out opts out;
 * - a partner opt-in opts in, except after a handset STOP or a 21610 that still stands: then
 *   only if it carries evidence (url, formText or ip besides capturedAt); otherwise it stays in
 *   the ledger without re-opening sending.
 * A change of the effective state commits together with its `contact.opted_out` /
 * `contact.opted_in` event.
 */

export interface ConsentServiceDeps {
  consent: ConsentRepository;
  customers: Pick<CustomerRepository, 'get'>;
  events: Pick<PartnerEventLog, 'appendWith'>;
  clock: Clock;
  /** Backoff between contended state writes; injectable so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface KeywordConsentInput {
  partnerId: string;
  customerId: string;
  contact: string;
  channel: ConsentChannel;
  action: 'opt-out' | 'opt-in' | 'help';
  /** The word as the handset sent it. */
  keyword: string;
  /** When the message arrived. */
  at: string;
  messageId: string;
  messageSid: string;
  /** The number or sender it was sent to. */
  to?: string;
}

export interface TwilioOptOutInput {
  partnerId: string;
  customerId: string;
  contact: string;
  channel: ConsentChannel;
  /** When Twilio refused the send. */
  at: string;
  /** Our id of the refused message. */
  messageId: string;
  errorCode: number;
}

export interface OptOutListOptions {
  /** A `nextCursor` of a previous page. */
  after?: string;
  limit: number;
  channel?: ConsentChannel;
}

/**
 * Whether a send to the contact on `channel` is refused, from the raw state row the send path
 * read under `consentStateKey(partnerId, customerId, contact)` (undefined when there is none).
 */
export function sendBlock(stateItem: Record<string, unknown> | undefined, channel: ConsentChannel): ConsentBlock | undefined {
  const state = stateFromItem(stateItem);
  const c = state?.channels[channel];
  if (!state || c?.state !== 'opted-out') return undefined;
  return {
    contact: state.contact,
    channel,
    // A row written by this service always has both; the fallbacks keep a damaged row blocking.
    since: c.since ?? state.updatedAt,
    source: c.source ?? 'keyword',
    ...(c.keyword !== undefined ? { keyword: c.keyword } : {}),
    ...(c.messageId !== undefined ? { messageId: c.messageId } : {}),
    ...(c.errorCode !== undefined ? { errorCode: c.errorCode } : {}),
  };
}

const MAX_WRITE_ATTEMPTS = 10;

type Folded = ReturnType<typeof foldChannel>;

/** One record per id, the stored one first (a ledger row is never replaced). */
function dedupe(records: ConsentRecord[]): ConsentRecord[] {
  const byId = new Map<string, ConsentRecord>();
  for (const r of records) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()];
}
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Canonical JSON (sorted keys) so the same partner request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Newest opt-out first; a cursor carries the gsi1 position (`<since>#<contact>`) of the last contact of its page. */
const optOutPages = pager<OptedOutItems[number]>('opt-outs', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#\+\d{8,15}$/, (item) => item.position);

function channelView(c: ChannelConsent | undefined): ChannelConsentView {
  if (!c || c.state === 'unknown') return { state: 'unknown' };
  return { ...c };
}

function historyEntry(r: ConsentRecord, effect: RecordEffect): ConsentHistoryEntry {
  const { partnerId: _p, customerId: _c, contact: _contact, ...entry } = r;
  return { ...entry, effect };
}

function consentEvent(customerId: string, contact: string, channel: ConsentChannel, c: ChannelConsent): PartnerEventInput {
  const data = {
    contact,
    channel,
    source: c.source!,
    at: c.since!,
    ...(c.keyword !== undefined ? { keyword: c.keyword } : {}),
    ...(c.messageId !== undefined ? { messageId: c.messageId } : {}),
    ...(c.errorCode !== undefined ? { errorCode: c.errorCode } : {}),
  };
  return c.state === 'opted-out' ? { type: 'contact.opted_out', customerId, data } : { type: 'contact.opted_in', customerId, data };
}

export function consentService({ consent, customers, events, clock, sleep = defaultSleep }: ConsentServiceDeps) {
  async function requireCustomer(partnerId: string, customerId: string) {
    const customer = await customers.get(partnerId, customerId);
    if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
    return customer;
  }

  /**
   * Primary course: put the ledger row (a repeat is a failed condition: nothing changes) → read
   * the state row, then the whole ledger of the contact (both strongly consistent, in that order)
   * → fold the channel's records in time order → write the state if its version is still the one
   * read, together with the event when the effective state changed → on a lost race, read again.
   * The state is written even when unchanged: the version bump is what sends a concurrent writer
   * that folded without this row round again, and re-folding everything lets any record (a
   * redelivery after a crash) complete a state a lost write left behind.
   */
  async function apply(record: ConsentRecord): Promise<Folded> {
    const { partnerId, customerId, contact, channel } = record;
    await consent.putRecord(record);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await consent.getState(partnerId, customerId, contact);
      const records = await consent.records(partnerId, customerId, contact);
      // The row just put is in the ledger; adding it again only guards a store that lost it.
      const folded = foldChannel(dedupe([...records.filter((r) => r.channel === channel), record]));
      const before = current?.channels[channel];
      const next = folded.state!;
      const state: ConsentStateRecord = {
        partnerId,
        customerId,
        contact,
        channels: { ...current?.channels, [channel]: next },
        version: (current?.version ?? 0) + 1,
        updatedAt: clock.now().toISOString(),
      };
      const changed = effectiveState(before) !== effectiveState(next) && next.state !== 'unknown';
      const written = changed
        ? (await events.appendWith(partnerId, [consentEvent(customerId, contact, channel, next)], [consent.stateWrite(state, current?.version)])).committed
        : await consent.writeState(state, current?.version);
      if (written) return folded;
      await sleep(Math.random() * Math.min(100, 5 * 2 ** attempt));
    }
    throw new Error(`Consent state of ${contact} (customer ${customerId}) stayed contended after ${MAX_WRITE_ATTEMPTS} attempts`);
  }

  function view(contact: string, state: ConsentStateRecord | undefined, records: ConsentRecord[]): ConsentView {
    const effects = new Map<string, RecordEffect>();
    for (const channel of CONSENT_CHANNELS) {
      for (const [id, effect] of foldChannel(records.filter((r) => r.channel === channel)).effects) effects.set(id, effect);
    }
    return {
      contact,
      channels: { sms: channelView(state?.channels.sms), whatsapp: channelView(state?.channels.whatsapp) },
      history: [...records].sort(byOrderKey).map((r) => historyEntry(r, effects.get(r.id) ?? 'unchanged')),
    };
  }

  /** Why a partner record does not decide its channel's state. */
  function notAppliedReason(record: ConsentRecord, { effects, ordered }: Folded): NotAppliedReason {
    const effect = effects.get(record.id) ?? 'unchanged';
    if (effect === 'evidence-required') return 'evidence-required';
    const later = ordered.slice(ordered.findIndex((r) => r.id === record.id) + 1);
    if (effect === 'changed' || later.some((r) => effects.get(r.id) === 'changed')) return 'superseded';
    return record.action === 'opt-out' ? 'already-opted-out' : 'already-opted-in';
  }

  return {
    /** A keyword from the handset (inbound consumer). Idempotent per MessageSid. */
    async recordKeyword(input: KeywordConsentInput): Promise<void> {
      const { partnerId, customerId, contact, channel, action, keyword, messageId, messageSid, to } = input;
      await apply({
        id: `kw_${messageSid}`,
        partnerId,
        customerId,
        contact,
        channel,
        action,
        source: 'keyword',
        at: normaliseTime(input.at),
        recordedAt: clock.now().toISOString(),
        keyword,
        messageId,
        messageSid,
        ...(to !== undefined ? { to } : {}),
      });
    },

    /** Twilio refused a send with 21610 (send path): the contact is opted out. Idempotent per message id. */
    async recordTwilioOptOut(input: TwilioOptOutInput): Promise<void> {
      const { partnerId, customerId, contact, channel, messageId, errorCode } = input;
      await apply({
        id: `err_${messageId}`,
        partnerId,
        customerId,
        contact,
        channel,
        action: 'opt-out',
        source: 'twilio-error',
        at: normaliseTime(input.at),
        recordedAt: clock.now().toISOString(),
        messageId,
        errorCode,
      });
    },

    /**
     * `POST …/contacts/{phone}/consent`. Idempotent per request content (the same evidence twice
     * is one ledger row and the same answer). `applied` says whether this record decides the
     * channel's state now; when not, `reason` says why.
     */
    async recordPartnerConsent(partnerId: string, customerId: string, contact: string, input: ConsentRecordInput): Promise<ConsentRecordResult> {
      const now = clock.now();
      const capturedAt = normaliseTime(input.evidence.capturedAt);
      if (Date.parse(capturedAt) > now.getTime()) {
        throw new ValidationError('The evidence is from the future', [{ field: 'body.evidence.capturedAt', message: 'must not be in the future' }]);
      }
      requireOpen(await requireCustomer(partnerId, customerId));
      const evidence = { ...input.evidence, capturedAt };
      const hash = createHash('sha256').update(canonical({ action: input.action, channel: input.channel, evidence })).digest('hex').slice(0, 32);
      const record: ConsentRecord = {
        id: `ptn_${hash}`,
        partnerId,
        customerId,
        contact,
        channel: input.channel,
        action: input.action,
        source: 'partner',
        at: capturedAt,
        recordedAt: now.toISOString(),
        evidence,
      };
      const folded = await apply(record);
      const { state, records } = await consent.read(partnerId, customerId, contact);
      const current = view(contact, state, records);
      const applied = folded.state?.recordId === record.id;
      return {
        ...current,
        applied,
        ...(applied ? {} : { reason: notAppliedReason(record, folded) }),
        record: current.history.find((h) => h.id === record.id) ?? historyEntry(record, folded.effects.get(record.id) ?? 'unchanged'),
      };
    },

    /** `GET …/contacts/{phone}/consent`: the state per channel and the whole ledger, oldest first. */
    async get(partnerId: string, customerId: string, contact: string): Promise<ConsentView> {
      await requireCustomer(partnerId, customerId);
      const { state, records } = await consent.read(partnerId, customerId, contact);
      return view(contact, state, records);
    },

    /** `GET …/opt-outs`: contacts opted out now (of any channel, or of `channel`), newest opt-out first. */
    async listOptOuts(partnerId: string, customerId: string, { after, limit, channel }: OptOutListOptions): Promise<OptOutList> {
      const scope = [partnerId, customerId];
      const before = optOutPages.after(after, scope);
      await requireCustomer(partnerId, customerId);
      const read = await consent.listOptedOut(partnerId, customerId, { wanted: limit + 1, ...(channel ? { channel } : {}), ...(before ? { before } : {}) });
      const { items, nextCursor } = optOutPages.page(read, limit, scope);
      const data: OptOut[] = items.map(({ state }) => {
        const listed = optedOut(state).channels.filter((c) => !channel || c === channel);
        const channels: OptOut['channels'] = {};
        for (const c of listed) {
          const { since, source, keyword, messageId, errorCode } = state.channels[c]!;
          channels[c] = { since: since!, source: source!, ...(keyword !== undefined ? { keyword } : {}), ...(messageId !== undefined ? { messageId } : {}), ...(errorCode !== undefined ? { errorCode } : {}) };
        }
        const since = listed.map((c) => state.channels[c]!.since!).sort().at(-1)!;
        return { contact: state.contact, since, channels };
      });
      return { data, nextCursor };
    },
  };
}

export type ConsentService = ReturnType<typeof consentService>;
