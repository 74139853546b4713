import type { TokenCache } from '../crypto/token-cache';
import type { QueuePort } from '../queue/port';
import type { QueueName } from '../queue/queues';
import {
  decodeEventBody,
  parseFormBody,
  verifyFormSignature,
  verifyJsonSignature,
  type SignatureCheck,
  type SignatureFailure,
} from '../twilio/webhook-signature';
import { envelopeHeaderPrefix, formatEnvelope, type WebhookKind } from './envelope';
import { acceptsPrevious, type TenantCache, type WebhookTenant } from './tenants';

/** The parts of a Lambda function URL (payload 2.0) event a receiver reads. */
export interface FunctionUrlRequest {
  readonly rawQueryString?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type RejectReason = SignatureFailure | 'unknown-account' | 'malformed-body';

export interface ReceiverOptions {
  readonly kind: WebhookKind;
  /** Form-encoded (messages, status, TrustHub) or a raw JSON body signed through `bodySHA256` (Event Streams). */
  readonly format: 'form' | 'json';
  /**
   * `${base}/<name>`: what Twilio was told to call, hence what it signed. Resolved per request (in
   * AWS the base is a cached parameter read); a failure answers 500, never an unverified 200.
   */
  readonly url: () => Promise<string>;
  readonly queueName: QueueName;
  readonly queue: QueuePort;
  readonly tenants: Pick<TenantCache, 'get' | 'refresh'> & Partial<Pick<TenantCache, 'peek'>>;
  readonly tokens: Pick<TokenCache, 'get'> & Partial<Pick<TokenCache, 'peek'>>;
  /**
   * Decrypted previous tokens (during and just after a rotation), in a cache of their own: the token
   * cache holds one entry per account, so sharing it would make the two tokens evict each other.
   */
  readonly previousTokens: Pick<TokenCache, 'get'> & Partial<Pick<TokenCache, 'peek'>>;
  /** Counts a refusal (the `WebhookRejected` metric, by reason). */
  readonly rejected: (reason: RejectReason) => void;
  /**
   * Records a refusal of a request whose AccountSid is a known subaccount, for its partner to see
   * (see `createRefusalRecorder`); never called for a request that names no tenant. Must not throw.
   */
  readonly refused?: (tenant: WebhookTenant, reason: RejectReason) => Promise<void>;
  /** Reports a failure that made the receiver answer 5xx. */
  readonly failed: (stage: 'url' | 'lookup' | 'enqueue', error: unknown) => void;
  readonly now?: () => number;
}

// Answers are constants: the hot path allocates no response objects.
const EMPTY_XML_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const OK_TWIML: FunctionUrlResponse = Object.freeze({ statusCode: 200, headers: Object.freeze({ 'content-type': 'text/xml' }), body: EMPTY_XML_RESPONSE });
const OK_EMPTY: FunctionUrlResponse = Object.freeze({ statusCode: 200, body: '' });
const FORBIDDEN: FunctionUrlResponse = Object.freeze({ statusCode: 403, body: '' });
const BAD_REQUEST: FunctionUrlResponse = Object.freeze({ statusCode: 400, body: '' });
const METHOD_NOT_ALLOWED: FunctionUrlResponse = Object.freeze({ statusCode: 405, headers: Object.freeze({ allow: 'POST' }), body: '' });
// Twilio retries on a 5xx only with `#rp=5xx`/`all`, but it logs 11200 and uses the fallback URL either way.
const UNAVAILABLE: FunctionUrlResponse = Object.freeze({ statusCode: 500, body: '' });

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
const QUERY_ACCOUNT = 'accountSid=';

/** The raw value of the first `accountSid` query parameter (Event Streams sinks name their account in the URL). */
function queryAccountSid(query: string | undefined): string | undefined {
  if (!query) return undefined;
  for (let start = 0; start < query.length; ) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (query.startsWith(QUERY_ACCOUNT, start)) return query.slice(start + QUERY_ACCOUNT.length, end);
    start = end + 1;
  }
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function formAccountSid(params: ReadonlyArray<readonly [string, string]>): string | undefined {
  for (let i = 0; i < params.length; i++) if (params[i]![0] === 'AccountSid') return params[i]![1];
  return undefined;
}

/**
 * One Twilio webhook receiver: verify → enqueue → 200, in that order and nothing else.
 *
 * Primary course: POST only → decode the (possibly base64) body → find the AccountSid (form field, or
 * the sink URL's `accountSid` for JSON) → the canonical URL (its base cached) → the subaccount row and its decrypted primary token (both
 * cached) → `X-Twilio-Signature` over the configured URL plus the raw query → enqueue the verified
 * body as received under a header naming the tenant (see `formatEnvelope`) → 200. Anything unverifiable is 403 with nothing enqueued; a failure of
 * our own (store, key service, queue) is 5xx so that nothing is acknowledged and lost.
 */
export function createReceiver(options: ReceiverOptions): (event: FunctionUrlRequest) => Promise<FunctionUrlResponse> {
  const { kind, format, url, queueName, queue, tenants, tokens, previousTokens, rejected, refused, failed, now = Date.now } = options;
  const ok = kind === 'inbound' ? OK_TWIML : OK_EMPTY;
  // Keyed by the cached tenant object: one header serialisation per tenant load, none per webhook.
  const headerPrefixes = new WeakMap<WebhookTenant, string>();
  const headerPrefix = (tenant: WebhookTenant): string => {
    let prefix = headerPrefixes.get(tenant);
    if (prefix === undefined) headerPrefixes.set(tenant, (prefix = envelopeHeaderPrefix(kind, tenant)));
    return prefix;
  };

  const reject = (reason: RejectReason): FunctionUrlResponse => {
    rejected(reason);
    return reason === 'malformed-body' ? BAD_REQUEST : FORBIDDEN;
  };
  /** A refusal its tenant's partner is told of. */
  const rejectFor = async (tenant: WebhookTenant, reason: RejectReason): Promise<FunctionUrlResponse> => {
    const response = reject(reason);
    await refused?.(tenant, reason);
    return response;
  };

  function verify(url: string, authToken: string, event: FunctionUrlRequest, signature: string, params: Array<[string, string]> | undefined, body: Buffer): SignatureCheck {
    const rawQueryString = event.rawQueryString;
    return params
      ? verifyFormSignature({ url, rawQueryString, authToken, signature, params })
      : verifyJsonSignature({ url, rawQueryString, authToken, signature, rawBody: body });
  }

  /** A mismatch with the primary, checked again with the previous token while it is still genuine. */
  async function verifyPrevious(url: string, tenant: WebhookTenant, check: SignatureCheck, event: FunctionUrlRequest, signature: string, params: Array<[string, string]> | undefined, body: Buffer): Promise<SignatureCheck> {
    if (check.valid || check.reason !== 'signature-mismatch' || !acceptsPrevious(tenant, now())) return check;
    const previous = previousTokens.peek?.(tenant.previousEncryptedAuthToken, tenant) ?? (await previousTokens.get(tenant.previousEncryptedAuthToken, tenant));
    const again = verify(url, previous, event, signature, params, body);
    return again.valid ? again : check;
  }

  return async function receive(event) {
    if (event.requestContext?.http?.method !== 'POST') return METHOD_NOT_ALLOWED;
    const headers = event.headers ?? {};
    const signature = headers['x-twilio-signature'];
    // Refused before any lookup: a request without a signature must not cost a read or a decrypt.
    if (!signature) return reject('missing-signature');

    const body = decodeEventBody(event);
    // Form bodies are text: decoded once, for the parser and for the queued message alike.
    const form = format === 'form' ? body.toString('utf8') : undefined;
    const params = form !== undefined ? parseFormBody(form) : undefined;
    const accountSid = (params && formAccountSid(params)) ?? queryAccountSid(event.rawQueryString);
    if (accountSid === undefined || !ACCOUNT_SID.test(accountSid)) return reject('unknown-account');

    let signedUrl: string;
    try {
      signedUrl = await url();
    } catch (error) {
      failed('url', error);
      return UNAVAILABLE;
    }

    let check: SignatureCheck;
    let tenant: WebhookTenant | undefined;
    try {
      // Warm path without further awaits: both caches answer synchronously when they hold fresh values.
      tenant = tenants.peek?.(accountSid) ?? (await tenants.get(accountSid));
      if (tenant === undefined) return reject('unknown-account');
      const token = tokens.peek?.(tenant.encryptedAuthToken, tenant) ?? (await tokens.get(tenant.encryptedAuthToken, tenant));
      check = verify(signedUrl, token, event, signature, params, body);
      // Mid-rotation Twilio still signs with the replaced token: tried next, from memory, before any re-read.
      if (!check.valid && tenant.previousEncryptedAuthToken !== undefined) check = await verifyPrevious(signedUrl, tenant, check, event, signature, params, body);
      if (!check.valid && check.reason === 'signature-mismatch') {
        // The cached row may predate a token rotation: one bounded re-read, then verify again.
        const fresh = await tenants.refresh(accountSid);
        if (fresh !== undefined && (fresh.encryptedAuthToken !== tenant.encryptedAuthToken || fresh.previousEncryptedAuthToken !== tenant.previousEncryptedAuthToken)) {
          tenant = fresh;
          check = verify(signedUrl, await tokens.get(fresh.encryptedAuthToken, fresh), event, signature, params, body);
          check = await verifyPrevious(signedUrl, fresh, check, event, signature, params, body);
        }
      }
    } catch (error) {
      failed('lookup', error);
      return UNAVAILABLE;
    }
    if (!check.valid) return rejectFor(tenant, check.reason);

    // The verified body travels as it came (see the envelope layout): no re-encoding on Twilio's clock.
    const text = form ?? body.toString('utf8');
    // Event Streams bodies are parsed once here so that a malformed one is refused now, not dead-lettered later.
    if (form === undefined && !isJson(text)) return rejectFor(tenant, 'malformed-body');
    // A status callback's query names our message (its URL is ours per message); no other kind needs it.
    const query = kind === 'status' ? event.rawQueryString || undefined : undefined;
    const message = formatEnvelope(headerPrefix(tenant), now(), headers['i-twilio-idempotency-token'] || undefined, text, query);

    try {
      await queue.send(queueName, message);
    } catch (error) {
      failed('enqueue', error);
      return UNAVAILABLE;
    }
    return ok;
  };
}
