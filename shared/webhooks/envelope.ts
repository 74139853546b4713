import { parseFormBody } from '../twilio/webhook-signature';

/**
 * What a consumer gets from a receiver's message: the webhook as Twilio sent it (the form body
 * parsed into ordered pairs with repeated names kept; Event Streams as the parsed JSON body) plus
 * the tenant it was verified for. Consumers trust `partnerId`/`customerId` because the receiver only enqueues
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
  /** The raw query string of the URL Twilio called (signed with it), e.g. `messageId=msg_…` on our status callbacks. */
  readonly query?: string;
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
 * The queue message layout: one JSON header line, a newline, then the webhook body exactly as Twilio
 * sent it (the form text, or the Event Streams JSON text):
 *
 *   {"kind":"inbound","accountSid":"AC…","partnerId":"ptn_…","customerId":"cus_…","receivedAt":1764149415250,"idempotencyToken":"…"}
 *   ToCountry=US&…&AccountSid=AC…&Body=STOP
 *
 * `JSON.stringify` never writes a raw newline, so the first one ends the header, and the body after
 * it needs no escaping: the receiver forwards the bytes it verified instead of re-encoding them on
 * Twilio's clock. `receivedAt` travels in epoch milliseconds (an ISO string is also read) and is
 * carried in the message rather than taken from SQS: a redriven message gets a new SentTimestamp,
 * and a STOP must keep its place before a later START.
 */

/**
 * The constant part of the header for one kind and tenant, left open for the per-webhook fields:
 * computed once per cached tenant, so a webhook costs no header serialisation.
 */
export function envelopeHeaderPrefix(kind: WebhookKind, tenant: { readonly accountSid: string; readonly partnerId: string; readonly customerId: string }): string {
  const { accountSid, partnerId, customerId } = tenant;
  return JSON.stringify({ kind, accountSid, partnerId, customerId }).slice(0, -1);
}

/** The message for a verified body: the header, closed after the acceptance time and the token, + `\n` + the body. */
export function formatEnvelope(headerPrefix: string, receivedAtMs: number, idempotencyToken: string | undefined, body: string, query?: string): string {
  const token = idempotencyToken === undefined ? '' : `,"idempotencyToken":${JSON.stringify(idempotencyToken)}`;
  const url = query ? `,"query":${JSON.stringify(query)}` : '';
  return `${headerPrefix},"receivedAt":${receivedAtMs}${token}${url}}\n${body}`;
}

function isoTime(value: unknown): string | undefined {
  if (isString(value)) return value;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? new Date(value).toISOString() : undefined;
}

/**
 * Parses a queue message. A single JSON object with `form` or `params` (the layout before the
 * header line) is still accepted, so messages queued before a deploy are not dead-lettered by it.
 * Anything else is a poison message: it throws, so the consumer reports it failed and SQS
 * eventually dead-letters it for inspection.
 */
export function parseEnvelope(message: string): WebhookEnvelope {
  const newline = message.indexOf('\n');
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(newline === -1 ? message : message.slice(0, newline)) as Record<string, unknown>;
  } catch {
    throw new MalformedEnvelopeError('The message header is not JSON');
  }
  if (!value || typeof value !== 'object') throw new MalformedEnvelopeError('The message header is not an object');
  const { kind, accountSid, partnerId, customerId, idempotencyToken } = value;
  const receivedAt = isoTime(value.receivedAt);
  if (!WEBHOOK_KINDS.includes(kind as WebhookKind) || !isString(accountSid) || !isString(partnerId) || !isString(customerId) || receivedAt === undefined) {
    throw new MalformedEnvelopeError('The message header is not a webhook envelope');
  }
  if (idempotencyToken !== undefined && !isString(idempotencyToken)) throw new MalformedEnvelopeError('idempotencyToken must be a string');
  if (value.query !== undefined && typeof value.query !== 'string') throw new MalformedEnvelopeError('query must be a string');
  value.receivedAt = receivedAt;

  if (newline !== -1) {
    const body = message.slice(newline + 1);
    if (kind === 'events') {
      try {
        value.events = JSON.parse(body);
      } catch {
        throw new MalformedEnvelopeError('An events envelope carries a JSON body');
      }
    } else {
      value.params = parseFormBody(body);
    }
  } else if (kind === 'events') {
    if (value.events === undefined) throw new MalformedEnvelopeError('An events envelope carries events');
  } else if (typeof value.form === 'string') {
    value.params = parseFormBody(value.form);
    delete value.form;
  } else if (!isPairs(value.params)) {
    throw new MalformedEnvelopeError('A form envelope carries params as name/value pairs');
  }
  return value as unknown as WebhookEnvelope;
}

/** The first value of a parameter of the webhook URL's query string, decoded. */
export function queryParam(query: string | undefined, name: string): string | undefined {
  if (!query) return undefined;
  return new URLSearchParams(query).get(name) ?? undefined;
}

/** The first value of a form parameter, as Twilio names it. */
export function param(params: FormPairs, name: string): string | undefined {
  for (const [n, v] of params) if (n === name) return v;
  return undefined;
}
