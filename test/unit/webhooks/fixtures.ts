import { createHash, randomBytes } from 'node:crypto';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { createLocalKeyService, createTokenCache, type KeyService, type TokenContext } from '../../../shared/crypto';
import type { QueuePort } from '../../../shared/queue';
import type { WebhookKind } from '../../../shared/webhooks/envelope';
import { createReceiver, type RejectReason } from '../../../shared/webhooks/receiver';
import { WEBHOOK_ROUTES, webhookUrl } from '../../../shared/webhooks/routes';
import { createTenantCache, type WebhookTenant } from '../../../shared/webhooks/tenants';

export const BASE_URL = 'https://hooks.example.com/prod/twilio';
export const SUB_SID = 'AC0123456789abcdef0123456789abcdef';
export const OTHER_SID = 'ACfedcba9876543210fedcba9876543210';
export const SUB_TOKEN = '9f4e2b1c7a3d5e6f8091a2b3c4d5e6f7';
export const OTHER_TOKEN = '1a2b3c4d5e6f70819293a4b5c6d7e8f9';
export const PARENT_TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';

export type Pairs = Array<[string, string]>;

/** An inbound SMS as Twilio posts it, with empty values. */
export function inboundParams(overrides: Pairs = []): Pairs {
  const params: Pairs = [
    ['ToCountry', 'US'], ['ToState', ''], ['SmsMessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['NumMedia', '0'],
    ['ToCity', ''], ['FromZip', ''], ['SmsSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['SmsStatus', 'received'],
    ['Body', 'Hello — can I book for 2? ✓ a+b&c=d'], ['FromCountry', 'US'], ['To', '+14155550100'],
    ['MessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['AccountSid', SUB_SID], ['From', '+14155550199'], ['ApiVersion', '2010-04-01'],
  ];
  return [...params, ...overrides];
}

/** Twilio's signature with the official SDK helper (repeated names as arrays). */
export function sign(token: string, url: string, params: Pairs = []): string {
  const grouped: Record<string, string | string[]> = {};
  for (const [n, v] of params) {
    const existing = grouped[n];
    grouped[n] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  return getExpectedTwilioSignature(token, url, grouped);
}

export const formBody = (params: Pairs) => new URLSearchParams(params).toString();
export const sha256 = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

export interface EventInit {
  body?: string;
  base64?: boolean;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  method?: string;
}

/** A Lambda function URL (payload 2.0) event, as AWS delivers form posts: base64 by default, headers lower-cased. */
export function functionUrlEvent({ body = '', base64 = true, rawQueryString = '', headers = {}, method = 'POST' }: EventInit): LambdaFunctionURLEvent {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) clean[k.toLowerCase()] = v;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1', ...clean },
    requestContext: {
      accountId: 'anonymous', apiId: 'x', domainName: 'x.lambda-url.us-east-1.on.aws', domainPrefix: 'x',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'TwilioProxy/1.1' },
      requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0,
    },
    ...(body ? { body: base64 ? Buffer.from(body, 'utf8').toString('base64') : body } : {}),
    isBase64Encoded: Boolean(body) && base64,
  };
}

/** A signed form webhook of `kind`, signed over `signedUrl` (default: the canonical URL). */
export function signedForm(kind: WebhookKind, params: Pairs, init: { token?: string; signedUrl?: string; signedParams?: Pairs; base64?: boolean; rawQueryString?: string; idempotencyToken?: string } = {}) {
  const query = init.rawQueryString ? `?${init.rawQueryString}` : '';
  const url = init.signedUrl ?? webhookUrl(BASE_URL, kind) + query;
  return functionUrlEvent({
    body: formBody(params),
    base64: init.base64,
    rawQueryString: init.rawQueryString,
    headers: { 'X-Twilio-Signature': sign(init.token ?? SUB_TOKEN, url, init.signedParams ?? params), 'I-Twilio-Idempotency-Token': init.idempotencyToken ?? 'idem-1' },
  });
}

/** A signed Event Streams delivery: the sink URL names the account, Twilio appends bodySHA256 and signs the URL. */
export function signedEvents(body: string, init: { token?: string; accountSid?: string; hashOf?: string } = {}) {
  const rawQueryString = `accountSid=${init.accountSid ?? SUB_SID}&bodySHA256=${sha256(init.hashOf ?? body)}`;
  const url = `${webhookUrl(BASE_URL, 'events')}?${rawQueryString}`;
  return functionUrlEvent({
    body,
    base64: false,
    rawQueryString,
    headers: { 'content-type': 'application/json', 'X-Twilio-Signature': sign(init.token ?? SUB_TOKEN, url), 'I-Twilio-Idempotency-Token': 'idem-ev' },
  });
}

export interface Harness {
  receive: ReturnType<typeof createReceiver>;
  sent: Array<{ queue: string; body: string }>;
  rejected: RejectReason[];
  /** Refusals recorded for a tenant (the request named a known subaccount). */
  refused: Array<{ accountSid: string; customerId: string; reason: RejectReason }>;
  failures: string[];
  decrypts: () => number;
  lookups: () => number;
  tenants: Map<string, WebhookTenant>;
  keys: KeyService;
  advance(ms: number): void;
  /** The receivers' clock, in epoch ms. */
  now(): number;
}

/**
 * A receiver with the production collaborators except the cloud: the local key service (real
 * AES-GCM with the tenant context), the real token and tenant caches, an in-memory tenant table and
 * queue. Tokens are encrypted for their tenant, as the subaccount service stores them.
 */
export async function harness(kind: WebhookKind, options: { failQueue?: boolean; failLookup?: boolean; failUrl?: boolean; ttlSeconds?: number } = {}): Promise<Harness> {
  const local = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });
  let decrypts = 0;
  let lookups = 0;
  let clock = 1_750_000_000_000;
  const keys: KeyService = { encrypt: local.encrypt, decrypt: (c, ctx) => (decrypts++, local.decrypt(c, ctx)) };
  const tenants = new Map<string, WebhookTenant>();
  const add = async (context: TokenContext, token: string) => tenants.set(context.accountSid, { ...context, encryptedAuthToken: await local.encrypt(token, context) });
  await add({ accountSid: SUB_SID, partnerId: 'ptn_A', customerId: 'cus_A' }, SUB_TOKEN);
  await add({ accountSid: OTHER_SID, partnerId: 'ptn_B', customerId: 'cus_B' }, OTHER_TOKEN);

  const sent: Harness['sent'] = [];
  const queue: QueuePort = {
    async send(name, body) {
      if (options.failQueue) throw new Error('SQS unavailable');
      sent.push({ queue: name, body });
    },
    async sendBatch() {
      throw new Error('receivers send one message per webhook');
    },
  };
  const rejected: RejectReason[] = [];
  const refused: Harness['refused'] = [];
  const failures: string[] = [];
  const now = () => clock;
  const ttlSeconds = options.ttlSeconds ?? 300;
  const receive = createReceiver({
    kind,
    format: WEBHOOK_ROUTES[kind].format,
    url: async () => {
      if (options.failUrl) throw new Error('The webhook base URL could not be read from SSM parameter /switchboard/test/webhook-base-url');
      return webhookUrl(BASE_URL, kind);
    },
    queueName: WEBHOOK_ROUTES[kind].queue,
    queue,
    tenants: createTenantCache({
      ttlSeconds,
      now,
      lookup: async (sid) => {
        lookups++;
        if (options.failLookup) throw new Error('DynamoDB unavailable');
        const t = tenants.get(sid);
        return t && { ...t };
      },
    }),
    tokens: createTokenCache({ keys, ttlSeconds, now }),
    previousTokens: createTokenCache({ keys, ttlSeconds, now }),
    rejected: (reason) => rejected.push(reason),
    refused: async (tenant, reason) => void refused.push({ accountSid: tenant.accountSid, customerId: tenant.customerId, reason }),
    failed: (stage) => failures.push(stage),
    now,
  });
  return { receive, sent, rejected, refused, failures, decrypts: () => decrypts, lookups: () => lookups, tenants, keys, advance: (ms) => void (clock += ms), now };
}
