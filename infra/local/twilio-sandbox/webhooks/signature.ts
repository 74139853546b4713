import { createHash, createHmac } from 'node:crypto';

/**
 * Twilio's X-Twilio-Signature: HMAC-SHA1 with the owning account's primary auth token over the exact
 * URL, followed, for form bodies, by every parameter name and value in sorted name order.
 */
export function signForm(authToken: string, url: string, params: Record<string, string | string[]>): string {
  const data = Object.keys(params)
    .sort()
    .map((name) => {
      const value = params[name];
      const values = Array.isArray(value) ? [...value].sort() : [value];
      return values.map((v) => name + v).join('');
    })
    .join('');
  return hmac(authToken, url + data);
}

/** JSON bodies: the body's SHA-256 joins the URL as `bodySHA256`, and only the URL is signed. */
export function urlWithBodyHash(url: string, rawBody: string): string {
  const hash = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
}

export function signUrl(authToken: string, url: string): string {
  return hmac(authToken, url);
}

function hmac(key: string, data: string): string {
  return createHmac('sha1', key).update(Buffer.from(data, 'utf8')).digest('base64');
}
