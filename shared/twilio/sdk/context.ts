import { Client } from 'twilio/lib/base/BaseTwilio';
import Domain from 'twilio/lib/base/Domain';
import Version from 'twilio/lib/base/Version';
import type { SubaccountCredentials } from '../gateway';
import { errorFromResponse } from '../errors';

/**
 * The SDK's base client: auth, the shared request client and `request`. The full client
 * (`twilio/lib/rest/Twilio`) would also carry every Twilio domain in every bundle.
 */
export type SdkClient = Client;

/** What every area of the adapter needs: a client for given credentials, and the master's. */
export interface SdkContext {
  client(creds: SubaccountCredentials): SdkClient;
  master(): Promise<SdkClient>;
}

/** The standard hosts; a sandbox base URL is applied below, by the request client's rewrite. */
export const TWILIO_HOSTS = {
  api: 'https://api.twilio.com',
  accounts: 'https://accounts.twilio.com',
  messaging: 'https://messaging.twilio.com',
  trusthub: 'https://trusthub.twilio.com',
  content: 'https://content.twilio.com',
  events: 'https://events.twilio.com',
} as const;

/**
 * One API version of a Twilio domain (e.g. api.twilio.com/2010-04-01) on a client, built once per
 * client. The SDK's generated domain and version classes (`Api`, `V2010`) require every resource
 * of their domain; the resource factories (`MessageListInstance(version, …)`) use only the base
 * `Version`'s request methods, so each area builds the base classes and imports just the
 * resource modules it calls. The factories are typed with the generated class, hence the cast.
 */
export function sdkVersion<V>(baseUrl: string, version: string): (client: SdkClient) => V {
  const built = new WeakMap<SdkClient, V>();
  return (client) => {
    let v = built.get(client);
    if (!v) {
      v = new Version(new Domain(client, baseUrl), version) as unknown as V;
      built.set(client, v);
    }
    return v;
  };
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
export async function requestJson<T>(client: SdkClient, method: Method, uri: string, data?: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (data !== undefined) headers['Content-Type'] = 'application/json';
  const response = (await client.request({ method, uri, data, headers })) as { statusCode: number; body: unknown };
  const body = parse(response.body);
  if (response.statusCode >= 400) throw errorFromResponse(response.statusCode, body);
  return body as T;
}
