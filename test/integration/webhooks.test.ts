import { startApiGateway, type ApiGateway } from '../../infra/local/api-gateway';
import { createLambdaRuntime } from '../../infra/local/lambda-runtime';
import { silentLog } from '../../infra/local/log';
import { PROJECT_ROOT } from '../../infra/local/platform';
import { fixtureCatalog } from './fixtures/catalog';
import { received, reset } from './fixtures/handlers';
import { rawRequest } from '../support/raw-http';

/** Function URLs on the local server: `/webhooks/<name>` delivers payload-2.0 events to the catalog's receiver. */
let gateway: ApiGateway;

beforeAll(async () => {
  const runtime = createLambdaRuntime({ catalog: fixtureCatalog, rootDir: PROJECT_ROOT, region: 'us-east-1', log: silentLog });
  gateway = await startApiGateway({ catalog: fixtureCatalog, runtime, port: 0, throttle: false });
});
afterAll(() => gateway?.stop());
beforeEach(reset);

describe('function URL events (payload 2.0)', () => {
  it('delivers a form post base64-encoded, with lower-cased headers and comma-joined repeats', async () => {
    const form = 'MessageSid=SM123&Body=Hello+%F0%9F%91%8B&From=%2B14155550100';
    const reply = await rawRequest(`${gateway.url}/webhooks/inbound?x=1&x=2`, {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/x-www-form-urlencoded'],
        ['X-Twilio-Signature', 'c2lnbmF0dXJl'],
        ['X-Repeated', 'a'],
        ['X-Repeated', 'b'],
        ['Cookie', 'k1=v1; k2=v2'],
      ],
      body: form,
    });

    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/xml');
    expect(reply.headers['set-cookie']).toEqual(['seen=1']);
    expect(reply.text).toBe('<Response/>');

    const [{ event, context }] = received.webhook;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      cookies: ['k1=v1', 'k2=v2'],
      isBase64Encoded: true,
      requestContext: { http: { method: 'POST', path: '/', sourceIp: '127.0.0.1' }, routeKey: '$default', stage: '$default' },
    });
    expect(event.headers).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'c2lnbmF0dXJl', 'x-repeated': 'a,b' });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(Buffer.from(event.body!, 'base64').toString('utf8')).toBe(form);
    expect(context.functionName).toBe('fx-webhook');
  });

  it('passes JSON as text and infers a 200 JSON answer from a plain result', async () => {
    const reply = await rawRequest(`${gateway.url}/webhooks/inbound/plain`, { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{"a":1}' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.text)).toEqual({ ok: true });
    expect(received.webhook[0]!.event).toMatchObject({ rawPath: '/plain', body: '{"a":1}', isBase64Encoded: false });
  });

  it('refuses a body over the 6 MB invocation limit with 413, invoking nothing', async () => {
    const reply = await rawRequest(`${gateway.url}/webhooks/inbound`, {
      method: 'POST',
      headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', String(6 * 1024 * 1024 + 1)]],
    });
    expect(reply.status).toBe(413);
    expect(received.webhook).toHaveLength(0);
  });

  it('answers 502 when the receiver throws, and leaves unknown names to the API fallback', async () => {
    expect((await rawRequest(`${gateway.url}/webhooks/inbound/throw`, { method: 'POST' })).status).toBe(502);
    const unknown = await rawRequest(`${gateway.url}/webhooks/nobody`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(received.webhook).toHaveLength(1);
  });
});
