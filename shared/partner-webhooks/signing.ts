import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Standard Webhooks secrets are `whsec_` + base64 of 24–64 random bytes; we use 32. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export const USER_AGENT = 'Switchboard-Webhooks/1.0';

/** `v1,<signature>` per secret, space-separated (during a rotation the receiver may hold either secret). */
export function signatureHeader(secrets: readonly string[], messageId: string, timestamp: Date, body: string): string {
  if (secrets.length === 0) throw new Error('An endpoint has no live signing secret');
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}

/** The request headers of one attempt: the Standard Webhooks three, the content type and who we are. */
export function webhookHeaders(secrets: readonly string[], messageId: string, timestamp: Date, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatureHeader(secrets, messageId, timestamp, body),
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
  };
}
