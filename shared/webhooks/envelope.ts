import { parseFormBody } from '../twilio/webhook-signature';

/**
 * What a receiver enqueues: the webhook as Twilio sent it (the raw form body, parsed here into
 * ordered pairs with repeated names kept; Event Streams as the parsed JSON body) plus the tenant it
 * was verified for. Consumers trust `partnerId`/`customerId` because the receiver only enqueues
 * after the signature matched the token of exactly that tenant's subaccount.
 */
export type WebhookKind = 'inbound' | 'status' | 'events' | 'trusthub';
export const WEBHOOK_KINDS: readonly WebhookKind[] = ['inbound', 'status', 'events', 'trusthub'];

export type FormPairs = Array<[name: string, value: string]>;

interface EnvelopeBase {
  readonly accountSid: string;
  readonly partnerId: string;
  readonly customerId: string;
  /** `I-Twilio-Idempotency-Token`: the same on Twilio's retries of one delivery. */
  readonly idempotencyToken?: string;
  /** ISO-8601 time the receiver accepted the webhook. */
  readonly receivedAt: string;
}

export interface FormEnvelope extends EnvelopeBase {
  readonly kind: 'inbound' | 'status' | 'trusthub';
  readonly params: FormPairs;
}

export interface EventsEnvelope extends EnvelopeBase {
  readonly kind: 'events';
  /** The JSON body: an array of CloudEvents, or a single one. */
  readonly events: unknown;
}

export type WebhookEnvelope = FormEnvelope | EventsEnvelope;

export class MalformedEnvelopeError extends Error {
  override readonly name = 'MalformedEnvelopeError';
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function isPairs(v: unknown): v is FormPairs {
  return Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
}

/**
 * Parses a queue message body. Form webhooks arrive as the raw verified body (`form`) and are
 * parsed here, repeated names kept; `params` pairs (the earlier layout) are still accepted so
 * messages queued before a deploy are not dead-lettered by it. A body that is not an envelope is a poison message: it throws, so
 * the consumer reports it failed and SQS eventually dead-letters it for inspection.
 */
export function parseEnvelope(body: string): WebhookEnvelope {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new MalformedEnvelopeError('The message body is not JSON');
  }
  if (!value || typeof value !== 'object') throw new MalformedEnvelopeError('The message body is not an object');
  const { kind, accountSid, partnerId, customerId, receivedAt, idempotencyToken } = value;
  if (!WEBHOOK_KINDS.includes(kind as WebhookKind) || !isString(accountSid) || !isString(partnerId) || !isString(customerId) || !isString(receivedAt)) {
    throw new MalformedEnvelopeError('The message body is not a webhook envelope');
  }
  if (idempotencyToken !== undefined && !isString(idempotencyToken)) throw new MalformedEnvelopeError('idempotencyToken must be a string');
  if (kind === 'events') {
    if (value.events === undefined) throw new MalformedEnvelopeError('An events envelope carries events');
  } else if (typeof value.form === 'string') {
    value.params = parseFormBody(value.form);
    delete value.form;
  } else if (!isPairs(value.params)) {
    throw new MalformedEnvelopeError('A form envelope carries params as name/value pairs');
  }
  return value as unknown as WebhookEnvelope;
}

/** The first value of a form parameter, as Twilio names it. */
export function param(params: FormPairs, name: string): string | undefined {
  for (const [n, v] of params) if (n === name) return v;
  return undefined;
}
