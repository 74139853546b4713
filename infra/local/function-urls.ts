import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { isTextMediaType, rawHeaderValues, readBody } from './http/body';
import type { RawResponse } from './api/gateway-responses';
import type { LambdaRuntime } from './lambda-runtime';
import { functionsOf, type LocalCatalog } from './local-catalog';

/** Lambda's synchronous invocation payload limit, which function URLs enforce. */
export const FUNCTION_URL_MAX_BODY_BYTES = 6 * 1024 * 1024;
/** Where function URLs are mounted on the local server: `${base}/webhooks/<name>` is the canonical URL. */
export const WEBHOOKS_PREFIX = '/webhooks';

/**
 * The catalog's `functionUrl` functions, one per name, each answering at `/webhooks/<name>` (and
 * below it) the way its own function URL would: payload format 2.0, auth type NONE.
 */
export function createFunctionUrls(local: LocalCatalog, runtime: LambdaRuntime) {
  const byName = new Map(functionsOf(local, 'functionUrl').map((fn) => [fn.trigger.name, fn]));

  /** Undefined when the path is not under a known function URL; null when the client went away. */
  return async function serve(req: IncomingMessage, path: string, rawQuery: string, sourceIp: string): Promise<RawResponse | null | undefined> {
    if (!path.startsWith(`${WEBHOOKS_PREFIX}/`)) return undefined;
    const [name, ...rest] = path.slice(WEBHOOKS_PREFIX.length + 1).split('/');
    const fn = byName.get(name ?? '');
    if (!fn) return undefined;

    const read = await readBody(req, FUNCTION_URL_MAX_BODY_BYTES);
    if (!read.ok) return read.reason === 'too-large' ? text(413, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation') : null;
    const event = functionUrlEvent(req, `/${rest.join('/')}`, rawQuery, read.body, sourceIp, fn.id, runtime.region);
    let result: unknown;
    try {
      result = await runtime.invoke(fn.id, event);
    } catch {
      return text(502, 'Internal Server Error');
    }
    return fromFunctionUrlResult(result) ?? text(502, 'Internal Server Error');
  };
}

function text(statusCode: number, body: string): RawResponse {
  return { statusCode, headers: { 'content-type': 'text/plain' }, body: Buffer.from(body) };
}

/**
 * Headers lower-cased with repeated values comma-joined, cookies split out, query values decoded
 * and comma-joined; the body base64-encoded unless it is text — form posts (all Twilio webhooks)
 * arrive base64-encoded, as they do on AWS.
 */
export function functionUrlEvent(
  req: IncomingMessage,
  rawPath: string,
  rawQueryString: string,
  body: Buffer,
  sourceIp: string,
  functionId: string,
  region: string,
): LambdaFunctionURLEvent {
  // Null-prototype maps: a header or parameter named `__proto__` is data, not a prototype change.
  const headers: Record<string, string> = Object.create(null);
  let cookies: string[] | undefined;
  for (const [lower, { values }] of rawHeaderValues(req)) {
    if (lower === 'cookie') cookies = values.flatMap((v) => v.split(';').map((c) => c.trim()).filter(Boolean));
    else headers[lower] = values.join(',');
  }
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(rawQueryString)) query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const contentType = headers['content-type'];
  const asText = body.length > 0 && isTextMediaType(contentType) && !/^application\/x-www-form-urlencoded/i.test(contentType ?? '');
  const now = Date.now();
  const urlId = functionId.replace(/[^a-z0-9]/gi, '').toLowerCase();
  const domainName = `${urlId}.lambda-url.${region}.on.aws`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: urlId,
      domainName,
      domainPrefix: urlId,
      http: { method: req.method ?? 'GET', path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !asText,
  };
}

/**
 * A structured result (`statusCode` present) is used as is; anything else is the body of a 200
 * JSON answer, as Lambda infers for function URLs.
 */
export function fromFunctionUrlResult(result: unknown): RawResponse | undefined {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const r = result as { statusCode: unknown; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: boolean; cookies?: unknown };
    if (typeof r.statusCode !== 'number' || r.statusCode < 100 || r.statusCode > 599) return undefined;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(r.headers ?? {})) if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    if (Array.isArray(r.cookies) && r.cookies.length) headers['set-cookie'] = r.cookies.map(String);
    const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
    return { statusCode: r.statusCode, headers, body };
  }
  const body = result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}
