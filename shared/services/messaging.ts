import { createHash } from 'node:crypto';
import type { EncryptionContext } from '../crypto/key-service';
import type { TokenCache } from '../crypto/token-cache';
import {
  ConflictError,
  CustomerNotReadyError,
  TemplateNotApprovedError,
  TemplateRequiredError,
  IdempotencyKeyReusedError,
  MessageNotCancelableError,
  MessageRefusedError,
  NotFoundError,
  RecipientOptedOutError,
  SendAtOutOfRangeError,
  TooManySegmentsError,
  ValidationError,
} from '../domain/errors';
import { requireOpen } from '../domain/customer';
import {
  PENDING_STATUS,
  WHATSAPP_PREFIX,
  SEND_AT_MAX_SECONDS,
  SEND_AT_MIN_SECONDS,
  type MessageCreate,
  type MessageListQuery,
  type MessageView,
} from '../domain/message';
import { createdEvent } from '../messaging/message-events';
import { TEMPLATE_STATUS_BY_CODE, requireOpenWindow, requireSendableTemplate, type TemplateLookup } from '../messaging/whatsapp-rules';
import { countSegments } from '../messaging/segments';
import { statusRank } from '../messaging/status';
import type { MessageRecord, MessageStore, StatusChange } from '../store/messages';
import type { SendContextReader, SendRegistration, SendState } from '../store/send-context';
import { classifyMessageError, TwilioPermanentError, TwilioRetryableError, TOO_MANY_REQUESTS_CODE } from '../twilio/errors';
import type { Message, TwilioGateway } from '../twilio/gateway';
import { sendBlock, type ConsentBlock } from './consent';
import type { PartnerEventLog } from './partner-events-contract';
import { pager, type Page } from './page';
import type { Clock, IdGenerator } from './support';
import { usageCount, type UsageCounter } from '../messaging/usage-counts';

export interface MessagingDeps {
  reader: SendContextReader;
  messages: MessageStore;
  /** The customer's monthly counters, moved in the transaction that stores a message as accepted. */
  usage: UsageCounter;
  events: Pick<PartnerEventLog, 'appendWith'>;
  consent: { recordTwilioOptOut(input: { partnerId: string; customerId: string; contact: string; channel: 'sms' | 'whatsapp'; at: string; messageId: string; errorCode: number }): Promise<void> };
  twilio: Pick<TwilioGateway, 'sendMessage' | 'cancelMessage'>;
  tokens: Pick<TokenCache, 'get'>;
  /** Our status callback URL for one message: the id in the URL lets a callback complete a pending row. */
  statusCallbackUrl(messageId: string): Promise<string>;
  clock: Clock;
  ids: IdGenerator;
  /** WhatsApp templates of the customer, for template sends (absent: template ids are unknown, Content SIDs go to Twilio unchecked). */
  templates?: TemplateLookup;
  /** How long a warm instance trusts a customer's completed registration (campaign, numbers) before reading it again. */
  registrationTtlMs?: number;
}

export interface SendResult {
  message: MessageView;
  /** 201 when Twilio accepted it (or a replay of that), 202 when Twilio's answer was lost and its callback will settle it. */
  status: 201 | 202;
  replayed: boolean;
}

/** Number states that can send: attached to the service and registered with the carriers. */
const SENDABLE_NUMBER = 'registered';

/** Twilio's address of a contact or sender on the message's channel. */
const channelAddress = (channel: MessageCreate['channel']) => (e164: string) => (channel === 'whatsapp' ? `${WHATSAPP_PREFIX}${e164}` : e164);

function requestHash(customerId: string, input: MessageCreate): string {
  const template = input.templateId ?? input.contentSid;
  const variables = input.contentVariables ? Object.entries(input.contentVariables).sort(([a], [b]) => (a < b ? -1 : 1)) : null;
  const canonical = JSON.stringify([
    customerId, input.to, input.channel, input.from ?? null, input.body ?? null, input.mediaUrls ?? null, input.sendAt ?? null, input.maxSegments ?? null, input.validityPeriodSeconds ?? null,
    // Only template sends carry these, so an SMS request hashes as it always did.
    ...(template ? [input.templateId ?? null, input.contentSid ?? null, variables] : []),
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

export function toMessageView(m: MessageRecord): MessageView {
  const timeline = Object.entries(m.statusTimes ?? {})
    .map(([status, at]) => ({ status, at }))
    .sort((a, b) => (a.at === b.at ? (statusRank(a.status) ?? 0) - (statusRank(b.status) ?? 0) : a.at < b.at ? -1 : 1));
  return {
    id: m.messageId,
    sid: m.sid ?? null,
    direction: m.direction,
    channel: m.channel,
    contact: m.contact,
    from: m.from ?? null,
    to: m.to ?? null,
    ...(m.body !== undefined ? { body: m.body } : {}),
    ...(m.mediaUrls?.length ? { mediaUrls: m.mediaUrls } : {}),
    status: m.status,
    ...(m.errorCode !== undefined ? { errorCode: m.errorCode, errorReason: classifyMessageError(m.errorCode).reason } : {}),
    ...(m.segments !== undefined ? { segments: m.segments } : {}),
    ...(m.encoding ? { encoding: m.encoding } : {}),
    ...(m.price ? { price: m.price, priceUnit: m.priceUnit ?? 'USD' } : {}),
    ...(m.templateId ? { templateId: m.templateId } : {}),
    ...(m.contentSid ? { contentSid: m.contentSid } : {}),
    ...(m.contentVariables ? { contentVariables: m.contentVariables } : {}),
    ...(m.sendAt ? { sendAt: m.sendAt } : {}),
    ...(m.messagingServiceSid ? { messagingServiceSid: m.messagingServiceSid } : {}),
    timeline,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}

function optedOutDetail(block: ConsentBlock): string {
  const how =
    block.source === 'keyword' ? `by replying ${block.keyword ?? 'a stop keyword'}${block.messageId ? ` (message ${block.messageId})` : ''}`
    : block.source === 'twilio-error' ? `as Twilio reported (error ${block.errorCode ?? 21610}${block.messageId ? ` on message ${block.messageId}` : ''})`
    : 'as recorded by the partner with its evidence';
  return `${block.contact} opted out of this customer's ${block.channel.toUpperCase()} messages on ${block.since}, ${how}. Send again only after the contact opts back in (replies START, or you record a newer opt-in with evidence).`;
}

/** Registration problems that stop a send, each in words a partner can act on. */
function registrationGaps(reg: SendRegistration, from: string | undefined, channel: MessageCreate['channel'] = 'sms'): string[] {
  // WhatsApp needs no A2P campaign: the messaging service reaches the customer's WhatsApp sender, which Twilio checks (63007).
  if (channel === 'whatsapp') return reg.messagingServiceSid ? [] : ['the customer has no messaging service yet (run onboarding)'];
  const gaps: string[] = [];
  if (reg.campaignStatus !== 'succeeded') gaps.push(`the A2P campaign is not verified yet (onboarding step campaign: ${reg.campaignStatus ?? 'not started'}; see GET …/onboarding)`);
  if (!reg.messagingServiceSid) gaps.push('the customer has no messaging service yet (run onboarding)');
  const inService = (n: SendRegistration['numbers'][number]) => n.messagingServiceSid === reg.messagingServiceSid;
  if (from !== undefined) {
    const number = reg.numbers.find((n) => n.phoneNumber === from);
    if (number && !(number.status === SENDABLE_NUMBER && inService(number))) {
      gaps.push(`the number ${from} is ${number.status}, not yet attached to the messaging service and registered with the carriers`);
    }
  } else if (!reg.numbers.some((n) => n.status === SENDABLE_NUMBER && inService(n))) {
    gaps.push('no number of the customer is attached to its messaging service and registered with the carriers yet (POST …/numbers, then wait for number.updated)');
  }
  return gaps;
}

export function messagingService(deps: MessagingDeps) {
  const { reader, messages, usage, events, consent, twilio, tokens, clock, ids } = deps;
  const registrationTtlMs = deps.registrationTtlMs ?? 60_000;
  // Per warm instance: AccountSids never change once set; a ready registration is trusted briefly.
  const accountSids = new Map<string, string>();
  const readyRegistrations = new Map<string, { reg: SendRegistration; until: number }>();

  async function registration(partnerId: string, customerId: string): Promise<SendRegistration> {
    const key = `${partnerId}/${customerId}`;
    const cached = readyRegistrations.get(key);
    if (cached && cached.until > clock.now().getTime()) return cached.reg;
    const reg = await reader.registration(partnerId, customerId);
    if (registrationGaps(reg, undefined).length === 0) readyRegistrations.set(key, { reg, until: clock.now().getTime() + registrationTtlMs });
    else readyRegistrations.delete(key);
    return reg;
  }

  function checkSchedule(sendAt: string | undefined, now: Date): void {
    if (sendAt === undefined) return;
    const ahead = (Date.parse(sendAt) - now.getTime()) / 1000;
    if (!(ahead >= SEND_AT_MIN_SECONDS && ahead <= SEND_AT_MAX_SECONDS)) {
      throw new SendAtOutOfRangeError(`sendAt ${sendAt} is ${Math.round(ahead / 60)} minutes ahead; Twilio schedules messages 15 minutes to 35 days ahead. Send without sendAt to send now.`, [
        { field: 'body.sendAt', message: 'must be between 15 minutes and 35 days in the future' },
      ]);
    }
  }

  async function replay(partnerId: string, customerId: string, idempotencyKey: string, hash: string): Promise<SendResult> {
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    const earlier = await messages.byRequestKey(partnerId, customerId, idempotencyKey, nowSeconds);
    if (!earlier) throw new ConflictError('A request with this Idempotency-Key is being processed; retry shortly');
    if (earlier.requestHash !== hash || earlier.customerId !== customerId) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request; use a new key for a new message');
    }
    const stored = await messages.get(partnerId, customerId, earlier.messageId, true);
    if (!stored) throw new ConflictError('A request with this Idempotency-Key is being processed; retry shortly');
    return { message: toMessageView(stored), status: stored.status === PENDING_STATUS ? 202 : 201, replayed: true };
  }

  /** Stores Twilio's refusal on the pending row, so history shows what was tried and why it failed. */
  async function recordRefusal(record: MessageRecord, code: number | null, at: string): Promise<void> {
    await events.appendWith(record.partnerId, [], [messages.refusedItem(record, code ?? undefined, at), messages.reconcileDoneItem(record)]);
  }

  /**
   * WhatsApp: the template to send (checked: approved, its variables exactly), or — for free-form
   * content — the contact's open 24-hour window at the moment the message goes out. A Content SID
   * this customer's templates do not know goes to Twilio as given (a template made outside
   * Switchboard), where its status is Twilio's to check.
   */
  async function whatsAppContent(partnerId: string, customerId: string, input: MessageCreate, state: SendState, now: Date): Promise<{ templateId?: string; contentSid: string } | undefined> {
    const ref = { ...(input.templateId ? { templateId: input.templateId } : {}), ...(input.contentSid ? { contentSid: input.contentSid } : {}) };
    if (!ref.templateId && !ref.contentSid) {
      requireOpenWindow(input.to, state.whatsAppLastInboundAt, input.sendAt ? new Date(input.sendAt) : now);
      return undefined;
    }
    // By id it came with the send context's batch; by Content SID it takes a lookup of its own.
    const template = ref.templateId ? state.template : await deps.templates?.findForSend(partnerId, customerId, ref);
    if (!template && ref.contentSid) return { contentSid: ref.contentSid };
    requireSendableTemplate(template, ref, input.contentVariables);
    return { templateId: template!.id, contentSid: template!.contentSid };
  }

  return {
    /**
     * Primary course: check what costs nothing (schedule window, segments) → read the customer,
     * its subaccount and the contact's consent (one batch) and its registration (cached when
     * ready) → refuse with the reason a partner can act on → store the message as pending (with
     * the Idempotency-Key in the same transaction) → send with the subaccount's credentials
     * through the messaging service → store Twilio's SID and status with the `message.created`
     * event. A crash after Twilio accepted leaves the pending row, which the status callback
     * (its URL names the message id) completes; a retry with the same key never sends again.
     */
    async send(partnerId: string, customerId: string, input: MessageCreate, idempotencyKey?: string): Promise<SendResult> {
      const now = clock.now();
      const at = now.toISOString();
      checkSchedule(input.sendAt, now);
      const whatsapp = input.channel === 'whatsapp';
      const count = input.body !== undefined && !whatsapp ? countSegments(input.body) : undefined;
      if (count && input.maxSegments !== undefined && count.segments > input.maxSegments) {
        const forced = count.unicodeCharacters.length
          ? ` The characters ${count.unicodeCharacters.map((c) => `“${c}”`).join(' ')} force UCS-2 (70 characters a segment instead of 160); replace them to send as GSM-7.`
          : '';
        throw new TooManySegmentsError(`The body takes ${count.segments} segments (${count.encoding}), more than maxSegments ${input.maxSegments}.${forced}`, [
          { field: 'body.body', message: `takes ${count.segments} segments, more than ${input.maxSegments}` },
        ]);
      }

      const key = `${partnerId}/${customerId}`;
      let state = await reader.state(partnerId, customerId, accountSids.get(key), input.to, input.channel, input.templateId);
      const customer = state.customer;
      if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
      requireOpen(customer, customerId);
      const accountSid = customer.accountSid;
      if (accountSid && !state.subaccount) {
        accountSids.set(key, accountSid);
        state = await reader.state(partnerId, customerId, accountSid, input.to, input.channel, input.templateId);
      }
      if (!accountSid || !state.subaccount) throw new CustomerNotReadyError('The customer has no Twilio subaccount yet: POST /v1/customers/{id}/subaccount, then onboarding');
      if (customer.status !== 'active' || state.subaccount.status !== 'active') {
        throw new CustomerNotReadyError(`The customer's subaccount is ${state.subaccount.status}: reactivate it (POST …/subaccount/reactivate) to send`);
      }
      const reg = await registration(partnerId, customerId);
      if (!whatsapp && input.from !== undefined && !reg.numbers.some((n) => n.phoneNumber === input.from && n.status !== 'released')) {
        throw new ValidationError('from is not one of the customer’s numbers', [{ field: 'body.from', message: 'must be one of the customer’s numbers (GET …/numbers)' }]);
      }
      const gaps = registrationGaps(reg, input.from, input.channel);
      if (gaps.length) throw new CustomerNotReadyError(`The customer cannot send yet: ${gaps.join('; ')}.`);
      const block = sendBlock(state.consent, input.channel);
      if (block) throw new RecipientOptedOutError(optedOutDetail(block));
      const template = whatsapp ? await whatsAppContent(partnerId, customerId, input, state, now) : undefined;

      const hash = requestHash(customerId, input);
      const record: MessageRecord = {
        partnerId, customerId, messageId: ids('msg'), accountSid, direction: 'outbound', channel: input.channel, contact: input.to,
        to: input.to, ...(input.from ? { from: input.from } : {}), ...(input.body !== undefined ? { body: input.body } : {}),
        ...(input.mediaUrls ? { mediaUrls: input.mediaUrls } : {}), messagingServiceSid: reg.messagingServiceSid!,
        ...(template?.templateId ? { templateId: template.templateId } : {}), ...(template ? { contentSid: template.contentSid } : {}),
        ...(input.contentVariables ? { contentVariables: input.contentVariables } : {}),
        status: PENDING_STATUS, statusRank: 0, statusTimes: { [PENDING_STATUS]: at },
        ...(count ? { segments: count.segments, encoding: count.encoding } : {}),
        ...(input.sendAt ? { sendAt: new Date(input.sendAt).toISOString() } : {}),
        ...(input.validityPeriodSeconds ? { validityPeriodSeconds: input.validityPeriodSeconds } : {}),
        requestHash: hash, createdAt: at, updatedAt: at,
      };
      // Before the pending row: a URL that cannot be resolved fails the request with nothing stored or sent.
      const statusCallback = await deps.statusCallbackUrl(record.messageId);
      const stored = await events.appendWith(partnerId, [], messages.pendingItems(record, idempotencyKey, Math.floor(now.getTime() / 1000)));
      if (!stored.committed) return replay(partnerId, customerId, idempotencyKey!, hash);

      const context: EncryptionContext = { partnerId, customerId, accountSid };
      const address = channelAddress(input.channel);
      let sent: Message;
      try {
        const authToken = await tokens.get(state.subaccount.encryptedAuthToken, context);
        sent = await twilio.sendMessage(
          { accountSid, authToken },
          {
            to: address(input.to), ...(input.from ? { from: address(input.from) } : {}), messagingServiceSid: reg.messagingServiceSid!,
            ...(input.body !== undefined ? { body: input.body } : {}), ...(input.mediaUrls ? { mediaUrls: input.mediaUrls } : {}),
            ...(template ? { contentSid: template.contentSid, ...(input.contentVariables ? { contentVariables: input.contentVariables } : {}) } : {}),
            statusCallback,
            ...(input.sendAt ? { sendAt: new Date(input.sendAt) } : {}),
            ...(input.validityPeriodSeconds ? { validityPeriodSeconds: input.validityPeriodSeconds } : {}),
          },
        );
      } catch (error) {
        if (error instanceof TwilioRetryableError && (error.status === 429 || error.code === TOO_MANY_REQUESTS_CODE)) {
          // Throttled: Twilio refused before acting. Nothing was sent, so nothing is kept, and a retry with the same key sends.
          await events.appendWith(partnerId, [], messages.abandonItems(record, idempotencyKey));
          throw error;
        }
        if (error instanceof TwilioRetryableError) {
          // A 5xx, timeout or reset: Twilio may have accepted it. The pending row waits for the status callback.
          return { message: toMessageView(record), status: 202, replayed: false };
        }
        if (error instanceof TwilioPermanentError && error.status !== 401 && error.status !== 403) {
          await recordRefusal(record, error.code, clock.now().toISOString());
          if (error.code === 21610) {
            await consent.recordTwilioOptOut({ partnerId, customerId, contact: input.to, channel: input.channel, at, messageId: record.messageId, errorCode: 21610 });
            throw new RecipientOptedOutError(`${input.to} has opted out of this customer's messages: Twilio refused the send with error 21610 (the contact replied STOP). It is now recorded in the contact's consent; send again only after the contact replies START.`);
          }
          if (error.code === 63016) {
            throw new TemplateRequiredError(`Twilio refused the message with error 63016: ${input.to} is outside WhatsApp's 24-hour window. Send an approved template. It is kept in history as failed (id ${record.messageId}).`, [
              { field: 'body.body', message: 'free-form content outside the 24-hour window: send an approved template' },
            ]);
          }
          const templateStatus = error.code !== null ? TEMPLATE_STATUS_BY_CODE[error.code] : undefined;
          if (templateStatus) throw new TemplateNotApprovedError(`Twilio refused the template with error ${error.code}: it is ${templateStatus}. It is kept in history as failed (id ${record.messageId}).`);
          const reason = error.code !== null ? classifyMessageError(error.code).reason : error.message;
          const field = error.code === 21211 || error.code === 21614 ? 'to' : error.code === 21606 || error.code === 63007 ? 'from' : undefined;
          throw new MessageRefusedError(`Twilio refused the message with error ${error.code ?? error.status}: ${reason}. It is kept in history as failed (id ${record.messageId}).`, field ? [{ field, message: reason }] : []);
        }
        throw error;
      }

      const change: StatusChange = {
        partnerId, customerId, messageId: record.messageId, sid: sent.sid, status: sent.status, rank: statusRank(sent.status) ?? 1, at: clock.now().toISOString(),
        ...(sent.from ? { from: sent.from } : {}), ...(sent.messagingServiceSid ? { messagingServiceSid: sent.messagingServiceSid } : {}),
        ...(sent.price ? { price: sent.price, priceUnit: sent.priceUnit ?? 'USD' } : {}),
      };
      // Counted with the SID's first write, which only one of this answer and the status callback makes.
      const completed = await events.appendWith(
        partnerId,
        [createdEvent({ ...record, sid: sent.sid, status: sent.status, from: sent.from ?? record.from })],
        [...messages.forwardItems(change, false), usageCount(usage, record, 1, sent.numSegments ?? undefined)],
      );
      // A status callback got there first (it stored the SID and announced the message): keep the initial status in the timeline.
      if (!completed.committed) await events.appendWith(partnerId, [], [messages.lateItem(change)]).catch(() => undefined);
      const final = completed.committed ? undefined : await messages.get(partnerId, customerId, record.messageId, true);
      return {
        message: toMessageView(final ?? { ...record, sid: sent.sid, status: change.status, statusRank: change.rank, statusTimes: { ...record.statusTimes, [change.status]: change.at }, from: sent.from ?? record.from, updatedAt: change.at }),
        status: 201,
        replayed: false,
      };
    },

    /**
     * Cancels every message still scheduled to a contact who just opted out in a way Twilio cannot
     * know of (a partner-recorded opt-out): Twilio would otherwise send them at their time. Handset
     * STOPs need no sweep, since Twilio refuses those sends itself (21610). Returns the ids canceled.
     */
    async cancelScheduledTo(partnerId: string, customerId: string, contact: string, credentials: () => Promise<{ accountSid: string; authToken: string }>): Promise<string[]> {
      const canceled: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await messages.list(partnerId, customerId, { contact, direction: 'outbound', status: 'scheduled' }, cursor, 100);
        for (const m of page.items) {
          const done = await this.cancel(partnerId, customerId, m.messageId, credentials).then(
            () => true,
            (error: unknown) => {
              // Sent in the meantime: nothing left to cancel.
              if (error instanceof MessageNotCancelableError) return false;
              throw error;
            },
          );
          if (done) canceled.push(m.messageId);
        }
        cursor = page.next;
      } while (cursor);
      return canceled;
    },

    /** Cancels a scheduled message at Twilio, then records it; anything already sent → 409. */
    async cancel(partnerId: string, customerId: string, messageId: string, credentials: () => Promise<{ accountSid: string; authToken: string }>): Promise<MessageView> {
      const stored = await messages.get(partnerId, customerId, messageId, true);
      if (!stored) throw new NotFoundError(`Message ${messageId} not found`);
      if (stored.status === 'canceled') return toMessageView(stored);
      if (stored.status !== 'scheduled' || !stored.sid) {
        throw new MessageNotCancelableError(`Message ${messageId} is ${stored.status}: only a scheduled message can be canceled, before its send time`);
      }
      // A closed customer's subaccount can no longer be called (Twilio dropped its schedule with it).
      const { customer } = await reader.state(partnerId, customerId, undefined, stored.contact);
      if (customer) requireOpen(customer, customerId);
      try {
        await twilio.cancelMessage(await credentials(), stored.sid);
      } catch (error) {
        if (error instanceof TwilioPermanentError && !error.notFound && error.status !== 401 && error.status !== 403) {
          throw new MessageNotCancelableError(`Twilio refused to cancel message ${messageId}: it has most likely been sent already (${error.message})`);
        }
        throw error;
      }
      const at = clock.now().toISOString();
      const change: StatusChange = { partnerId, customerId, messageId, sid: stored.sid, status: 'canceled', rank: statusRank('canceled')!, at };
      // Never sent, never billed: the cancel takes the message back out of its month's count.
      await events.appendWith(partnerId, [{ type: 'message.canceled', customerId, data: { messageId, sid: stored.sid } }], [...messages.forwardItems(change, true), usageCount(usage, stored, -1)]);
      const after = await messages.get(partnerId, customerId, messageId, true);
      return toMessageView(after ?? stored);
    },

  };
}

export interface MessageReaderDeps {
  messages: Pick<MessageStore, 'get' | 'list'>;
  /** The customer exists for this partner (list routes answer 404 for a foreign customer). */
  customerExists(partnerId: string, customerId: string): Promise<boolean>;
}

/** History reads: no Twilio, no keys, so their functions bundle neither. */
export function messageReader({ messages, customerExists }: MessageReaderDeps) {
  return {
    async get(partnerId: string, customerId: string, messageId: string): Promise<MessageView> {
      const stored = await messages.get(partnerId, customerId, messageId);
      if (!stored) throw new NotFoundError(`Message ${messageId} not found`);
      return toMessageView(stored);
    },

    async list(partnerId: string, customerId: string, query: MessageListQuery): Promise<Page<MessageView>> {
      if (!(await customerExists(partnerId, customerId))) throw new NotFoundError(`Customer ${customerId} not found`);
      const createdAfter = query.createdAfter && new Date(query.createdAfter).toISOString();
      const createdBefore = query.createdBefore && new Date(query.createdBefore).toISOString();
      if (createdAfter && createdBefore && createdAfter >= createdBefore) {
        throw new ValidationError('createdAfter must be before createdBefore', [{ field: 'query.createdAfter', message: 'must be before createdBefore' }]);
      }
      const scope = [partnerId, customerId];
      const cursor = historyPages.after(query.cursor, scope);
      const page = await messages.list(
        partnerId, customerId,
        { contact: query.contact, direction: query.direction, status: query.status, channel: query.channel, createdAfter, createdBefore },
        cursor, query.limit,
      );
      return { data: page.items.map(toMessageView), nextCursor: historyPages.continueAfter(page.next, scope) };
    },
  };
}

/** A history cursor holds the index sort key the page stopped at (`<ISO time>#<id>`); the store reads below it. */
const historyPages = pager<string>('messages', /^\d{4}-\d\d-\d\dT[\d:.]+Z#[A-Za-z0-9_]+$/, (position) => position);

export type MessagingService = ReturnType<typeof messagingService>;
