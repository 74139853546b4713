import type { MessageRecord } from '../store/messages';

/** The `message.created` event of an outbound message, from its stored row (send path and adoption alike). */
export function createdEvent(m: Pick<MessageRecord, 'customerId' | 'messageId' | 'sid' | 'channel' | 'from' | 'to' | 'status' | 'segments' | 'encoding' | 'sendAt' | 'contact'>) {
  return {
    type: 'message.created' as const,
    customerId: m.customerId,
    data: {
      messageId: m.messageId, sid: m.sid ?? null, direction: 'outbound' as const, channel: m.channel, from: m.from ?? null, to: m.to ?? m.contact,
      status: m.status, segments: m.segments ?? 0, encoding: m.encoding ?? 'GSM-7', ...(m.sendAt ? { sendAt: m.sendAt } : {}),
    },
  };
}
