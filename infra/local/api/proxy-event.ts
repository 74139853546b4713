import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayEventRequestContextWithAuthorizer, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { isTextMediaType, isValidUtf8, rawHeaderValues } from '../http/body';

/** Fixed identifiers of the local REST API; they appear in ARNs and request contexts. */
export const LOCAL_API = { apiId: 'local', stage: 'local', accountId: '000000000000' } as const;

export interface RequestFacts {
  requestId: string;
  method: string;
  /** Path without the query string, as sent. */
  path: string;
  rawQuery: string;
  /** Template that matched (`/v1/customers/{id}`), or `/{proxy+}` for the catch-all. */
  resource: string;
  pathParameters: Record<string, string> | null;
  body: Buffer | undefined;
  receivedAt: number;
  sourceIp: string;
}

export interface RequestParts {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
}

/**
 * Headers and query the way a REST API passes them: original header spelling, the last value in
 * `headers` and all of them in `multiValueHeaders`; query values URL-decoded; null when empty.
 * The forwarding headers API Gateway adds are added when the client did not send them.
 */
export function requestParts(req: IncomingMessage, facts: RequestFacts, port: number): RequestParts {
  // Null-prototype maps: a header or parameter named `__proto__` is data, not a prototype change.
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  const raw = rawHeaderValues(req);
  const added: [string, string][] = [
    ['X-Forwarded-For', facts.sourceIp],
    ['X-Forwarded-Port', String(port)],
    ['X-Forwarded-Proto', 'http'],
    ['X-Amzn-Trace-Id', traceId(facts.receivedAt)],
  ];
  for (const [name, value] of added) if (!raw.has(name.toLowerCase())) raw.set(name.toLowerCase(), { name, values: [value] });
  for (const { name, values } of raw.values()) {
    headers[name] = values[values.length - 1]!;
    multiValueHeaders[name] = values;
  }

  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(facts.rawQuery)) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(single).length > 0;
  return {
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
  };
}

/**
 * An X-Ray root id: the epoch second in hex, then 96 random bits. They come from `randomUUID`,
 * which draws from a buffered pool: a `randomBytes` call per request cost about 2% of a GET's CPU.
 */
function traceId(receivedAt: number): string {
  return `Root=1-${Math.floor(receivedAt / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** Text bodies arrive as strings; anything else (or bytes that are not UTF-8) base64-encoded. */
export function encodeBody(body: Buffer | undefined, contentType: string | undefined): { body: string | null; isBase64Encoded: boolean } {
  if (!body || body.length === 0) return { body: null, isBase64Encoded: false };
  const text = isTextMediaType(contentType) || (!contentType && isValidUtf8(body));
  return text ? { body: body.toString('utf8'), isBase64Encoded: false } : { body: body.toString('base64'), isBase64Encoded: true };
}

/** `09/Apr/2015:12:34:56 +0000`, the format of `requestContext.requestTime`. */
function clf(epochMs: number): string {
  const d = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export function requestContext<A>(facts: RequestFacts, userAgent: string | undefined, host: string, authorizer: A): APIGatewayEventRequestContextWithAuthorizer<A> {
  return {
    accountId: LOCAL_API.accountId,
    apiId: LOCAL_API.apiId,
    authorizer,
    protocol: 'HTTP/1.1',
    httpMethod: facts.method,
    path: `/${LOCAL_API.stage}${facts.path}`,
    stage: LOCAL_API.stage,
    requestId: facts.requestId,
    extendedRequestId: facts.requestId,
    requestTime: clf(facts.receivedAt),
    requestTimeEpoch: facts.receivedAt,
    resourceId: LOCAL_API.apiId,
    resourcePath: facts.resource,
    domainName: host,
    domainPrefix: host.split('.')[0] ?? host,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: facts.sourceIp,
      user: null,
      userAgent: userAgent ?? null,
      userArn: null,
    },
  };
}

export function methodArn(region: string, facts: RequestFacts): string {
  return `arn:aws:execute-api:${region}:${LOCAL_API.accountId}:${LOCAL_API.apiId}/${LOCAL_API.stage}/${facts.method}${facts.path}`;
}

/** The REQUEST authorizer event: the request's identity sources, before any body is passed on. */
export function authorizerEvent(facts: RequestFacts, parts: RequestParts, region: string, host: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: methodArn(region, facts),
    resource: facts.resource,
    path: facts.path,
    httpMethod: facts.method,
    ...parts,
    pathParameters: facts.pathParameters,
    stageVariables: null,
    requestContext: requestContext(facts, findHeader(parts.headers, 'user-agent'), host, undefined),
  } as APIGatewayRequestAuthorizerEvent;
}

/** The Lambda proxy integration event (payload format 1.0). */
export function proxyEvent(
  facts: RequestFacts,
  parts: RequestParts,
  host: string,
  authorizer: Record<string, string> | null,
): APIGatewayProxyEvent {
  const contentType = findHeader(parts.headers, 'content-type');
  return {
    resource: facts.resource,
    path: facts.path,
    httpMethod: facts.method,
    ...parts,
    pathParameters: facts.pathParameters,
    stageVariables: null,
    requestContext: requestContext(facts, findHeader(parts.headers, 'user-agent'), host, authorizer),
    ...encodeBody(facts.body, contentType),
  };
}

export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}
