import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, type AuthorizerDecision } from './api/authorizer';
import { gatewayResponse, type RawResponse } from './api/gateway-responses';
import { serveStatic, type StaticSite } from './static-site';
import { authorizerEvent, proxyEvent, requestParts, type RequestFacts } from './api/proxy-event';
import { fromProxyResult } from './api/proxy-result';
import { createRouter } from './api/routes';
import { DEFAULT_THROTTLE, tokenBuckets, type ThrottleSettings } from './api/throttle';
import { createFunctionUrls } from './function-urls';
import { readBody } from './http/body';
import type { LambdaRuntime } from './lambda-runtime';
import { singleFunction, type LocalCatalog } from './local-catalog';
import { portFromEnv } from './ports';

/** API Gateway's REST payload limit. Handlers enforce their own, smaller limits (e.g. 256 KB for JSON). */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiGatewayOptions {
  catalog: LocalCatalog;
  runtime: LambdaRuntime;
  /** Default: PORT or 3000; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Per-partner usage-plan throttling; `false` disables it. */
  throttle?: ThrottleSettings | false;
  /** Time source of the throttle buckets (ms). */
  now?: () => number;
  maxBodyBytes?: number;
  /**
   * How long an Allow decision is reused for the same `Authorization` value: the 60 s per-key
   * cache the deployed authorizer keeps (AUTHORIZER_KEY_CACHE_SECONDS). A request with no
   * Authorization (a portal session cookie) is never cached, as deployed. 0 (default) asks every time.
   */
  authorizerCacheSeconds?: number;
  /** A static site (the portal) on the same origin, for GETs under its prefix that no route of the catalog takes. */
  staticSite?: StaticSite;
}

export interface ApiGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The REST API and the function URLs of the catalog on one local HTTP server: every request is
 * turned into the event AWS would deliver, the catalog's handler module is invoked, and its
 * result is turned back into HTTP — the same handlers, the same events, no AWS.
 */
export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const host = options.host ?? '127.0.0.1';
  const handle = createRequestHandler(options);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only a bug in this module gets here; the client still gets an answer.
      console.error('Local API gateway failed', error);
      if (!res.headersSent) write(res, gatewayResponse('BAD_GATEWAY', 'local'));
      else res.destroy();
    });
  });
  await listen(server, options.port ?? portFromEnv('PORT', 3000), host);
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, port, stop: () => close(server) };
}

export function createRequestHandler(options: ApiGatewayOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { catalog, runtime } = options;
  const route = createRouter(catalog);
  const authorizer = singleFunction(catalog, 'authorizer');
  const fallback = singleFunction(catalog, 'routeFallback');
  const throttle = options.throttle === false ? undefined : tokenBuckets(options.throttle ?? DEFAULT_THROTTLE, options.now);
  const webhooks = createFunctionUrls(catalog, runtime);
  const maxBody = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES;
  const cacheMs = (options.authorizerCacheSeconds ?? 0) * 1000;
  const now = options.now ?? Date.now;
  /** Allow decisions by identity source (the Authorization header), like API Gateway's cache. */
  const allowed = new Map<string, { decision: AuthorizerDecision; expiresAt: number }>();

  async function authorizeCached(identity: string | undefined, ask: () => Promise<AuthorizerDecision>): Promise<AuthorizerDecision> {
    if (cacheMs <= 0 || !identity) return ask();
    const hit = allowed.get(identity);
    if (hit && hit.expiresAt > now()) return hit.decision;
    const decision = await ask();
    if (decision.outcome === 'allow') allowed.set(identity, { decision, expiresAt: now() + cacheMs });
    else allowed.delete(identity);
    return decision;
  }

  async function restApi(req: IncomingMessage, facts: Omit<RequestFacts, 'resource' | 'pathParameters' | 'body'>, port: number): Promise<RawResponse | undefined> {
    const { requestId } = facts;
    const match = route(facts.method, facts.path);
    const read = await readBody(req, maxBody);
    // A client that went away gets no answer, and its half-sent request invokes nothing.
    if (!read.ok) return read.reason === 'too-large' ? gatewayResponse('REQUEST_TOO_LARGE', requestId) : undefined;

    const full: RequestFacts = { ...facts, resource: match.resource, pathParameters: match.pathParameters, body: read.body };
    const parts = requestParts(req, full, port);
    const host = req.headers.host ?? `127.0.0.1:${port}`;

    let authorizerContext: Record<string, string> | null = null;
    if (match.kind === 'route' && match.fn.trigger.auth === 'partner') {
      if (!authorizer) throw new Error(`Route ${match.fn.id} needs the authorizer, but the catalog has none`);
      // The cache is keyed by the one Authorization value; a request with two is always asked (and
      // refused), and one with none (a portal cookie, resolved by the same authorizer) every time.
      const presented = req.headersDistinct.authorization ?? [];
      const identity = presented.length === 1 ? presented[0] : undefined;
      const decision = await authorizeCached(identity, () => authorize(runtime, authorizer.id, authorizerEvent(full, parts, runtime.region, host)));
      if (decision.outcome === 'unauthorized') return gatewayResponse('UNAUTHORIZED', requestId);
      if (decision.outcome === 'denied') return gatewayResponse('ACCESS_DENIED', requestId);
      if (decision.outcome === 'failed') return gatewayResponse('AUTHORIZER_FAILURE', requestId);
      if (throttle && decision.usageIdentifierKey !== undefined) {
        const taken = throttle.take(decision.usageIdentifierKey);
        if (!taken.allowed) return gatewayResponse('THROTTLED', requestId, { 'retry-after': String(taken.retryAfterSeconds) });
      }
      authorizerContext = { principalId: decision.principalId, integrationLatency: '0', ...decision.context };
    }

    const functionId = match.kind === 'route' ? match.fn.id : fallback?.id;
    if (!functionId) return gatewayResponse('BAD_GATEWAY', requestId);
    let result: unknown;
    try {
      result = await runtime.invoke(functionId, proxyEvent(full, parts, host, authorizerContext));
    } catch {
      return gatewayResponse('BAD_GATEWAY', requestId);
    }
    return fromProxyResult(result) ?? gatewayResponse('BAD_GATEWAY', requestId);
  }

  return async (req, res) => {
    const requestId = randomUUID();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const port = req.socket.localPort ?? 0;

    const method = req.method ?? 'GET';
    const webhook = await webhooks(req, path, rawQuery, sourceIp);
    // The catalog's own routes under the site's prefix (its sign-in link, say) win over its files.
    const page = webhook === undefined && options.staticSite && route(method, path).kind !== 'route' ? await serveStatic(options.staticSite, method, path) : undefined;
    const response = webhook ?? page ?? (await restApi(req, { requestId, method, path, rawQuery, receivedAt: Date.now(), sourceIp }, port));
    if (response) write(res, response, requestId, req.complete);
    else res.destroy();
  };
}

function write(res: ServerResponse, response: RawResponse, requestId?: string, requestComplete = true): void {
  const headers: Record<string, string | string[]> = { ...response.headers, 'content-length': String(response.body.length) };
  if (requestId) headers['x-amzn-requestid'] = requestId;
  // Answered before the body was read (413): the rest of it must not be taken for the next request.
  if (!requestComplete) headers.connection = 'close';
  res.writeHead(response.statusCode, headers);
  res.end(response.body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting, lets in-flight requests finish, and drops idle keep-alive sockets at once. */
function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
