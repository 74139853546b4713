import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Twilio-Signature` verification with `node:crypto` only, so that webhook receivers can be bundled
 * without the `twilio` package.
 *
 * The URL is the receiver's configured canonical URL, never one rebuilt from request headers: behind a
 * function URL or a proxy the scheme, host, stage prefix and port seen by the function are not the ones
 * Twilio signed, and trusting headers would let a caller choose the URL being verified.
 *
 * Twilio's signer is inconsistent about the default port, so the URL is accepted with and without
 * `:443`/`:80`. The official SDK tries up to six URL forms on a mismatch; here a forged request costs at
 * most two HMACs: the URL as configured (what Twilio signs for URLs we register), then the other port form.
 */

/** Form parameters in arrival order; a repeated name appears once per value. */
export type FormParams = ReadonlyArray<readonly [name: string, value: string]>;

export interface SignedRequest {
  /**
   * Canonical URL of the receiver, e.g. `https://hooks.example.com/prod/twilio/status`; it may carry the
   * query itself when `rawQueryString` is not given.
   */
  readonly url: string;
  /** The query string exactly as received, without the `?`; empty or absent when there was none. */
  readonly rawQueryString?: string;
  /** Primary auth token of the account that owns the resource (the subaccount's, never the parent's). */
  readonly authToken: string;
  /** The `X-Twilio-Signature` header value; absent when the request carried none. */
  readonly signature: string | undefined;
}

export type SignatureFailure =
  | 'missing-signature'
  | 'malformed-signature'
  | 'signature-mismatch'
  | 'missing-body-hash'
  | 'unexpected-body-hash'
  | 'body-hash-mismatch';

/** `port` tells which URL form matched, so a metric can show what Twilio actually signs. */
export type SignatureCheck =
  | { readonly valid: true; readonly port: 'as-configured' | 'toggled' }
  | { readonly valid: false; readonly reason: SignatureFailure };

// Results are shared frozen constants: verification allocates nothing for its answer.
const VALID_AS_CONFIGURED: SignatureCheck = Object.freeze({ valid: true, port: 'as-configured' });
const VALID_TOGGLED: SignatureCheck = Object.freeze({ valid: true, port: 'toggled' });
const fail = (reason: SignatureFailure): SignatureCheck => Object.freeze({ valid: false, reason });
const MISSING_SIGNATURE = fail('missing-signature');
const MALFORMED_SIGNATURE = fail('malformed-signature');
const SIGNATURE_MISMATCH = fail('signature-mismatch');
const MISSING_BODY_HASH = fail('missing-body-hash');
const UNEXPECTED_BODY_HASH = fail('unexpected-body-hash');
const BODY_HASH_MISMATCH = fail('body-hash-mismatch');

/**
 * The canonical base64 of a 20-byte HMAC-SHA1: 27 characters, the last of which leaves its two padding
 * bits zero, then `=`. Refusing other spellings means exactly one header string is accepted per request.
 */
const SIGNATURE_SHAPE = /^[A-Za-z0-9+/]{26}[AEIMQUYcgkosw048]=$/;
const BODY_HASH_SHAPE = /^[0-9a-f]{64}$/;
const BODY_HASH_PARAM = 'bodySHA256=';
const NO_PARAMS: FormParams = Object.freeze([]);

function byNameThenValue(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/**
 * Names sorted in UTF-16 code-unit order, each followed by its value, a repeated name once per distinct
 * value in the same order. Identical repeated pairs count once: Twilio's signer collapses them, which is
 * why both twilio-node (`new Set`) and twilio-python (`sorted(set(values))`, #617) do.
 */
function paramsSuffix(params: FormParams): string {
  if (params.length === 0) return '';
  const sorted = params.length === 1 ? params : [...params].sort(byNameThenValue);
  let out = '';
  let previous: readonly [string, string] | undefined;
  for (const pair of sorted) {
    if (previous === undefined || byNameThenValue(previous, pair) !== 0) out += pair[0] + pair[1];
    previous = pair;
  }
  return out;
}

function hmac(authToken: string, data: string): Buffer {
  return createHmac('sha1', authToken).update(data, 'utf8').digest();
}

/**
 * The same URL with the scheme's default port removed if present, or added if absent; `undefined` for
 * a non-default port or an unknown scheme, where Twilio has no second form.
 */
export function withToggledDefaultPort(url: string): string | undefined {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) return undefined;
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  const defaultPort = scheme === 'https' ? '443' : scheme === 'http' ? '80' : undefined;
  if (defaultPort === undefined) return undefined;
  const authorityStart = schemeEnd + 3;
  let authorityEnd = url.length;
  for (let i = authorityStart; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */) {
      authorityEnd = i;
      break;
    }
  }
  // The port follows the last `@` (user info) and the closing `]` of an IPv6 literal.
  const hostStart = Math.max(authorityStart, url.lastIndexOf('@', authorityEnd - 1) + 1, url.lastIndexOf(']', authorityEnd - 1) + 1);
  const colon = url.indexOf(':', hostStart);
  if (colon === -1 || colon >= authorityEnd) return `${url.slice(0, authorityEnd)}:${defaultPort}${url.slice(authorityEnd)}`;
  if (url.slice(colon + 1, authorityEnd) === defaultPort) return url.slice(0, colon) + url.slice(authorityEnd);
  return undefined;
}

/**
 * Splits the request into the URL without its query and the raw query. The query normally comes from
 * the event as received; a `url` that already carries one is accepted when no raw query is given.
 */
function split(request: SignedRequest): [url: string, query: string] {
  if (request.rawQueryString) return [request.url, request.rawQueryString];
  const start = request.url.indexOf('?');
  return start === -1 ? [request.url, ''] : [request.url.slice(0, start), request.url.slice(start + 1)];
}

/** The raw value of the first `bodySHA256` parameter, or `undefined` when the query has none. */
function bodyHashParam(query: string): string | undefined {
  for (let start = 0; start < query.length; ) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (query.startsWith(BODY_HASH_PARAM, start)) return query.slice(start + BODY_HASH_PARAM.length, end);
    start = end + 1;
  }
  return undefined;
}

/**
 * Checks the header against at most two URL forms. The parameters are sorted only once the header has
 * the right shape, so a request without a usable signature costs neither a sort nor an HMAC.
 */
function checkSignature(request: SignedRequest, url: string, query: string, params: FormParams): SignatureCheck {
  const { signature, authToken } = request;
  if (typeof authToken !== 'string' || authToken.length === 0) {
    // A missing token is a lookup bug upstream; refusing loudly beats signing with an empty key.
    throw new TypeError('An auth token is required to verify a Twilio signature');
  }
  if (!signature) return MISSING_SIGNATURE;
  if (!SIGNATURE_SHAPE.test(signature)) return MALFORMED_SIGNATURE;
  const provided = Buffer.from(signature, 'base64');
  const tail = (query ? `?${query}` : '') + paramsSuffix(params);
  if (timingSafeEqual(hmac(authToken, url + tail), provided)) return VALID_AS_CONFIGURED;
  const toggled = withToggledDefaultPort(url);
  if (toggled !== undefined && timingSafeEqual(hmac(authToken, toggled + tail), provided)) return VALID_TOGGLED;
  return SIGNATURE_MISMATCH;
}

/**
 * A form-encoded webhook (messages, status callbacks): HMAC-SHA1 over the URL and the sorted parameters.
 * A URL carrying `bodySHA256` belongs to the body-hash scheme, whose signature covers no parameters; it is
 * refused here so that such a signature can never vouch for a form body.
 */
export function verifyFormSignature(request: SignedRequest & { readonly params: FormParams }): SignatureCheck {
  const [url, query] = split(request);
  if (bodyHashParam(query) !== undefined) return UNEXPECTED_BODY_HASH;
  return checkSignature(request, url, query, request.params);
}

/**
 * A webhook with a raw (JSON) body, e.g. Event Streams sinks: the signature covers the full URL only,
 * and the URL's `bodySHA256` must equal the SHA-256 of the raw bytes exactly as received.
 */
export function verifyJsonSignature(request: SignedRequest & { readonly rawBody: Uint8Array }): SignatureCheck {
  const [url, query] = split(request);
  const claimed = bodyHashParam(query);
  if (claimed === undefined) return MISSING_BODY_HASH;
  const check = checkSignature(request, url, query, NO_PARAMS);
  if (!check.valid) return check;
  if (!BODY_HASH_SHAPE.test(claimed)) return BODY_HASH_MISMATCH;
  const actual = createHash('sha256').update(request.rawBody).digest();
  return timingSafeEqual(actual, Buffer.from(claimed, 'hex')) ? check : BODY_HASH_MISMATCH;
}

/** The header value Twilio would send for this URL (with its query) and these form parameters. */
export function computeTwilioSignature(authToken: string, url: string, params: FormParams = []): string {
  return createHmac('sha1', authToken)
    .update(url + paramsSuffix(params), 'utf8')
    .digest('base64');
}

// ---------------------------------------------------------------------------------------------------
// Bodies

const PLUS = /\+/g;
// URL form decoding keeps a leading BOM; the default TextDecoder would strip it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** WHATWG percent-decoding for input `decodeURIComponent` refuses: stray `%` kept, invalid UTF-8 → U+FFFD. */
function decodeLeniently(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      bytes[n++] = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
      i += 2;
    } else {
      bytes[n++] = bytes[i];
    }
  }
  return utf8.decode(bytes.subarray(0, n));
}

function decodeComponent(raw: string): string {
  const s = raw.indexOf('+') === -1 ? raw : raw.replace(PLUS, ' ');
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return decodeLeniently(s);
  }
}

/**
 * Parses `application/x-www-form-urlencoded` like `URLSearchParams` (the WHATWG algorithm): arrival
 * order, repeated names and empty values kept, `+` as space, percent-decoding as UTF-8. Kept as pairs
 * rather than an object so no repeated value is lost before the signature is checked.
 */
export function parseFormBody(body: string | Uint8Array): Array<[string, string]> {
  const text = typeof body === 'string' ? body : utf8.decode(body);
  const out: Array<[string, string]> = [];
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const eq = text.indexOf('=', start);
      const split = eq !== -1 && eq < end;
      out.push([decodeComponent(text.slice(start, split ? eq : end)), split ? decodeComponent(text.slice(eq + 1, end)) : '']);
    }
    start = end + 1;
  }
  return out;
}

/** The raw bytes of a function URL / API Gateway event body, which Lambda may deliver base64-encoded. */
export function decodeEventBody(event: { readonly body?: string | null; readonly isBase64Encoded?: boolean }): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}
