import { receiverFor } from '../../shared/webhooks/default';

/**
 * Twilio webhook receiver on a function URL — Inbound messages (SMS/WhatsApp): answered with an empty TwiML <Response/>, since replies are sent by the platform, not by TwiML.
 * Verifies X-Twilio-Signature against the configured URL, enqueues, answers 200 (403 when unverifiable).
 */
export const handler = receiverFor('inbound');
