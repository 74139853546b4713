import type { PartnerEventLog } from '../services/partner-events-contract';
import type { MessageRecord, MessageStore, StatusChange } from '../store/messages';
import type { TwilioEventRepository } from '../store/twilio-events';
import { classifyMessageError } from '../twilio/errors';
import { param, queryParam, type EventsEnvelope, type FormEnvelope, type WebhookEnvelope } from '../webhooks/envelope';
import { matchKeyword, type KeywordAction } from './keywords';
import { createdEvent } from './message-events';
import { statusRank } from './status';
import { fromTrustHubCallback, parseCloudEvents, type RegistrationEvent } from './twilio-events';
import { countSegments } from './segments';
import { usageCount, type UsageCounter } from './usage-counts';

/**
 * One unit of idempotent work: `key` is Twilio's identity of the thing that happened (never the SQS
 * message id), so a redelivery, a Twilio retry or a duplicated callback finds the same key.
 */
export interface WorkItem<T> {
  readonly key: string;
  readonly work: T;
}

export interface WebhookConsumerDeps {
  messages: MessageStore;
  /** The customer's monthly counters: moved in the same transaction as the write that stores a message accepted or received. */
  usage: UsageCounter;
  events: TwilioEventRepository;
  /**
   * The partner's event log. Message changes are committed with their events in one transaction
   * (`appendWith`), so a redelivered webhook whose change is stored fails its condition instead of
   * announcing the change twice: these consumers need no idempotency record of their own.
   */
  partnerEvents: Pick<PartnerEventLog, 'appendWith'>;
  consent: {
    recordKeyword(input: {
      partnerId: string; customerId: string; contact: string; channel: 'sms' | 'whatsapp'; action: KeywordAction; keyword: string;
      at: string; messageId: string; messageSid: string; to?: string;
    }): Promise<void>;
  };
  /** WhatsApp: a contact's inbound message opens its 24-hour window for free-form replies. */
  windows?: { opened(partnerId: string, customerId: string, contact: string, at: string): Promise<void> };
  /**
   * Who owns a number platform-wide on a channel: the PHONE row of a Twilio number, and on
   * WhatsApp also the sender's claim (a customer's own number registered as a sender is not a
   * Twilio number of ours).
   */
  numberOwner(phoneNumber: string, channel: 'sms' | 'whatsapp'): Promise<{ partnerId: string; customerId: string } | undefined>;
  /** Told about what was ignored on purpose (a status Twilio added later, a late status), for the log. */
  ignored?: (what: string, detail: Record<string, string>) => void;
}

export class MalformedWebhookError extends Error {
  override readonly name = 'MalformedWebhookError';
}

/** The webhook names a number that is not its account's customer's: never guessed, left for an operator. */
export class MisroutedWebhookError extends Error {
  override readonly name = 'MisroutedWebhookError';
}

function required(envelope: FormEnvelope, name: string): string {
  const value = param(envelope.params, name);
  if (!value) throw new MalformedWebhookError(`The ${envelope.kind} webhook has no ${name}`);
  return value;
}

const bare = (address: string) => address.replace(/^whatsapp:/, '');
const channelOf = (address: string | undefined, prefix: string | undefined): 'sms' | 'whatsapp' =>
  prefix === 'whatsapp' || address?.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
/** Ids of our messages are ULIDs behind `msg_`; anything else in a callback URL is not ours. */
const MESSAGE_ID = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;
/** Bounded: each round trip either commits or learns what another writer stored meanwhile. */
const MAX_STATUS_ROUNDS = 4;

export function webhookConsumers({ messages, usage, events, partnerEvents, consent, windows, numberOwner, ignored }: WebhookConsumerDeps) {
  return {
    /** Keyed on the idempotency token, else MessageSid + status. */
    statusWork(envelope: WebhookEnvelope): WorkItem<FormEnvelope>[] {
      if (envelope.kind !== 'status') throw new MalformedWebhookError(`Expected a status callback, got ${envelope.kind}`);
      const sid = required(envelope, 'MessageSid');
      const status = param(envelope.params, 'MessageStatus') ?? required(envelope, 'SmsStatus');
      return [{ key: envelope.idempotencyToken ?? `${envelope.accountSid}:${sid}:${status}`, work: envelope }];
    },

    /**
     * Primary course: rank the status → move the message forward with its `message.status.updated`
     * event in one transaction. When that condition fails, read the row once and act on what it is:
     * absent (Twilio accepted a message whose write we never made, or one sent outside the API) →
     * adopt it from the callback; pending (we crashed between Twilio's accept and storing the SID) →
     * complete it; already further → keep this status in its timeline only. Every optional callback
     * field may be missing or empty. Returns whether the status moved.
     */
    async applyStatus(envelope: FormEnvelope): Promise<boolean> {
      const p = (name: string) => param(envelope.params, name) || undefined;
      const sid = required(envelope, 'MessageSid');
      const status = p('MessageStatus') ?? required(envelope, 'SmsStatus');
      const rank = statusRank(status);
      if (rank === undefined) {
        ignored?.('unknown message status', { messageSid: sid, status });
        return false;
      }
      const named = queryParam(envelope.query, 'messageId');
      const messageId = named && MESSAGE_ID.test(named) ? named : sid;
      const code = Number(p('ErrorCode'));
      const errorCode = Number.isSafeInteger(code) && code > 0 ? code : undefined;
      const { partnerId, customerId, accountSid, receivedAt: at } = envelope;
      const change: StatusChange = {
        partnerId, customerId, messageId, sid, status, rank, at,
        ...(errorCode !== undefined ? { errorCode } : {}),
        ...(p('MessagingServiceSid') ? { messagingServiceSid: p('MessagingServiceSid') } : {}),
        ...(p('From') ? { from: p('From') } : {}),
      };
      const statusEvent = (contact: string | undefined) => ({
        type: 'message.status.updated' as const,
        customerId,
        data: {
          messageId, sid, ...(contact ? { contact } : {}), status, occurredAt: at,
          ...(errorCode !== undefined ? { errorCode, errorReason: classifyMessageError(errorCode).reason } : {}),
        },
      });
      const to = p('To');
      // A scheduled message Twilio canceled was counted when accepted: the move to canceled takes it back out.
      const canceled = status === 'canceled';
      const countedRow = canceled ? await messages.get(partnerId, customerId, messageId, true) : undefined;
      const uncount = countedRow?.sid !== undefined ? [usageCount(usage, countedRow, -1)] : [];

      for (let round = 0; round < MAX_STATUS_ROUNDS; round++) {
        const moved = await partnerEvents.appendWith(partnerId, [statusEvent(to && bare(to))], [...messages.forwardItems(change, true), ...uncount]);
        if (moved.committed) return true;
        const stored = await messages.get(partnerId, customerId, messageId, true);
        if (!stored) {
          const adopted: MessageRecord = {
            partnerId, customerId, messageId, sid, accountSid, direction: 'outbound', channel: channelOf(to, p('ChannelPrefix')),
            contact: to ? bare(to) : '', ...(change.from ? { from: change.from } : {}), ...(to ? { to } : {}),
            ...(change.messagingServiceSid ? { messagingServiceSid: change.messagingServiceSid } : {}),
            status, statusRank: rank, statusTimes: { [status]: at }, ...(errorCode !== undefined ? { errorCode } : {}), createdAt: at, updatedAt: at,
          };
          const created = await partnerEvents.appendWith(partnerId, [createdEvent(adopted), statusEvent(adopted.contact)], [messages.newItem(adopted), ...(canceled ? [] : [usageCount(usage, adopted)])]);
          if (created.committed) return true;
          continue;
        }
        if (stored.sid === undefined && stored.statusRank < rank) {
          const completed = await partnerEvents.appendWith(
            partnerId,
            [createdEvent({ ...stored, sid, status }), statusEvent(stored.contact)],
            // The SID's first write counts the message (the send's own answer, had it arrived, would have).
            [...messages.forwardItems(change, false), ...(canceled ? [] : [usageCount(usage, stored)])],
          );
          if (completed.committed) return true;
          continue;
        }
        if (stored.statusRank >= rank) {
          // A duplicate, or a status overtaken by a later one: the timeline keeps when it happened.
          await partnerEvents.appendWith(partnerId, [], [messages.lateItem(change)]);
          return false;
        }
      }
      throw new Error(`Message ${messageId} kept changing under status ${status}; the record is retried`);
    },

    inboundWork(envelope: WebhookEnvelope): WorkItem<FormEnvelope>[] {
      if (envelope.kind !== 'inbound') throw new MalformedWebhookError(`Expected an inbound message, got ${envelope.kind}`);
      return [{ key: envelope.idempotencyToken ?? `${envelope.accountSid}:${required(envelope, 'MessageSid')}`, work: envelope }];
    },

    /**
     * Primary course: the `To` number must belong to the customer the AccountSid named (else the
     * record is dead-lettered with the reason, never guessed) → store the message with its
     * `message.received` event, once per MessageSid → on WhatsApp, open the contact's 24-hour
     * window → if its body is an opt-out, opt-in or help
     * keyword, record it in the contact's consent with the message as evidence (idempotent too, so
     * a redelivery after a partial failure completes what is missing).
     */
    async receiveInbound(envelope: FormEnvelope): Promise<void> {
      const p = (name: string) => param(envelope.params, name) || undefined;
      const { partnerId, customerId, accountSid, receivedAt: at } = envelope;
      const sid = required(envelope, 'MessageSid');
      const from = required(envelope, 'From');
      const to = required(envelope, 'To');
      const channel = channelOf(from, undefined);
      const owner = await numberOwner(bare(to), channel);
      if (!owner) throw new MisroutedWebhookError(`Inbound ${sid} for account ${accountSid} was sent to ${bare(to)}, a number no customer owns`);
      if (owner.partnerId !== partnerId || owner.customerId !== customerId) {
        throw new MisroutedWebhookError(`Inbound ${sid} for account ${accountSid} (customer ${customerId}) was sent to ${bare(to)}, which belongs to another customer`);
      }
      const body = p('Body') ?? '';
      const numMedia = Number(p('NumMedia') ?? 0) || 0;
      const mediaUrls = Array.from({ length: numMedia }, (_, i) => p(`MediaUrl${i}`)).filter((u): u is string => Boolean(u));
      const contact = bare(from);
      const message: MessageRecord = {
        partnerId, customerId, messageId: sid, sid, accountSid, direction: 'inbound', channel, contact, from, to, body,
        ...(mediaUrls.length ? { mediaUrls } : {}), ...(p('MessagingServiceSid') ? { messagingServiceSid: p('MessagingServiceSid') } : {}),
        ...(Number(p('NumSegments')) > 0 ? { segments: Number(p('NumSegments')) } : {}),
        status: 'received', statusRank: statusRank('received')!, statusTimes: { received: at }, createdAt: at, updatedAt: at,
      };
      await partnerEvents.appendWith(
        partnerId,
        [{ type: 'message.received', customerId, data: { messageId: sid, sid, channel, from, to, body, numMedia, ...(mediaUrls.length ? { mediaUrls } : {}) } }],
        // Counted with the row's creation: a redelivery fails its condition and counts nothing. Twilio
        // sends NumSegments; without it the body's own count stands in.
        [messages.newItem(message), usageCount(usage, message, 1, message.segments ?? countSegments(body).segments)],
      );
      // Moved forward only, so a redelivery (whose message is already stored) changes nothing.
      if (channel === 'whatsapp') await windows?.opened(partnerId, customerId, contact, at);
      const keyword = matchKeyword(body, p('OptOutType'));
      if (!keyword) return;
      await consent.recordKeyword({
        partnerId, customerId, contact, channel, action: keyword.action, keyword: keyword.keyword, at, messageId: sid, messageSid: sid, to,
      });
    },

    /** One item per CloudEvent, keyed on its `id`; a TrustHub callback on its token, else bundle + status. */
    eventWork(envelope: WebhookEnvelope): WorkItem<{ envelope: WebhookEnvelope; event: RegistrationEvent }>[] {
      if (envelope.kind === 'events') {
        return parseCloudEvents((envelope as EventsEnvelope).events, envelope.receivedAt).map((event) => ({
          key: `${envelope.accountSid}:${event.eventId}`,
          work: { envelope, event },
        }));
      }
      if (envelope.kind === 'trusthub') {
        const event = fromTrustHubCallback(envelope.params, envelope.receivedAt);
        return [{ key: envelope.idempotencyToken ?? `${envelope.accountSid}:${event.eventId}`, work: { envelope, event } }];
      }
      throw new MalformedWebhookError(`Expected Event Streams or TrustHub, got ${envelope.kind}`);
    },

    /** Records the event against its customer, where the onboarding workflow looks for it. */
    async recordEvent({ envelope, event }: { envelope: WebhookEnvelope; event: RegistrationEvent }): Promise<boolean> {
      return events.append({ ...event, partnerId: envelope.partnerId, customerId: envelope.customerId, accountSid: envelope.accountSid, receivedAt: envelope.receivedAt });
    },
  };
}

export type WebhookConsumers = ReturnType<typeof webhookConsumers>;
