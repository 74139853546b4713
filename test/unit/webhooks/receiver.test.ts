import { parseEnvelope, queryParam, type FormEnvelope, type EventsEnvelope } from '../../../shared/webhooks/envelope';
import { webhookUrl } from '../../../shared/webhooks/routes';
import { createTenantCache, type WebhookTenant } from '../../../shared/webhooks/tenants';
import {
  BASE_URL, formBody, functionUrlEvent, harness, inboundParams, OTHER_SID, OTHER_TOKEN, PARENT_TOKEN, sha256, sign, signedEvents, signedForm,
  SUB_SID, SUB_TOKEN, type Pairs,
} from './fixtures';

const INBOUND_URL = webhookUrl(BASE_URL, 'inbound');
const XML_OK = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe('webhook receiver: forged or altered requests are refused, nothing enqueued', () => {
  const params = inboundParams();
  const cases: Array<{ name: string; event: () => ReturnType<typeof signedForm>; reason: string }> = [
    { name: 'a parameter changed', reason: 'signature-mismatch', event: () => withBody(signedForm('inbound', params), params.map(([n, v]): [string, string] => [n, n === 'Body' ? 'STOP' : v])) },
    { name: 'a parameter dropped', reason: 'signature-mismatch', event: () => withBody(signedForm('inbound', params), params.filter(([n]) => n !== 'From')) },
    { name: 'a parameter added', reason: 'signature-mismatch', event: () => withBody(signedForm('inbound', params), [...params, ['OptOutType', 'STOP']]) },
    { name: 'a value trimmed', reason: 'signature-mismatch', event: () => signedForm('inbound', inboundParams([['ProfileName', 'Ada']]), { signedParams: inboundParams([['ProfileName', 'Ada ']]) }) },
    { name: "the parent account's token", reason: 'signature-mismatch', event: () => signedForm('inbound', params, { token: PARENT_TOKEN }) },
    { name: "another tenant's token", reason: 'signature-mismatch', event: () => signedForm('inbound', params, { token: OTHER_TOKEN }) },
    { name: 'signed over http instead of https', reason: 'signature-mismatch', event: () => signedForm('inbound', params, { signedUrl: INBOUND_URL.replace('https:', 'http:') }) },
    { name: 'the stage prefix lost', reason: 'signature-mismatch', event: () => signedForm('inbound', params, { signedUrl: INBOUND_URL.replace('/prod', '') }) },
    { name: 'a trailing slash', reason: 'signature-mismatch', event: () => signedForm('inbound', params, { signedUrl: `${INBOUND_URL}/` }) },
    { name: 'the query string changed', reason: 'signature-mismatch', event: () => ({ ...signedForm('inbound', params, { rawQueryString: 'tenant=a' }), rawQueryString: 'tenant=b' }) },
    { name: 'the signature header missing', reason: 'missing-signature', event: () => withoutHeader(signedForm('inbound', params), 'x-twilio-signature') },
    { name: 'a malformed signature', reason: 'malformed-signature', event: () => withHeader(signedForm('inbound', params), 'x-twilio-signature', 'not-base64!') },
    { name: 'a form body under a bodySHA256 URL', reason: 'unexpected-body-hash', event: () => signedForm('inbound', params, { rawQueryString: `bodySHA256=${sha256(formBody(params))}` }) },
    { name: 'an unknown AccountSid', reason: 'unknown-account', event: () => signedForm('inbound', inboundParams().map(([n, v]): [string, string] => [n, n === 'AccountSid' ? 'AC' + 'e'.repeat(32) : v])) },
    { name: 'no AccountSid', reason: 'unknown-account', event: () => signedForm('inbound', inboundParams().filter(([n]) => n !== 'AccountSid')) },
    { name: 'a malformed AccountSid', reason: 'unknown-account', event: () => signedForm('inbound', inboundParams().map(([n, v]): [string, string] => [n, n === 'AccountSid' ? 'AC../../x' : v])) },
  ];

  it.each(cases)('$name → 403 ($reason)', async ({ event, reason }) => {
    const h = await harness('inbound');
    const response = await h.receive(event());
    expect(response.statusCode).toBe(403);
    expect(h.sent).toHaveLength(0);
    expect(h.rejected).toEqual([reason]);
    // Recorded for the tenant only when the request named a known subaccount (it was looked up).
    expect(h.refused).toEqual(['unknown-account', 'missing-signature'].includes(reason) ? [] : [{ accountSid: SUB_SID, customerId: 'cus_A', reason }]);
  });

  it("refuses another tenant's valid signature presented under this tenant's AccountSid", async () => {
    // Signed correctly by tenant B, but claims to be tenant A: verified with A's token, so refused.
    const h = await harness('status');
    const params: Pairs = [['AccountSid', SUB_SID], ['MessageSid', 'SM' + '1'.repeat(32)], ['MessageStatus', 'delivered']];
    expect((await h.receive(signedForm('status', params, { token: OTHER_TOKEN }))).statusCode).toBe(403);
    expect(h.sent).toHaveLength(0);
    // Counted for the tenant it named, never for the one whose token signed it.
    expect(h.refused).toEqual([{ accountSid: SUB_SID, customerId: 'cus_A', reason: 'signature-mismatch' }]);
  });

  describe('Event Streams (JSON, bodySHA256)', () => {
    const body = JSON.stringify([{ specversion: '1.0', id: 'EV1', type: 'com.twilio.messaging.compliance.brand-registration.brand-registered', data: { brandsid: 'BN1' } }]);

    it.each([
      { name: 'a body that does not match bodySHA256', reason: 'body-hash-mismatch', event: () => ({ ...signedEvents(body), body: body.replace('BN1', 'BN2') }) },
      { name: 'a hash claimed for another body', reason: 'body-hash-mismatch', event: () => signedEvents(body, { hashOf: '[]' }) },
      { name: 'no bodySHA256 in the URL', reason: 'missing-body-hash', event: () => ({ ...signedEvents(body), rawQueryString: `accountSid=${SUB_SID}` }) },
      { name: "another tenant's token", reason: 'signature-mismatch', event: () => signedEvents(body, { token: OTHER_TOKEN }) },
      { name: "the parent's token", reason: 'signature-mismatch', event: () => signedEvents(body, { token: PARENT_TOKEN }) },
      { name: 'the accountSid swapped for another tenant', reason: 'signature-mismatch', event: () => signedEvents(body, { accountSid: OTHER_SID }) },
      { name: 'no accountSid in the URL', reason: 'unknown-account', event: () => ({ ...signedEvents(body), rawQueryString: `bodySHA256=${sha256(body)}` }) },
    ])('$name → 403 ($reason)', async ({ event, reason }) => {
      const h = await harness('events');
      expect((await h.receive(event())).statusCode).toBe(403);
      expect(h.sent).toHaveLength(0);
      expect(h.rejected).toEqual([reason]);
    });
  });
});

describe('webhook receiver: genuine variants are accepted with exactly one queued message', () => {
  async function expectAccepted(kind: 'inbound' | 'status' | 'trusthub', event: ReturnType<typeof signedForm>, params: Pairs) {
    const h = await harness(kind);
    const response = await h.receive(event);
    expect(h.rejected).toEqual([]);
    expect(h.refused).toEqual([]);
    expect(response.statusCode).toBe(200);
    expect(h.sent).toHaveLength(1);
    const envelope = parseEnvelope(h.sent[0]!.body) as FormEnvelope;
    expect(envelope).toEqual({
      kind, accountSid: SUB_SID, partnerId: 'ptn_A', customerId: 'cus_A', params, idempotencyToken: 'idem-1', receivedAt: new Date(1_750_000_000_000).toISOString(),
      ...(kind === 'status' && event.rawQueryString ? { query: event.rawQueryString } : {}),
    });
    return { h, response };
  }

  it('an inbound message: TwiML <Response/>, raw parameters in order with the tenant', async () => {
    const params = inboundParams();
    const { h, response } = await expectAccepted('inbound', signedForm('inbound', params), params);
    expect(response.headers).toEqual({ 'content-type': 'text/xml' });
    expect(response.body).toBe(XML_OK);
    expect(h.sent[0]!.queue).toBe('inbound-messages');
  });

  it('signed with :443 (Twilio sometimes signs the default port)', async () => {
    const params = inboundParams();
    await expectAccepted('inbound', signedForm('inbound', params, { signedUrl: INBOUND_URL.replace('hooks.example.com', 'hooks.example.com:443') }), params);
  });

  it('a body that arrives as plain text rather than base64', async () => {
    const params = inboundParams();
    await expectAccepted('inbound', signedForm('inbound', params, { base64: false }), params);
  });

  it('repeated parameter names, each value kept', async () => {
    const params = inboundParams([['MediaUrl0', 'https://a.example/1'], ['Tag', 'b'], ['Tag', 'a'], ['Tag', 'b']]);
    await expectAccepted('inbound', signedForm('inbound', params), params);
  });

  it('empty values and a name without "="', async () => {
    const params = inboundParams([['Empty', '']]);
    const received: Pairs = [...params, ['Bare', '']];
    // Twilio never sends a bare name, but a parser must read it as an empty value, as the signer does.
    const event = signedForm('inbound', params, { base64: false, signedParams: received });
    const { h } = await expectAccepted('inbound', { ...event, body: `${event.body}&Bare` } as typeof event, received);
    expect(h.sent).toHaveLength(1);
  });

  it('the query string as received is part of the signed URL', async () => {
    const params = inboundParams();
    await expectAccepted('inbound', signedForm('inbound', params, { rawQueryString: 'tenant=a%20b&x=' }), params);
  });

  it('a status callback answers an empty 200 and goes to the status queue', async () => {
    const params: Pairs = [['AccountSid', SUB_SID], ['MessageSid', 'SM' + '1'.repeat(32)], ['MessageStatus', 'undelivered'], ['ErrorCode', '30003']];
    const { h, response } = await expectAccepted('status', signedForm('status', params), params);
    expect(response.body).toBe('');
    expect(h.sent[0]!.queue).toBe('status-callbacks');
  });

  it("a status callback's query (our message id) travels with it to the consumer", async () => {
    const params: Pairs = [['AccountSid', SUB_SID], ['MessageSid', 'SM' + '1'.repeat(32)], ['MessageStatus', 'sent']];
    const { h } = await expectAccepted('status', signedForm('status', params, { rawQueryString: 'messageId=msg_01JABCDEFGHJKMNPQRSTVWXYZ0' }), params);
    expect(queryParam((parseEnvelope(h.sent[0]!.body) as FormEnvelope).query, 'messageId')).toBe('msg_01JABCDEFGHJKMNPQRSTVWXYZ0');
  });

  it('a TrustHub callback goes to the events queue', async () => {
    const params: Pairs = [['AccountSid', SUB_SID], ['BundleSid', 'BU' + '2'.repeat(32)], ['Status', 'twilio-approved']];
    const { h } = await expectAccepted('trusthub', signedForm('trusthub', params), params);
    expect(h.sent[0]!.queue).toBe('twilio-events');
  });

  it('an Event Streams delivery (JSON, bodySHA256), array or single event', async () => {
    for (const events of [[{ id: 'EV1', type: 't', data: { a: 1 } }], { id: 'EV2', type: 't', data: '{"a":1}' }]) {
      const h = await harness('events');
      const body = JSON.stringify(events);
      const response = await h.receive(signedEvents(body));
      expect(response).toMatchObject({ statusCode: 200, body: '' });
      expect(h.sent).toHaveLength(1);
      expect(h.sent[0]!.queue).toBe('twilio-events');
      expect(parseEnvelope(h.sent[0]!.body) as EventsEnvelope).toEqual({
        kind: 'events', accountSid: SUB_SID, partnerId: 'ptn_A', customerId: 'cus_A', events, idempotencyToken: 'idem-ev', receivedAt: new Date(1_750_000_000_000).toISOString(),
      });
    }
  });

  it('a signed JSON body that is not JSON → 400, nothing enqueued', async () => {
    const h = await harness('events');
    expect((await h.receive(signedEvents('{not json'))).statusCode).toBe(400);
    expect(h.sent).toHaveLength(0);
    expect(h.rejected).toEqual(['malformed-body']);
  });
});

describe('webhook receiver: methods, failures and key use', () => {
  it.each(['GET', 'PUT', 'DELETE', 'HEAD'])('%s → 405 with Allow: POST', async (method) => {
    const h = await harness('status');
    const response = await h.receive({ ...signedForm('status', inboundParams()), requestContext: { http: { method } } } as never);
    expect(response).toMatchObject({ statusCode: 405, headers: { allow: 'POST' } });
    expect(h.sent).toHaveLength(0);
  });

  it('answers 500 when the queue refuses, so nothing acknowledged is lost', async () => {
    const h = await harness('inbound', { failQueue: true });
    const response = await h.receive(signedForm('inbound', inboundParams()));
    expect(response.statusCode).toBe(500);
    expect(h.failures).toEqual(['enqueue']);
  });

  it('answers 500 when the subaccount cannot be read (not 403: the request may be genuine)', async () => {
    const h = await harness('inbound', { failLookup: true });
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(500);
    expect(h.failures).toEqual(['lookup']);
    expect(h.rejected).toEqual([]);
  });

  it('answers 500 when its canonical URL cannot be resolved: nothing is verified against a guess, nothing enqueued', async () => {
    const h = await harness('status', { failUrl: true });
    expect((await h.receive(signedForm('status', inboundParams()))).statusCode).toBe(500);
    expect(h.failures).toEqual(['url']);
    expect(h.rejected).toEqual([]);
    expect(h.sent).toHaveLength(0);
    expect(h.lookups()).toBe(0);
  });

  it('decrypts a tenant token once for a burst, and again only after the TTL', async () => {
    const h = await harness('inbound', { ttlSeconds: 300 });
    const responses = await Promise.all(Array.from({ length: 50 }, () => h.receive(signedForm('inbound', inboundParams()))));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(h.decrypts()).toBe(1);
    expect(h.lookups()).toBe(1);
    await h.receive(signedForm('inbound', inboundParams()));
    expect(h.decrypts()).toBe(1);
    h.advance(301_000);
    await h.receive(signedForm('inbound', inboundParams()));
    expect(h.decrypts()).toBe(2);
    expect(h.sent).toHaveLength(52);
  });

  it('forged requests never cost a decrypt beyond the cached one, nor an unbounded number of reads', async () => {
    const h = await harness('inbound');
    await h.receive(signedForm('inbound', inboundParams()));
    for (let i = 0; i < 20; i++) await h.receive(signedForm('inbound', inboundParams(), { token: PARENT_TOKEN }));
    expect(h.decrypts()).toBe(1);
    // One bounded re-read (a possible rotation) within the refresh interval, not one per forged request.
    expect(h.lookups()).toBeLessThanOrEqual(2);
    expect(h.rejected).toHaveLength(20);
  });

  it('an unknown AccountSid costs one read, not one per request, and is looked up again after 5 s', async () => {
    const h = await harness('inbound');
    const unknown = () => signedForm('inbound', inboundParams().map(([n, v]): [string, string] => [n, n === 'AccountSid' ? 'AC' + 'e'.repeat(32) : v]));
    for (let i = 0; i < 20; i++) expect((await h.receive(unknown())).statusCode).toBe(403);
    expect(h.lookups()).toBe(1);
    // The known tenant is still read (and kept) as before.
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    expect(h.lookups()).toBe(2);
    h.advance(5_000);
    await h.receive(unknown());
    expect(h.lookups()).toBe(3);
  });

  it('keeps misses apart and bounded: a flood of unknown accounts evicts no tenant', async () => {
    let reads = 0;
    const tenant = { encryptedAuthToken: 'blob' } as unknown as WebhookTenant;
    const cache = createTenantCache({ ttlSeconds: 300, maxEntries: 2, maxMisses: 3, now: () => 0, lookup: async (sid) => (reads++, sid === SUB_SID ? tenant : undefined) });
    expect(await cache.get(SUB_SID)).toBe(tenant);
    for (let i = 0; i < 10; i++) expect(await cache.get(`AC${String(i).padStart(32, '0')}`)).toBeUndefined();
    expect(await cache.get(SUB_SID)).toBe(tenant);
    expect(reads).toBe(11);
    // Only the 3 newest misses are remembered.
    await cache.get(`AC${'9'.padStart(32, '0')}`);
    await cache.get(`AC${'0'.padStart(32, '0')}`);
    expect(reads).toBe(12);
  });

  it('picks up a rotated token at once, without waiting for the TTL', async () => {
    const h = await harness('inbound');
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    const rotated = 'ab'.repeat(16);
    const tenant = h.tenants.get(SUB_SID)!;
    h.tenants.set(SUB_SID, { ...tenant, encryptedAuthToken: await h.keys.encrypt(rotated, tenant) });
    h.advance(11_000);
    expect((await h.receive(signedForm('inbound', inboundParams(), { token: rotated }))).statusCode).toBe(200);
    expect(h.sent).toHaveLength(2);
  });

  it('a signature is checked against the canonical URL, never the Host or forwarding headers', async () => {
    const h = await harness('inbound');
    const attackerUrl = 'https://attacker.example/inbound';
    const event = signedForm('inbound', inboundParams(), { signedUrl: attackerUrl });
    event.headers = { ...event.headers, host: 'attacker.example', 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https' };
    expect((await h.receive(event)).statusCode).toBe(403);
  });

  it('a sanity check of the fixtures: the SDK signature is over URL + sorted params', () => {
    expect(sign(SUB_TOKEN, 'https://x/y', [['b', '2'], ['a', '1']])).toBe(sign(SUB_TOKEN, 'https://x/y', [['a', '1'], ['b', '2']]));
    expect(functionUrlEvent({ body: 'a=1' }).isBase64Encoded).toBe(true);
  });
});

function withBody<T extends { body?: string; isBase64Encoded: boolean }>(event: T, params: Pairs): T {
  const body = formBody(params);
  return { ...event, body: event.isBase64Encoded ? Buffer.from(body).toString('base64') : body };
}
function withoutHeader<T extends { headers: Record<string, string | undefined> }>(event: T, name: string): T {
  const headers = { ...event.headers };
  delete headers[name];
  return { ...event, headers };
}
function withHeader<T extends { headers: Record<string, string | undefined> }>(event: T, name: string, value: string): T {
  return { ...event, headers: { ...event.headers, [name]: value } };
}

describe('webhook receiver: token rotation, no webhook left unverifiable', () => {
  const NEW_TOKEN = 'cd'.repeat(16);

  /** The row as the rotation leaves it: the new token in use, the old one previous until `validUntil` (absent: not promoted yet). */
  async function rotate(h: Awaited<ReturnType<typeof harness>>, validUntil?: number) {
    const tenant = h.tenants.get(SUB_SID)!;
    const context = { accountSid: tenant.accountSid, partnerId: tenant.partnerId, customerId: tenant.customerId };
    h.tenants.set(SUB_SID, {
      ...context,
      encryptedAuthToken: await h.keys.encrypt(NEW_TOKEN, context),
      previousEncryptedAuthToken: tenant.encryptedAuthToken,
      ...(validUntil !== undefined ? { previousValidUntil: validUntil } : {}),
    });
  }

  it('between switch and promote both tokens verify: the old (Twilio still signs with it) and the new', async () => {
    const h = await harness('inbound');
    await rotate(h);
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    expect((await h.receive(signedForm('inbound', inboundParams(), { token: NEW_TOKEN }))).statusCode).toBe(200);
    expect((await h.receive(signedForm('inbound', inboundParams(), { token: OTHER_TOKEN }))).statusCode).toBe(403);
    expect(h.sent).toHaveLength(2);
  });

  it('after the promote the old token verifies until its deadline and is refused from then on; the new one always', async () => {
    const h = await harness('inbound');
    const deadline = h.now() + 3_600_000;
    await rotate(h, deadline);
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    expect((await h.receive(signedForm('inbound', inboundParams(), { token: NEW_TOKEN }))).statusCode).toBe(200);

    h.advance(deadline - h.now() - 1);
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    h.advance(1);
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(403);
    expect(h.rejected).toEqual(['signature-mismatch']);
    expect((await h.receive(signedForm('inbound', inboundParams(), { token: NEW_TOKEN }))).statusCode).toBe(200);
    expect(h.sent).toHaveLength(4);
  });

  it('the old token is tried from memory before any re-read, and the warm path decrypts nothing more', async () => {
    const h = await harness('inbound');
    await rotate(h);
    await h.receive(signedForm('inbound', inboundParams()));
    await h.receive(signedForm('inbound', inboundParams(), { token: NEW_TOKEN }));
    const decrypts = h.decrypts();
    const lookups = h.lookups();
    expect(decrypts).toBe(2);

    for (let i = 0; i < 20; i++) {
      const token = i % 2 === 0 ? SUB_TOKEN : NEW_TOKEN;
      expect((await h.receive(signedForm('inbound', inboundParams(), { token }))).statusCode).toBe(200);
    }
    // Two caches, one entry each: the tokens never evict each other.
    expect(h.decrypts()).toBe(decrypts);
    expect(h.lookups()).toBe(lookups);
  });

  it('a tenant cached before the switch picks the rotation up on the first new-token signature (one re-read)', async () => {
    const h = await harness('inbound');
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    await rotate(h);
    h.advance(11_000);
    expect((await h.receive(signedForm('inbound', inboundParams(), { token: NEW_TOKEN }))).statusCode).toBe(200);
    expect((await h.receive(signedForm('inbound', inboundParams()))).statusCode).toBe(200);
    expect(h.lookups()).toBe(2);
  });

  it('Event Streams (JSON, bodySHA256) verify with the old token mid-rotation too', async () => {
    const h = await harness('events');
    await rotate(h);
    const body = JSON.stringify([{ type: 'com.twilio.messaging.message.delivered', data: { accountSid: SUB_SID } }]);
    expect((await h.receive(signedEvents(body))).statusCode).toBe(200);
    expect((await h.receive(signedEvents(body, { token: NEW_TOKEN }))).statusCode).toBe(200);
  });
});
