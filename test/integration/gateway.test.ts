import { startApiGateway, type ApiGateway } from '../../infra/local/api-gateway';
import { GATEWAY_RESPONSES } from '../../infra/local/api/gateway-responses';
import { manualClock } from '../../infra/local/clock';
import { createLambdaRuntime } from '../../infra/local/lambda-runtime';
import type { LocalLog } from '../../infra/local/log';
import { PROJECT_ROOT } from '../../infra/local/platform';
import { fixtureCatalog } from './fixtures/catalog';
import { received, reset } from './fixtures/handlers';
import { rawRequest } from '../support/raw-http';

/** The local API Gateway over a fixture catalog: events, authorizer, gateway responses, throttling. */
const clock = manualClock();
let gateway: ApiGateway;
/** What the runtime printed: a rejected key must be one warning line, never an error with a stack. */
const printed: Array<{ level: 'info' | 'warn' | 'error'; message: string; error?: Error }> = [];
const log: LocalLog = {
  info: (message) => printed.push({ level: 'info', message }),
  warn: (message) => printed.push({ level: 'warn', message }),
  error: (message, error) => printed.push({ level: 'error', message, error }),
};

beforeAll(async () => {
  const runtime = createLambdaRuntime({ catalog: fixtureCatalog, rootDir: PROJECT_ROOT, region: 'us-east-1', log });
  gateway = await startApiGateway({ catalog: fixtureCatalog, runtime, port: 0, throttle: { ratePerSecond: 1, burst: 3 }, now: clock.now });
});
afterAll(() => gateway?.stop());
beforeEach(() => {
  reset();
  printed.length = 0;
  // A minute later every throttle bucket is full again: tests do not share rate budgets.
  clock.advance(60_000);
});

const auth = (partner = 'ptn_1'): [string, string] => ['Authorization', `Bearer ok-${partner}`];
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

function expectGatewayProblem(reply: { status: number; headers: Record<string, unknown>; text: string }, kind: keyof typeof GATEWAY_RESPONSES) {
  const { status, title, detail, type } = GATEWAY_RESPONSES[kind];
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toBe('application/problem+json');
  expect(json(reply.text)).toEqual({ type: `https://switchboard.dev/problems/${type}`, title, status, detail, instance: reply.headers['x-amzn-requestid'] });
}

describe('REST API proxy events (payload 1.0)', () => {
  it('passes headers, query, authorizer context and a Lambda context like API Gateway', async () => {
    const reply = await rawRequest(`${gateway.url}/v1/items?a=1&a=2&b=x%20y`, {
      headers: [auth('ptn_1'), ['X-Custom', 'first'], ['X-Custom', 'second'], ['User-Agent', 'itest/1']],
    });
    expect(reply.status).toBe(200);
    const [{ event, context }] = received.api;
    expect(event).toMatchObject({
      resource: '/v1/items',
      path: '/v1/items',
      httpMethod: 'GET',
      queryStringParameters: { a: '2', b: 'x y' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x y'] },
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({ Authorization: 'Bearer ok-ptn_1', 'X-Custom': 'second', 'User-Agent': 'itest/1', 'X-Forwarded-For': '127.0.0.1' });
    expect(event.multiValueHeaders['X-Custom']).toEqual(['first', 'second']);
    // A fresh X-Ray root per request: version 1, the epoch second in hex, 96 random bits.
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Number.parseInt(event.headers['X-Amzn-Trace-Id']!.slice(7, 15), 16)).toBeCloseTo(Date.now() / 1000, -2);
    expect(event.requestContext).toMatchObject({
      requestId: reply.headers['x-amzn-requestid'],
      resourcePath: '/v1/items',
      httpMethod: 'GET',
      stage: 'local',
      path: '/local/v1/items',
      identity: { sourceIp: '127.0.0.1', userAgent: 'itest/1' },
      // Authorizer context values reach the integration as strings, as on AWS.
      authorizer: { principalId: 'ptn_1', partnerId: 'ptn_1', keyId: 'key_ptn_1', admin: 'false', weight: '3' },
    });
    expect(context.functionName).toBe('fx-items-list');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const { remainingMs } = json(reply.text) as { remainingMs: number };
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(7000);
  });

  it('sends the REQUEST authorizer the method ARN and the identity sources', async () => {
    await rawRequest(`${gateway.url}/v1/items/it%2001?x=1`, { headers: [auth()] });
    const [event] = received.authorizer;
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/local/GET/v1/items/it%2001',
      resource: '/v1/items/{id}',
      httpMethod: 'GET',
      pathParameters: { id: 'it 01' },
      queryStringParameters: { x: '1' },
    });
    expect(event.headers?.Authorization).toBe('Bearer ok-ptn_1');
    expect(received.api[0]!.event.pathParameters).toEqual({ id: 'it 01' });
  });

  it('passes a query parameter or header named __proto__ as plain data', async () => {
    const reply = await rawRequest(`${gateway.url}/v1/items?__proto__=x&constructor=y`, { headers: [auth(), ['__proto__', 'z']] });
    expect(reply.status).toBe(200);
    const { event } = received.api[0]!;
    expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, '__proto__')?.value).toBe('x');
    expect(event.queryStringParameters?.constructor).toBe('y');
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('z');
  });

  it('prefers a literal path segment over a parameter, like API Gateway', async () => {
    await rawRequest(`${gateway.url}/v1/items/special`, { headers: [auth()] });
    expect(received.api[0]!.context.functionName).toBe('fx-items-special');
  });

  it('passes text bodies as text and anything else base64-encoded', async () => {
    await rawRequest(`${gateway.url}/v1/items`, { method: 'POST', headers: [auth(), ['Content-Type', 'application/json']], body: '{"name":"ü"}' });
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe]);
    await rawRequest(`${gateway.url}/v1/items`, { method: 'POST', headers: [auth(), ['Content-Type', 'application/octet-stream']], body: bytes });
    const [text, binary] = received.api.map((r) => r.event);
    expect(text).toMatchObject({ body: '{"name":"ü"}', isBase64Encoded: false });
    expect(binary!.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary!.body!, 'base64')).toEqual(bytes);
  });

  it('maps the proxy result: base64 bodies decoded, headers and multi-value headers merged', async () => {
    const binary = await rawRequest(`${gateway.url}/public/binary`);
    expect(binary.headers['content-type']).toBe('image/png');
    expect(binary.body).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]));
    const cookies = await rawRequest(`${gateway.url}/public/cookies`);
    expect(cookies.status).toBe(204);
    expect(cookies.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(cookies.headers['x-one']).toBe('one');
  });
});

describe('gateway responses', () => {
  it('answers 401 problem+json when the authorizer refuses, without invoking the route', async () => {
    expectGatewayProblem(await rawRequest(`${gateway.url}/v1/items`), 'UNAUTHORIZED');
    expectGatewayProblem(await rawRequest(`${gateway.url}/v1/items`, { headers: [['Authorization', 'Bearer nope']] }), 'UNAUTHORIZED');
    expect(received.api).toHaveLength(0);
    // Each refusal is one warning line; nothing is logged as an error.
    expect(printed.map((p) => p.level)).toEqual(['warn', 'warn']);
    for (const { message } of printed) expect(message).toMatch(/^fx-authorizer \([0-9a-f-]{36}\) rejected an API key \(401 Unauthorized\)$/);
  });

  it('answers 403 for a Deny policy and 500 for an invalid authorizer answer', async () => {
    expectGatewayProblem(await rawRequest(`${gateway.url}/v1/items`, { headers: [['Authorization', 'Bearer deny']] }), 'ACCESS_DENIED');
    expectGatewayProblem(await rawRequest(`${gateway.url}/v1/items`, { headers: [['Authorization', 'Bearer nested']] }), 'AUTHORIZER_FAILURE');
    expect(received.api).toHaveLength(0);
  });

  it('sends unknown paths and undefined methods to the route fallback', async () => {
    const unknown = await rawRequest(`${gateway.url}/nope/x`);
    expect(unknown.status).toBe(404);
    expect(json(unknown.text)).toEqual({ resource: '/{proxy+}', pathParameters: { proxy: 'nope/x' } });
    const wrongMethod = await rawRequest(`${gateway.url}/v1/items`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(json(wrongMethod.text)).toEqual({ resource: '/v1/items', pathParameters: null });
  });

  it('answers 502 problem+json when a handler throws, times out or returns a malformed result', async () => {
    expectGatewayProblem(await rawRequest(`${gateway.url}/public/throw`), 'BAD_GATEWAY');
    expectGatewayProblem(await rawRequest(`${gateway.url}/public/malformed`), 'BAD_GATEWAY');
    expectGatewayProblem(await rawRequest(`${gateway.url}/public/slow`), 'BAD_GATEWAY');
  });

  it('refuses a declared body over 10 MB before reading it, and a streamed one once it passes 10 MB', async () => {
    const declared = await rawRequest(`${gateway.url}/v1/items`, {
      method: 'POST',
      headers: [auth(), ['Content-Type', 'application/json'], ['Content-Length', String(10 * 1024 * 1024 + 1)]],
    });
    expectGatewayProblem(declared, 'REQUEST_TOO_LARGE');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const streamed = await rawRequest(`${gateway.url}/v1/items`, {
      method: 'POST',
      headers: [auth(), ['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']],
      body: (write) => {
        for (let i = 0; i < 11; i++) write(chunk);
      },
    });
    expectGatewayProblem(streamed, 'REQUEST_TOO_LARGE');
    expect(received.authorizer).toHaveLength(0);
    expect(received.api).toHaveLength(0);
  });

  it('throttles each partner by its usage identifier, refilling with the clock', async () => {
    for (let i = 0; i < 3; i++) expect((await rawRequest(`${gateway.url}/v1/items`, { headers: [auth('ptn_busy')] })).status).toBe(200);
    const throttled = await rawRequest(`${gateway.url}/v1/items`, { headers: [auth('ptn_busy')] });
    expectGatewayProblem(throttled, 'THROTTLED');
    expect(throttled.headers['retry-after']).toBe('1');
    expect((await rawRequest(`${gateway.url}/v1/items`, { headers: [auth('ptn_other')] })).status).toBe(200);
    clock.advance(1000);
    expect((await rawRequest(`${gateway.url}/v1/items`, { headers: [auth('ptn_busy')] })).status).toBe(200);
    expect((await rawRequest(`${gateway.url}/v1/items`, { headers: [auth('ptn_busy')] })).status).toBe(429);
  });
});
