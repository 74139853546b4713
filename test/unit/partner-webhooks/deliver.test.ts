import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { DeliverableEvent } from '../../../shared/partner-webhooks/contract';
import { attemptDelivery, deliveryBody, type AttemptInput } from '../../../shared/partner-webhooks/deliver';
import { newSigningSecret } from '../../../shared/partner-webhooks/signing';
import type { Lookup } from '../../../shared/partner-webhooks/url-guard';

const NOW = new Date('2026-03-01T12:00:00.400Z');
const EVENT: DeliverableEvent = {
  id: 'evt_01JNM4ZK8Q6P3V0XW2A9C7B5D1',
  type: 'message.delivered',
  occurredAt: '2026-03-01T11:59:58.123Z',
  customerId: 'cus_01HZX4K9QW',
  data: { id: 'msg_1', status: 'delivered' },
};

/** A partner's receiver on loopback that keeps what it got, to verify as a partner would. */
const received: Array<{ url?: string; headers: IncomingHttpHeaders; body: string }> = [];
let respond: (res: ServerResponse) => void = (res) => res.end();
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    received.push({ url: req.url, headers: req.headers, body });
    respond(res);
  });
});
let port = 0;

/** `receiver.localhost` is whatever the stub says: loopback here, so the test needs no DNS. */
function resolver(address = '127.0.0.1') {
  const asked: string[] = [];
  const lookup: Lookup = async (hostname) => {
    asked.push(hostname);
    return [{ address, family: 4 }];
  };
  return { lookup, asked };
}

const input = (overrides: Partial<AttemptInput> = {}): AttemptInput => ({
  url: `http://receiver.localhost:${port}/hooks`,
  secrets: [newSigningSecret()],
  event: EVENT,
  now: NOW,
  allowLoopback: true,
  lookup: resolver().lookup,
  ...overrides,
});

/** Standard Webhooks verification, on a receiver's clock a second after the send. */
function verify(secret: string, body: string, headers: IncomingHttpHeaders): unknown {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(NOW.getTime() + 1_000);
  try {
    return new Webhook(secret).verify(body, headers as Record<string, string>);
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
});
beforeEach(() => {
  received.length = 0;
  respond = (res) => res.end();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('delivery body', () => {
  it('is the event as a receiver gets it: type, timestamp (when it happened), customer, data', () => {
    expect(deliveryBody(EVENT)).toBe(
      '{"type":"message.delivered","timestamp":"2026-03-01T11:59:58.123Z","customerId":"cus_01HZX4K9QW","data":{"id":"msg_1","status":"delivered"}}',
    );
  });

  it('leaves customerId out for an event about no customer', () => {
    const { customerId: _none, ...partnerWide } = EVENT;
    expect(JSON.parse(deliveryBody({ ...partnerWide, type: 'webhook_endpoint.test', data: {} }))).toEqual({ type: 'webhook_endpoint.test', timestamp: EVENT.occurredAt, data: {} });
  });
});

describe('one delivery attempt, end to end', () => {
  it('posts the signed event to the receiver, which verifies it with the standardwebhooks package', async () => {
    const [secret] = input().secrets;
    respond = (res) => res.writeHead(200).end('thanks');

    const result = await attemptDelivery(input({ secrets: [secret!] }));

    expect(result).toEqual({ status: 200, durationMs: expect.any(Number), verdict: { kind: 'succeeded' } });
    expect(received).toHaveLength(1);
    const [{ url, headers, body }] = received as [(typeof received)[number]];
    expect(url).toBe('/hooks');
    expect(body).toBe(deliveryBody(EVENT));
    expect(headers).toMatchObject({
      'webhook-id': EVENT.id,
      'webhook-timestamp': String(Math.floor(NOW.getTime() / 1000)),
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Webhooks/1.0',
    });
    expect(verify(secret!, body, headers)).toEqual(JSON.parse(deliveryBody(EVENT)));
  });

  it('signs with every secret given, so a receiver holding either one during a rotation verifies', async () => {
    const previous = newSigningSecret();
    const current = newSigningSecret();

    await attemptDelivery(input({ secrets: [previous, current] }));

    const [{ headers, body }] = received as [(typeof received)[number]];
    expect(String(headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(previous, body, headers)).toEqual(JSON.parse(body));
    expect(verify(current, body, headers)).toEqual(JSON.parse(body));
    expect(() => verify(newSigningSecret(), body, headers)).toThrow(WebhookVerificationError);
    expect(() => verify(current, body.replace('delivered', 'failed'), headers)).toThrow(WebhookVerificationError);
  });

  it('keeps the event id as webhook-id on a retry, with the retry time as webhook-timestamp', async () => {
    const later = new Date(NOW.getTime() + 5 * 60_000);
    const secret = newSigningSecret();

    await attemptDelivery(input({ secrets: [secret] }));
    await attemptDelivery(input({ secrets: [secret], now: later }));

    expect(received.map((r) => r.headers['webhook-id'])).toEqual([EVENT.id, EVENT.id]);
    expect(received.map((r) => r.headers['webhook-timestamp'])).toEqual([String(Math.floor(NOW.getTime() / 1000)), String(Math.floor(later.getTime() / 1000))]);
  });

  it('reads a 410 as gone', async () => {
    respond = (res) => res.writeHead(410).end();

    await expect(attemptDelivery(input())).resolves.toMatchObject({ status: 410, verdict: { kind: 'gone' } });
  });

  it('reads a 503 with Retry-After as a retry, carrying what the receiver asked', async () => {
    respond = (res) => res.writeHead(503, { 'retry-after': '90' }).end();

    await expect(attemptDelivery(input())).resolves.toEqual({ status: 503, error: 'HTTP 503', retryAfterSeconds: 90, durationMs: expect.any(Number), verdict: { kind: 'retry', reason: 'HTTP 503' } });
  });

  it('gives up on a receiver that does not answer within the timeout, as a retry', async () => {
    respond = () => undefined;

    await expect(attemptDelivery(input({ timeoutMs: 50 }))).resolves.toEqual({
      error: 'timeout after 0.05 s',
      timedOut: true,
      durationMs: expect.any(Number),
      verdict: { kind: 'retry', reason: 'timeout after 0.05 s' },
    });
  });

  it('guards the URL again at every attempt: a host that now resolves to a private address is refused, and nothing is sent', async () => {
    const dns = resolver('10.0.0.8');

    const result = await attemptDelivery(input({ url: `https://hooks.example.com:${port}/hooks`, lookup: dns.lookup }));

    const error = 'ssrf: hooks.example.com resolves to 10.0.0.8, a private address: only public addresses are accepted';
    expect(result).toEqual({ durationMs: 0, error, verdict: { kind: 'retry', reason: error }, refusedBy: 'non-public-address' });
    expect(dns.asked).toEqual(['hooks.example.com']);
    expect(received).toEqual([]);
  });

  it.each([
    ['http outside development', { allowLoopback: false }, 'https-required'],
    ['a loopback receiver outside development', { url: 'https://receiver.localhost:1024/hooks', allowLoopback: false }, 'non-public-address'],
    ['credentials in the URL', { url: 'https://user:pw@hooks.example.com/hooks' }, 'userinfo'],
    ['a host in hex', { url: 'https://0x7f.1/hooks' }, 'numeric-host'],
    ['a name that does not resolve', { lookup: (async () => []) as Lookup }, 'unresolvable'],
  ])('refuses %s as a failed attempt naming the rule', async (_label, overrides, rule) => {
    const result = await attemptDelivery(input(overrides));

    expect(result).toMatchObject({ durationMs: 0, refusedBy: rule, verdict: { kind: 'retry' }, error: expect.stringMatching(/^ssrf: /) });
    expect(result).not.toHaveProperty('status');
    expect(received).toEqual([]);
  });
});
