import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PinnedTarget } from './url-guard';

export interface AttemptResponse {
  status?: number;
  durationMs: number;
  error?: string;
  retryAfterSeconds?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** What is read of a response before it is dropped: receivers' bodies are never stored. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_AGENTS = 1_000;

/** One keep-alive agent per pinned (scheme, address, port, host name): deliveries to one endpoint reuse their connections. */
const agents = new Map<string, http.Agent>();
function agentFor(target: PinnedTarget): http.Agent {
  const key = `${target.url.protocol}//${target.address}:${target.port}/${target.hostname}`;
  let agent = agents.get(key);
  if (!agent) {
    if (agents.size >= MAX_AGENTS) {
      const [oldestKey, oldest] = agents.entries().next().value as [string, http.Agent];
      oldest.destroy();
      agents.delete(oldestKey);
    }
    // The connection goes to the address the guard checked, whatever DNS says now.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const options = { keepAlive: true, maxSockets: 50, lookup: pinned };
    agent = target.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterOf(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A network error as a short sentence for the deliveries log (never the request or response). */
function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if (error.code?.startsWith('ERR_TLS') || /certificate|SSL|TLS/i.test(error.message)) return `TLS: ${error.message}`;
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

/**
 * One POST to a pinned target: 10 s for everything (connect, TLS, answer), redirects never
 * followed (a 3xx is a status like any other), at most 64 KiB of the answer read and dropped.
 * The certificate is checked against the URL's host name: only the address lookup is pinned.
 */
export function postJson(target: PinnedTarget, headers: Record<string, string>, body: string, options: { timeoutMs?: number; now?: () => number } = {}): Promise<AttemptResponse> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, now = () => performance.now() } = options;
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
    const req = request(
      target.url,
      { method: 'POST', agent: agentFor(target), headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const status = res.statusCode ?? 0;
        const retryAfterSeconds = retryAfterOf(res.headers['retry-after'], Date.now());
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () =>
          finish({
            status,
            ...(status >= 300 && status < 400 ? { error: `redirect not followed (HTTP ${status})` } : status >= 300 || status < 200 ? { error: `HTTP ${status}` } : {}),
            ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `timeout after ${timeoutMs / 1000} s` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => finish({ error: describe(error) }));
    req.end(body);
  });
}
