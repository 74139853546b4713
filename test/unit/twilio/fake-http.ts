/**
 * Replaces the SDK's HTTP layer (the parent of our request client) with scripted answers, so
 * rewrite, retry and error mapping run for real with no network and no waiting.
 */
import RequestClient from 'twilio/lib/base/RequestClient';

export type Scripted = { statusCode: number; body?: unknown } | Error;

export interface FakeHttp {
  calls: Array<{ method: string; uri: string; headers: Record<string, unknown> }>;
  restore(): void;
}

export function scriptHttp(...answers: Scripted[]): FakeHttp {
  const calls: FakeHttp['calls'] = [];
  const spy = jest.spyOn(RequestClient.prototype, 'request').mockImplementation(async (opts) => {
    calls.push({ method: opts.method, uri: opts.uri, headers: { ...(opts.headers ?? {}) } });
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (!next) throw new Error('no scripted answer');
    if (next instanceof Error) throw next;
    return { statusCode: next.statusCode, body: next.body ?? {}, headers: {} };
  });
  return { calls, restore: () => spy.mockRestore() };
}

export function networkError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}
