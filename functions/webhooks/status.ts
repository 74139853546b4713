import { receiverFor } from '../../shared/webhooks/default';

/**
 * Twilio webhook receiver on a function URL — Message status callbacks.
 * Verifies X-Twilio-Signature against the configured URL, enqueues, answers 200 (403 when unverifiable).
 */
export const handler = receiverFor('status');
