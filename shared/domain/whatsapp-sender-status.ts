/**
 * WhatsApp sender statuses and how each is followed, apart from the schemas in
 * `whatsapp-sender.ts` so that the event catalogue (loaded wherever events are appended) does not
 * carry the phone-number validation those need.
 */

/** Twilio's sender statuses, and `DELETED` once the partner deleted it (ours: Twilio forgets it). */
export const WHATSAPP_SENDER_STATUSES = ['CREATING', 'PENDING_VERIFICATION', 'VERIFYING', 'TWILIO_REVIEW', 'ONLINE', 'ONLINE:UPDATING', 'OFFLINE', 'DRAFT', 'STUBBED', 'DELETED'] as const;
export type WhatsAppSenderStatus = (typeof WHATSAPP_SENDER_STATUSES)[number];

/**
 * How the scheduled refresh follows a sender (Twilio pushes no sender status): `active` while
 * Twilio or Meta is working on it (every run), `waiting` while a person must act — the code to
 * submit, the cause of OFFLINE to fix, e.g. the WABA invitation to accept — (hourly), `none` once
 * it is ONLINE and in the messaging service, or deleted.
 */
export type RefreshLane = 'active' | 'waiting' | 'none';

export function refreshLaneOf(status: WhatsAppSenderStatus, attached: boolean): RefreshLane {
  switch (status) {
    case 'ONLINE':
      return attached ? 'none' : 'active';
    case 'DELETED':
      return 'none';
    case 'PENDING_VERIFICATION':
    case 'OFFLINE':
      return 'waiting';
    default:
      return 'active';
  }
}

/** Twilio's status as ours; anything new Twilio reports is followed like a status in progress. */
export function senderStatusOf(twilioStatus: string): WhatsAppSenderStatus {
  return (WHATSAPP_SENDER_STATUSES as readonly string[]).includes(twilioStatus) && twilioStatus !== 'DELETED' ? (twilioStatus as WhatsAppSenderStatus) : 'CREATING';
}
