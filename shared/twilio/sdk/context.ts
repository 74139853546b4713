import type Twilio from 'twilio/lib/rest/Twilio';
import type { SubaccountCredentials } from '../gateway';
import { errorFromResponse } from '../errors';

/** What every area of the adapter needs: a client for given credentials, and the master's. */
export interface SdkContext {
  client(creds: SubaccountCredentials): Twilio;
  master(): Promise<Twilio>;
}

type Method = 'get' | 'post' | 'delete';

function parse(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * A raw call through the same client (same auth, base URL and retry), for JSON APIs where the
 * SDK's typings do not match the wire format. `client.request` sends no body unless a
 * Content-Type is set, and it does not throw on error statuses, so both are handled here.
 */
export async function requestJson<T>(client: Twilio, method: Method, uri: string, data?: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (data !== undefined) headers['Content-Type'] = 'application/json';
  const response = (await client.request({ method, uri, data, headers })) as { statusCode: number; body: unknown };
  const body = parse(response.body);
  if (response.statusCode >= 400) throw errorFromResponse(response.statusCode, body);
  return body as T;
}
