import type { RawResponse } from './gateway-responses';

/**
 * Turns a Lambda proxy result into the HTTP response, or undefined when the result is not a
 * valid proxy response (API Gateway then answers 502 "Malformed Lambda proxy response").
 * `headers` and `multiValueHeaders` are merged; a base64 body is decoded.
 */
export function fromProxyResult(result: unknown): RawResponse | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;

  const headers: Record<string, string | string[]> = {};
  const seen = new Map<string, string>();
  const add = (name: string, values: string[]) => {
    const key = seen.get(name.toLowerCase()) ?? name;
    seen.set(name.toLowerCase(), key);
    const existing = headers[key];
    headers[key] = existing === undefined ? values : [...(Array.isArray(existing) ? existing : [existing]), ...values];
  };
  if (r.multiValueHeaders && typeof r.multiValueHeaders === 'object') {
    for (const [name, values] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (Array.isArray(values)) add(name, values.map(String));
    }
  }
  if (r.headers && typeof r.headers === 'object') {
    for (const [name, value] of Object.entries(r.headers as Record<string, unknown>)) {
      if (value !== undefined && value !== null && !seen.has(name.toLowerCase())) add(name, [String(value)]);
    }
  }
  if (!seen.has('content-type')) headers['content-type'] = 'application/json';
  const body = typeof r.body === 'string' ? Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { statusCode: r.statusCode, headers, body };
}
