import type { PartnerEventLog } from '../services/partner-events-contract';
import type { MessageRepository } from '../store/messages';
import type { OptOutRepository } from '../store/opt-outs';
import type { TwilioEventRepository } from '../store/twilio-events';
import { param, type EventsEnvelope, type FormEnvelope, type WebhookEnvelope } from '../webhooks/envelope';
import { matchKeyword } from './keywords';
import { statusRank } from './status';
import { fromTrustHubCallback, parseCloudEvents, type RegistrationEvent } from './twilio-events';

/**
 * One unit of idempotent work: `key` is Twilio's identity of the thing that happened (never the SQS
 * message id), so a redelivery, a Twilio retry or a duplicated callback finds the same key.
 */
export interface WorkItem<T> {
  readonly key: string;
  readonly work: T;
}

export interface WebhookConsumerDeps {
  messages: MessageRepository;
  optOuts: OptOutRepository;
  events: TwilioEventRepository;
  /**
   * The partner's event log: told about each stored change (at least once — partners dedupe on
   * `messageSid`, as a retried batch may append again).
   */
  partnerEvents?: PartnerEventLog;
  /** Told about what was ignored on purpose (a status Twilio added later), for the log. */
  ignored?: (what: string, detail: Record<string, string>) => void;
}

export class MalformedWebhookError extends Error {
  override readonly name = 'MalformedWebhookError';
}

function required(envelope: FormEnvelope, name: string): string {
  const value = param(envelope.params, name);
  if (!value) throw new MalformedWebhookError(`The ${envelope.kind} webhook has no ${name}`);
  return value;
}

export function webhookConsumers({ messages, optOuts, events, partnerEvents, ignored }: WebhookConsumerDeps) {
  return {
    /** Keyed on the idempotency token, else MessageSid + status. */
    statusWork(envelope: WebhookEnvelope): WorkItem<FormEnvelope>[] {
      if (envelope.kind !== 'status') throw new MalformedWebhookError(`Expected a status callback, got ${envelope.kind}`);
      const sid = required(envelope, 'MessageSid');
      const status = param(envelope.params, 'MessageStatus') ?? required(envelope, 'SmsStatus');
      return [{ key: envelope.idempotencyToken ?? `${envelope.accountSid}:${sid}:${status}`, work: envelope }];
    },

    /** Primary course: rank the status → store it if it ranks above the stored one (the store's condition decides). */
    async applyStatus(envelope: FormEnvelope): Promise<boolean> {
      const messageSid = required(envelope, 'MessageSid');
      const status = param(envelope.params, 'MessageStatus') ?? required(envelope, 'SmsStatus');
      const rank = statusRank(status);
      if (rank === undefined) {
        ignored?.('unknown message status', { messageSid, status });
        return false;
      }
      const errorCode = param(envelope.params, 'ErrorCode') || undefined;
      const changed = await messages.applyStatus({
        partnerId: envelope.partnerId,
        customerId: envelope.customerId,
        accountSid: envelope.accountSid,
        messageSid,
        status,
        rank,
        errorCode,
        from: param(envelope.params, 'From') || undefined,
        to: param(envelope.params, 'To') || undefined,
        messagingServiceSid: param(envelope.params, 'MessagingServiceSid') || undefined,
        at: envelope.receivedAt,
      });
      if (changed) {
        await partnerEvents?.append(envelope.partnerId, {
          type: 'message.status.updated',
          customerId: envelope.customerId,
          data: { messageSid, status, ...(errorCode ? { errorCode } : {}) },
        });
      }
      return changed;
    },

    inboundWork(envelope: WebhookEnvelope): WorkItem<FormEnvelope>[] {
      if (envelope.kind !== 'inbound') throw new MalformedWebhookError(`Expected an inbound message, got ${envelope.kind}`);
      return [{ key: envelope.idempotencyToken ?? `${envelope.accountSid}:${required(envelope, 'MessageSid')}`, work: envelope }];
    },

    /**
     * Primary course: store the message (once per MessageSid) → if its body is an opt-out, opt-in or
     * help keyword, record it for (customer, contact) with the MessageSid as evidence.
     */
    async receiveInbound(envelope: FormEnvelope): Promise<void> {
      const p = (name: string) => param(envelope.params, name) || undefined;
      const messageSid = required(envelope, 'MessageSid');
      const from = required(envelope, 'From');
      const body = p('Body') ?? '';
      const numMedia = Number(p('NumMedia') ?? 0) || 0;
      const mediaUrls = Array.from({ length: numMedia }, (_, i) => p(`MediaUrl${i}`)).filter((u): u is string => Boolean(u));
      await messages.putInbound({
        partnerId: envelope.partnerId, customerId: envelope.customerId, accountSid: envelope.accountSid, messageSid,
        direction: 'inbound', contact: from, from, to: p('To'), body, numMedia, ...(mediaUrls.length ? { mediaUrls } : {}),
        messagingServiceSid: p('MessagingServiceSid'), status: 'received', statusRank: statusRank('received')!,
        createdAt: envelope.receivedAt, updatedAt: envelope.receivedAt,
      });
      await partnerEvents?.append(envelope.partnerId, {
        type: 'message.received',
        customerId: envelope.customerId,
        data: { messageSid, from, to: p('To') ?? null, body, numMedia },
      });
      const keyword = matchKeyword(body, p('OptOutType'));
      if (!keyword) return;
      await optOuts.record({
        partnerId: envelope.partnerId, customerId: envelope.customerId, contact: from, action: keyword.action, keyword: keyword.keyword,
        at: envelope.receivedAt, messageSid, ...(p('To') ? { to: p('To') } : {}),
      });
      if (keyword.action !== 'help') {
        await partnerEvents?.append(envelope.partnerId, {
          type: keyword.action === 'opt-out' ? 'contact.opted_out' : 'contact.opted_in',
          customerId: envelope.customerId,
          data: { contact: from, keyword: keyword.keyword, messageSid },
        });
      }
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
