import { receiverFor } from '../../shared/webhooks/default';

/**
 * Twilio webhook receiver on a function URL — TrustHub bundle status callbacks (a trigger to re-read the bundle).
 * Verifies X-Twilio-Signature against the configured URL, enqueues, answers 200 (403 when unverifiable).
 */
export const handler = receiverFor('trusthub');
