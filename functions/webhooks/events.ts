import { receiverFor } from '../../shared/webhooks/default';

/**
 * Twilio webhook receiver on a function URL — Event Streams webhook sink (JSON CloudEvents signed through bodySHA256; the sink URL names the account).
 * Verifies X-Twilio-Signature against the configured URL, enqueues, answers 200 (403 when unverifiable).
 */
export const handler = receiverFor('events');
