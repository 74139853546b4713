import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authenticate } from './core/auth';
import { addPairs, parseJson, readBody } from './core/body';
import { TwilioError, notFound } from './core/errors';
import type { ApiRequest, Params, SandboxContext } from './core/context';
import type { Router } from './core/router';
import { notifySandboxObservers } from './observers';

const CONTROL_PREFIX = '/__sandbox';

export type ControlHandler = (method: string, path: string, query: URLSearchParams, body: unknown) => Promise<{ status: number; body?: unknown }>;

/** One node:http server: `/<twilio host>/<path>` for the API, `/__sandbox/…` for scenario control. */
export function createSandboxServer(ctx: SandboxContext, router: Router, control: ControlHandler): Server {
  return createServer((req, res) => {
    handle(ctx, router, control, req, res).catch((err: unknown) => {
      send(res, 500, { code: 20500, message: err instanceof Error ? err.message : 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
    });
  });
}

async function handle(ctx: SandboxContext, router: Router, control: ControlHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);
  if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
    let body: unknown;
    try {
      body = parseJson(raw);
    } catch {
      return send(res, 400, { message: 'control bodies are JSON' });
    }
    const result = await control(method, url.pathname.slice(CONTROL_PREFIX.length) || '/', url.searchParams, body);
    return send(res, result.status, result.body);
  }

  const [, host = '', ...rest] = url.pathname.split('/');
  const path = `/${rest.join('/')}`;
  const params: Params = {};
  addPairs(params, url.searchParams);
  let json: unknown = undefined;
  const isJson = (req.headers['content-type'] ?? '').includes('application/json');
  let accountSid: string | null = null;
  let status = 500;
  let responseBody: unknown;
  try {
    if (isJson) {
      try {
        json = parseJson(raw);
      } catch {
        throw new TwilioError(400, 20001, 'Request body is not valid JSON');
      }
    } else if (raw) {
      addPairs(params, new URLSearchParams(raw));
    }
    const caller = authenticate(ctx.state, req.headers.authorization);
    accountSid = caller.account.sid;
    const fault = ctx.rules.httpFault(method, `${host}${path}`);
    if (fault === 'throttle') throw new TwilioError(429, 20429, 'Too Many Requests');
    if (fault === 'server-error') throw new TwilioError(500, 20500, 'Internal Server Error');
    const match = router.match(method, host, path);
    if (!match) throw notFound(path);
    const apiRequest: ApiRequest = { method, host, path, params, json, pathParams: match.pathParams, headers: req.headers, account: caller.account, credential: caller.credential };
    const result = await match.route.handler(apiRequest, ctx);
    status = result.status;
    responseBody = result.body;
  } catch (err) {
    if (!(err instanceof TwilioError)) throw err;
    status = err.status;
    responseBody = err.toBody();
  } finally {
    ctx.recorder.record({ at: ctx.clock.now(), method, host, path, params, json, accountSid, status });
  }
  notifySandboxObservers({ method, host, path, status, body: responseBody });
  const headers: Record<string, string> = {};
  if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="Twilio API"';
  if (status === 429) headers['Retry-After'] = '1';
  send(res, status, responseBody, headers);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers }).end(text);
}
