import { getExpectedBodyHash, getExpectedTwilioSignature, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import { decodeEventBody, verifyJsonSignature } from '../../../shared/twilio/webhook-signature';
import { EVENTS_URL, OTHER_TENANT_TOKEN, PARENT_TOKEN, SUBACCOUNT_TOKEN } from './fixtures';

/** An Event Streams delivery: always an array of CloudEvents, raw bytes as sent. */
const body = JSON.stringify([
  {
    specversion: '1.0',
    type: 'com.twilio.messaging.compliance.brand-registration.brand-registered',
    source: '/v1/a2p/BrandRegistrations/BN0123456789abcdef0123456789abcdef',
    id: 'EZ0123456789abcdef0123456789abcdef',
    dataschema: 'https://events-schemas.twilio.com/A2P.BrandRegisteredSuccess/1',
    datacontenttype: 'application/json',
    time: '2025-05-01T12:00:00.000Z',
    data: { accountsid: 'AC0123456789abcdef0123456789abcdef', brandsid: 'BN0123456789abcdef0123456789abcdef', brandstatus: 'registered', note: 'zoë ✓' },
  },
]);
const rawBody = Buffer.from(body, 'utf8');
const rawQueryString = `bodySHA256=${getExpectedBodyHash(body)}`;

function twilioSigns(url: string, token = SUBACCOUNT_TOKEN): string {
  return getExpectedTwilioSignature(token, url, {});
}
const genuine = twilioSigns(`${EVENTS_URL}?${rawQueryString}`);

function verify(signature: string | undefined, overrides: Partial<{ url: string; rawQueryString: string; authToken: string; rawBody: Uint8Array }> = {}) {
  return verifyJsonSignature({ url: EVENTS_URL, rawQueryString, authToken: SUBACCOUNT_TOKEN, signature, rawBody, ...overrides });
}

describe('JSON (bodySHA256) webhook signature', () => {
  it('accepts what the SDK signs, and the SDK agrees', () => {
    expect(verify(genuine)).toEqual({ valid: true, port: 'as-configured' });
    expect(validateRequestWithBody(SUBACCOUNT_TOKEN, genuine, `${EVENTS_URL}?${rawQueryString}`, body)).toBe(true);
  });

  it('accepts the URL with and without :443', () => {
    expect(verify(twilioSigns(`https://api.example.com:443/prod/webhooks/twilio/events?${rawQueryString}`))).toEqual({ valid: true, port: 'toggled' });
  });

  it('accepts bodySHA256 among other query parameters, and a url that carries the query itself', () => {
    const query = `sink=DG0123&${rawQueryString}&x=`;
    const signature = twilioSigns(`${EVENTS_URL}?${query}`);

    expect(verify(signature, { rawQueryString: query }).valid).toBe(true);
    expect(verifyJsonSignature({ url: `${EVENTS_URL}?${query}`, authToken: SUBACCOUNT_TOKEN, signature, rawBody }).valid).toBe(true);
  });

  it('hashes the raw bytes of a base64-encoded function URL body', () => {
    const event = { body: rawBody.toString('base64'), isBase64Encoded: true };

    expect(verify(genuine, { rawBody: decodeEventBody(event) }).valid).toBe(true);
  });

  it('rejects a body that differs from the signed hash, even if it is the same JSON re-serialised', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body), null, 1));
    const altered = Buffer.from(body.replace('registered"', 'failed"'));

    expect(verify(genuine, { rawBody: reserialised })).toEqual({ valid: false, reason: 'body-hash-mismatch' });
    expect(verify(genuine, { rawBody: altered })).toEqual({ valid: false, reason: 'body-hash-mismatch' });
    expect(verify(genuine, { rawBody: Buffer.alloc(0) })).toEqual({ valid: false, reason: 'body-hash-mismatch' });
  });

  it('rejects a bodySHA256 swapped for the hash of a forged body (the URL is signed)', () => {
    const forged = '[{"type":"forged"}]';

    expect(verify(genuine, { rawQueryString: `bodySHA256=${getExpectedBodyHash(forged)}`, rawBody: Buffer.from(forged) })).toEqual({
      valid: false,
      reason: 'signature-mismatch',
    });
  });

  it('rejects a signed but non-canonical body hash (upper-case hex), as the SDK does', () => {
    const upper = `bodySHA256=${getExpectedBodyHash(body).toUpperCase()}`;
    const signature = twilioSigns(`${EVENTS_URL}?${upper}`);

    expect(verify(signature, { rawQueryString: upper })).toEqual({ valid: false, reason: 'body-hash-mismatch' });
    expect(validateRequestWithBody(SUBACCOUNT_TOKEN, signature, `${EVENTS_URL}?${upper}`, body)).toBe(false);
  });

  it('rejects a request without bodySHA256', () => {
    expect(verify(twilioSigns(EVENTS_URL), { rawQueryString: '' })).toEqual({ valid: false, reason: 'missing-body-hash' });
    expect(verify(twilioSigns(`${EVENTS_URL}?xbodySHA256=1`), { rawQueryString: 'xbodySHA256=1' })).toEqual({ valid: false, reason: 'missing-body-hash' });
  });

  it.each([
    ["the parent's token", () => twilioSigns(`${EVENTS_URL}?${rawQueryString}`, PARENT_TOKEN)],
    ["another tenant's token", () => twilioSigns(`${EVENTS_URL}?${rawQueryString}`, OTHER_TENANT_TOKEN)],
    ['http instead of https', () => twilioSigns(`${EVENTS_URL.replace('https:', 'http:')}?${rawQueryString}`)],
    ['the stage prefix lost', () => twilioSigns(`${EVENTS_URL.replace('/prod/', '/')}?${rawQueryString}`)],
    ['a trailing slash', () => twilioSigns(`${EVENTS_URL}/?${rawQueryString}`)],
  ])('rejects a signature made with %s', (_label, sign) => {
    expect(verify(sign())).toEqual({ valid: false, reason: 'signature-mismatch' });
  });

  it('rejects a missing header', () => {
    expect(verify(undefined)).toEqual({ valid: false, reason: 'missing-signature' });
  });
});
