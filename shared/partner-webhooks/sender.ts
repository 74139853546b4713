import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PinnedTarget } from './url-guard';

export interface AttemptResponse {
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  durationMs: number;
  /** Why the attempt is not a success, as a short sentence for the deliveries log; absent on a 2xx. */
  error?: string;
  /** The response's `Retry-After`, in seconds from its arrival. */
  retryAfterSeconds?: number;
  /** No complete answer within the timeout: the request was abandoned (the receiver may have it). */
  timedOut?: true;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** What is read of a response before it is dropped: receivers' bodies are never stored. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Agents kept per warm function; the least recently used one goes beyond this. */
const MAX_AGENTS = 1_000;
/** Connections to one target at most; the delivery service runs no more attempts per endpoint at once. */
export const SOCKETS_PER_TARGET = 50;

/**
 * One keep-alive agent per pinned (scheme, address, port, host name): deliveries to one endpoint
 * reuse their connections, and a connection is never shared by two host names (TLS is per name).
 */
const agents = new Map<string, http.Agent>();
function agentFor(target: PinnedTarget): http.Agent {
  const key = `${target.url.protocol}//${target.address}:${target.port}/${target.hostname}`;
  let agent = agents.get(key);
  if (agent) {
    agents.delete(key);
    agents.set(key, agent);
    return agent;
  }
  if (agents.size >= MAX_AGENTS) {
    const [leastRecentKey, leastRecent] = agents.entries().next().value as [string, http.Agent];
    leastRecent.destroy();
    agents.delete(leastRecentKey);
  }
  // The connection goes to the address the guard checked, whatever DNS says now; the host name is
  // still the TLS server name and what the certificate is checked against.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const options = { keepAlive: true, maxSockets: SOCKETS_PER_TARGET, lookup: pinned };
  agent = target.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  agents.set(key, agent);
  return agent;
}

/** All three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with the day's name. */
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)/;

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterOf(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const at = HTTP_DATE.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A network error as a short sentence for the deliveries log (never the request or the response). */
function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT') || /certificate|SSL|TLS/i.test(error.message)) return `TLS: ${error.message}`;
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

const statusError = (status: number): string | undefined =>
  status >= 300 && status < 400 ? `redirect not followed (HTTP ${status})` : status < 200 || status >= 300 ? `HTTP ${status}` : undefined;

/**
 * One POST to a pinned target: `timeoutMs` (10 s) for everything from the moment it has a
 * socket — connect, TLS, headers and the read of the answer —, redirects never followed (a 3xx is a status like any other), at most
 * 64 KiB of the answer read, then dropped. `now` is the clock in epoch milliseconds: durations and
 * `Retry-After` dates are measured on it.
 */
export function postJson(target: PinnedTarget, headers: Record<string, string>, body: string, options: { timeoutMs?: number; now?: () => number } = {}): Promise<AttemptResponse> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, now = Date.now } = options;
  const started = now();
  const request = target.url.protocol === 'https:' ? https.request : http.request;
  return new Promise<AttemptResponse>((resolve) => {
    let settled = false;
    const finish = (response: Omit<AttemptResponse, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...response, durationMs: now() - started });
    };
    const req = request(target.url, { method: 'POST', agent: agentFor(target), headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const status = res.statusCode ?? 0;
      const error = statusError(status);
      const retryAfterSeconds = retryAfterOf(res.headers['retry-after'], now());
      const done = () => finish({ status, ...(error ? { error } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        // Enough of it: the connection goes (it cannot be reused mid-body), the status stands.
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    // The timeout is the receiver's: it runs from the moment the request has its socket, not
    // while it waits for one of the endpoint's pooled connections to come free.
    let timer: NodeJS.Timeout | undefined;
    req.once('socket', () => {
      if (settled) return;
      timer = setTimeout(() => {
        finish({ error: `timeout after ${timeoutMs / 1000} s`, timedOut: true });
        req.destroy();
      }, timeoutMs);
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: describe(error) }));
    req.end(body);
  });
}
