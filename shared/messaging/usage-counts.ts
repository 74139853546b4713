import { billedSegments, monthOf } from '../domain/usage';
import type { MessageRecord, TransactItem } from '../store/messages';
import type { UsageStore } from '../store/usage';

export type UsageCounter = Pick<UsageStore, 'counterItem'>;

type Counted = Pick<MessageRecord, 'partnerId' | 'customerId' | 'messageId' | 'channel' | 'direction' | 'createdAt' | 'sendAt' | 'mediaUrls' | 'segments'>;

/**
 * The counter item of a message, for the transaction that stores it as accepted by Twilio (its SID
 * written for the first time) or received. `sign` -1 takes a canceled scheduled message back out.
 * A message counts in the month it goes out: a scheduled one in its send time's month.
 */
export function usageCount(usage: UsageCounter, m: Counted, sign: 1 | -1 = 1, segments?: number): TransactItem {
  const month = monthOf(m.direction === 'outbound' && m.sendAt ? m.sendAt : m.createdAt);
  const billed = segments !== undefined && segments > 0 && m.channel === 'sms' && !m.mediaUrls?.length ? segments : billedSegments(m);
  return usage.counterItem(m.partnerId, m.customerId, month, m.messageId, { channel: m.channel, direction: m.direction, messages: sign, segments: sign * billed });
}
