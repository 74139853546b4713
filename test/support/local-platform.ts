import { randomUUID } from 'node:crypto';
import { silentLog } from '../../infra/local/log';
import { startPlatform, type Platform, type PlatformOptions } from '../../infra/local/platform';
import { ENDPOINT_VARIABLE } from '../integration/global-setup';
import { validCustomer } from './fixtures';

/**
 * Starting a platform loads the handler modules once (ts-jest compiles them), and every test file
 * shares one DynamoDB Local: on a loaded machine a test can take several times its usual time. The
 * bound only catches hangs; nothing here asserts speed.
 */
jest.setTimeout(60_000);

/**
 * A platform for one test file: its own table in the run's DynamoDB Local, a random port, no
 * background polling, quiet logs. Everything else is the real thing.
 */
export async function startTestPlatform(name: string, options: PlatformOptions = {}): Promise<Platform> {
  const endpoint = process.env[ENDPOINT_VARIABLE];
  if (!endpoint) throw new Error(`${ENDPOINT_VARIABLE} is not set: run through the integration project (its global setup starts DynamoDB Local)`);
  return startPlatform({
    port: 0,
    dynamoDbEndpoint: endpoint,
    tableName: `it-${name}-${randomUUID().slice(0, 8)}`,
    twilio: 'none',
    log: silentLog,
    ...options,
  });
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A tiny HTTP client over fetch: JSON in, parsed JSON (or text) out, the key as a Bearer token. */
export function apiClient(baseUrl: string, apiKey?: string) {
  async function request<T = any>(method: string, path: string, init: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
    let body: string | Buffer | undefined;
    if (init.raw !== undefined) body = init.raw;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers: { ...headers, ...init.headers }, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
  return {
    request,
    get: <T = any>(path: string, headers?: Record<string, string>) => request<T>('GET', path, { headers }),
    post: <T = any>(path: string, body: unknown, headers?: Record<string, string>) => request<T>('POST', path, { body, headers }),
    patch: <T = any>(path: string, body: unknown, headers?: Record<string, string>) => request<T>('PATCH', path, { body, headers }),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** One event of the partner's log, as `GET /v1/events` answers it. */
export interface LoggedEvent {
  id: string;
  type: string;
  customerId?: string;
  occurredAt: string;
  data: Record<string, any>;
}

/** The partner's whole event log, paged through with its cursor. */
export async function partnerEventLog(api: ApiClient): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let after: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const reply = await api.get(`/v1/events?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    if (reply.status !== 200) throw new Error(`GET /v1/events answered ${reply.status}`);
    events.push(...reply.body.data);
    if (reply.body.nextCursor === null) return events;
    after = reply.body.nextCursor;
  }
  throw new Error('the event log did not end');
}

/** A customer body the API accepts (the shared fixture, as plain JSON); override any field. */
export function customerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(validCustomer() as unknown as Record<string, unknown>), ...overrides };
}

/** Asserts an RFC 9457 problem answer and returns its body. */
export function expectProblem(reply: Reply, status: number): { type: string; title: string; status: number; detail: string; errors?: { field: string; message: string }[] } {
  expect({ status: reply.status, contentType: reply.headers.get('content-type') }).toEqual({ status, contentType: 'application/problem+json' });
  expect(reply.body).toMatchObject({ type: expect.stringMatching(/^https:\/\//), title: expect.any(String), status, detail: expect.any(String) });
  return reply.body;
}
