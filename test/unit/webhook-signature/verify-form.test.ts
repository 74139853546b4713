// The CommonJS module object itself, so that spying replaces what the verifier calls.
import crypto = require('node:crypto');
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import {
  computeTwilioSignature,
  decodeEventBody,
  parseFormBody,
  verifyFormSignature,
  withToggledDefaultPort,
  type FormParams,
} from '../../../shared/twilio/webhook-signature';
import { formBody, inboundSms, OTHER_TENANT_TOKEN, PARENT_TOKEN, STATUS_URL, SUBACCOUNT_TOKEN, toSdkParams } from './fixtures';

/** What Twilio sends: the SDK's signer over the URL it requested and the parameters it posted. */
function twilioSigns(url: string, params: FormParams, token = SUBACCOUNT_TOKEN): string {
  return getExpectedTwilioSignature(token, url, toSdkParams(params));
}

function verify(params: FormParams, signature: string | undefined, overrides: { url?: string; rawQueryString?: string; authToken?: string } = {}) {
  return verifyFormSignature({ url: STATUS_URL, authToken: SUBACCOUNT_TOKEN, signature, params, ...overrides });
}

describe('form webhook signature: genuine requests are accepted', () => {
  it('matches the official SDK signer byte for byte', () => {
    expect(computeTwilioSignature(SUBACCOUNT_TOKEN, STATUS_URL, inboundSms)).toBe(twilioSigns(STATUS_URL, inboundSms));
  });

  it('accepts a request signed by the SDK, and the SDK accepts ours', () => {
    const signature = twilioSigns(STATUS_URL, inboundSms);

    expect(verify(inboundSms, signature)).toEqual({ valid: true, port: 'as-configured' });
    expect(validateRequest(SUBACCOUNT_TOKEN, computeTwilioSignature(SUBACCOUNT_TOKEN, STATUS_URL, inboundSms), STATUS_URL, toSdkParams(inboundSms))).toBe(true);
  });

  it('reproduces the signature from the Twilio documentation example', () => {
    // twilio-node's own test vector (https://mycompany.com/myapp.php?foo=1&bar=2 with a voice call's parameters).
    const params: FormParams = [
      ['CallSid', 'CA1234567890ABCDE'],
      ['Caller', '+12349013030'],
      ['Digits', '1234'],
      ['From', '+12349013030'],
      ['To', '+18005551212'],
    ];
    const signature = verifyFormSignature({
      url: 'https://mycompany.com/myapp.php',
      rawQueryString: 'foo=1&bar=2',
      authToken: '12345',
      signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
      params,
    });

    expect(signature).toEqual({ valid: true, port: 'as-configured' });
  });

  it('accepts the signature whether Twilio signed with or without :443', () => {
    const withPort = 'https://api.example.com:443/prod/webhooks/twilio/status';

    expect(verify(inboundSms, twilioSigns(withPort, inboundSms))).toEqual({ valid: true, port: 'toggled' });
    expect(verify(inboundSms, twilioSigns(STATUS_URL, inboundSms), { url: withPort })).toEqual({ valid: true, port: 'toggled' });
    expect(verify(inboundSms, twilioSigns(withPort, inboundSms), { url: withPort })).toEqual({ valid: true, port: 'as-configured' });
  });

  it('accepts :80 on and off for an http receiver', () => {
    const url = 'http://localhost/webhooks/twilio/status';

    expect(verify(inboundSms, twilioSigns('http://localhost:80/webhooks/twilio/status', inboundSms), { url }).valid).toBe(true);
  });

  it('covers the raw query string of the request', () => {
    const rawQueryString = 'tenant=cus_01HZ&note=a%20b';
    const signature = twilioSigns(`${STATUS_URL}?${rawQueryString}`, inboundSms);

    expect(verify(inboundSms, signature, { rawQueryString }).valid).toBe(true);
    expect(verify(inboundSms, signature, { url: `${STATUS_URL}?${rawQueryString}` }).valid).toBe(true);
    expect(verify(inboundSms, signature, { rawQueryString: 'tenant=cus_01HZ&note=a+b' }).valid).toBe(false);
    expect(verify(inboundSms, signature).valid).toBe(false);
  });

  it('accepts repeated keys whatever order their values arrive in', () => {
    const params: FormParams = [...inboundSms, ['MessagingBinding.Address', '+18330000000'], ['MessagingBinding.Address', '+18550000000']];
    const signature = twilioSigns(STATUS_URL, params);
    const reordered: FormParams = [['MessagingBinding.Address', '+18550000000'], ...inboundSms, ['MessagingBinding.Address', '+18330000000']];

    expect(verify(params, signature).valid).toBe(true);
    expect(verify(reordered, signature).valid).toBe(true);
  });

  it('counts an identical repeated pair once, as Twilio and the SDKs do', () => {
    const params: FormParams = [...inboundSms, ['Tag', 'x'], ['Tag', 'x']];

    expect(computeTwilioSignature(SUBACCOUNT_TOKEN, STATUS_URL, params)).toBe(twilioSigns(STATUS_URL, params));
    expect(verify(params, twilioSigns(STATUS_URL, [...inboundSms, ['Tag', 'x']])).valid).toBe(true);
  });

  it('accepts empty values and a request with no parameters', () => {
    const params: FormParams = [['Body', ''], ['ErrorMessage', ''], ['MessageStatus', 'failed']];

    expect(verify(params, twilioSigns(STATUS_URL, params)).valid).toBe(true);
    expect(verify([], twilioSigns(STATUS_URL, [])).valid).toBe(true);
  });

  it('accepts a base64-encoded function URL body after decoding and parsing it', () => {
    const event = {
      body: Buffer.from(formBody(inboundSms)).toString('base64'),
      isBase64Encoded: true,
      headers: { 'x-twilio-signature': twilioSigns(STATUS_URL, inboundSms) },
    };

    const params = parseFormBody(decodeEventBody(event));

    expect(params).toEqual(inboundSms);
    expect(verify(params, event.headers['x-twilio-signature']).valid).toBe(true);
  });
});

describe('form webhook signature: every mutation is rejected', () => {
  const genuine = twilioSigns(STATUS_URL, inboundSms);
  const mismatch = { valid: false, reason: 'signature-mismatch' };
  const replace = (name: string, value: string): FormParams => inboundSms.map(([n, v]) => [n, n === name ? value : v] as const);

  it('a parameter changed', () => {
    expect(verify(replace('Body', 'Hello — can I book for 3 people? ✓ STOP'), genuine)).toEqual(mismatch);
    expect(verify(replace('AccountSid', 'AC' + 'f'.repeat(32)), genuine)).toEqual(mismatch);
  });

  it('a parameter dropped', () => {
    expect(verify(inboundSms.filter(([n]) => n !== 'NumSegments'), genuine)).toEqual(mismatch);
    expect(verify(inboundSms.filter(([n]) => n !== 'ToZip'), genuine)).toEqual(mismatch);
  });

  it('a parameter added', () => {
    expect(verify([...inboundSms, ['OptOutType', 'STOP']], genuine)).toEqual(mismatch);
    expect(verify([...inboundSms, ['Extra', '']], genuine)).toEqual(mismatch);
  });

  it('a value trimmed', () => {
    const padded = replace('Body', '  Hi  ');
    const signature = twilioSigns(STATUS_URL, padded);

    expect(verify(replace('Body', 'Hi'), signature)).toEqual(mismatch);
    expect(verify(padded, signature).valid).toBe(true);
  });

  it('a name changed in case', () => {
    expect(verify(inboundSms.map(([n, v]) => [n === 'Body' ? 'body' : n, v] as const), genuine)).toEqual(mismatch);
  });

  it("the parent account's token", () => {
    expect(verify(inboundSms, twilioSigns(STATUS_URL, inboundSms, PARENT_TOKEN))).toEqual(mismatch);
    expect(verify(inboundSms, genuine, { authToken: PARENT_TOKEN })).toEqual(mismatch);
  });

  it("another tenant's token", () => {
    expect(verify(inboundSms, twilioSigns(STATUS_URL, inboundSms, OTHER_TENANT_TOKEN))).toEqual(mismatch);
  });

  it('http instead of https', () => {
    expect(verify(inboundSms, twilioSigns(STATUS_URL.replace('https:', 'http:'), inboundSms))).toEqual(mismatch);
    expect(verify(inboundSms, twilioSigns('http://api.example.com:443/prod/webhooks/twilio/status', inboundSms))).toEqual(mismatch);
  });

  it('the stage prefix lost from the path, either way round', () => {
    const withoutStage = STATUS_URL.replace('/prod/', '/');

    expect(verify(inboundSms, twilioSigns(withoutStage, inboundSms))).toEqual(mismatch);
    expect(verify(inboundSms, genuine, { url: withoutStage })).toEqual(mismatch);
  });

  it('a trailing slash added', () => {
    expect(verify(inboundSms, twilioSigns(`${STATUS_URL}/`, inboundSms))).toEqual(mismatch);
    expect(verify(inboundSms, genuine, { url: `${STATUS_URL}/` })).toEqual(mismatch);
  });

  it('another host or a non-default port', () => {
    expect(verify(inboundSms, twilioSigns(STATUS_URL.replace('api.', 'hooks.'), inboundSms))).toEqual(mismatch);
    expect(verify(inboundSms, twilioSigns('https://api.example.com:8443/prod/webhooks/twilio/status', inboundSms))).toEqual(mismatch);
  });

  it('a missing or empty header', () => {
    expect(verify(inboundSms, undefined)).toEqual({ valid: false, reason: 'missing-signature' });
    expect(verify(inboundSms, '')).toEqual({ valid: false, reason: 'missing-signature' });
  });

  it('a header that is not one canonical base64 HMAC-SHA1', () => {
    const bits = Buffer.from(genuine, 'base64');
    const nonCanonical = `${genuine.slice(0, 26)}${String.fromCharCode(genuine.charCodeAt(26) + 1)}=`;
    const malformed = [genuine.slice(0, -1), `${genuine} `, ` ${genuine}`, bits.toString('hex'), `${genuine}AAAA`, 'x'.repeat(28), nonCanonical, bits.toString('base64url')];

    for (const header of malformed) {
      if (header === genuine) continue;
      expect(verify(inboundSms, header)).toEqual({ valid: false, reason: 'malformed-signature' });
    }
  });

  it('any single character of the signature changed', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    for (let i = 0; i < 26; i++) {
      const other = alphabet[(alphabet.indexOf(genuine[i]) + 1) % 64];
      expect(verify(inboundSms, genuine.slice(0, i) + other + genuine.slice(i + 1))).toEqual(mismatch);
    }
  });

  it('a body-hash URL presented to a form receiver, so a URL-only signature never vouches for parameters', () => {
    const rawQueryString = `bodySHA256=${'0'.repeat(64)}`;
    const urlOnly = twilioSigns(`${STATUS_URL}?${rawQueryString}`, []);

    expect(verify([], urlOnly, { rawQueryString })).toEqual({ valid: false, reason: 'unexpected-body-hash' });
  });

  it('an empty auth token is a wiring error, not a verdict', () => {
    expect(() => verify(inboundSms, genuine, { authToken: '' })).toThrow(TypeError);
  });
});

describe('form webhook signature: cost of a forged request', () => {
  afterEach(() => jest.restoreAllMocks());

  it('computes one HMAC for a genuine request and at most two for a forged one', () => {
    const spy = jest.spyOn(crypto, 'createHmac');
    const genuine = twilioSigns(STATUS_URL, inboundSms);
    spy.mockClear();

    verify(inboundSms, genuine);
    expect(spy).toHaveBeenCalledTimes(1);

    spy.mockClear();
    verify(inboundSms, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    expect(spy).toHaveBeenCalledTimes(2);

    spy.mockClear();
    verify(inboundSms, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=', { url: 'http://localhost:3000/webhooks/twilio/status' });
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('computes no HMAC for a missing or malformed header', () => {
    const spy = jest.spyOn(crypto, 'createHmac');

    verify(inboundSms, undefined);
    verify(inboundSms, 'not-a-signature');

    expect(spy).not.toHaveBeenCalled();
  });
});

describe('withToggledDefaultPort', () => {
  it.each([
    ['https://a.example.com/x', 'https://a.example.com:443/x'],
    ['https://a.example.com:443/x', 'https://a.example.com/x'],
    ['HTTPS://a.example.com:443', 'HTTPS://a.example.com'],
    ['http://a.example.com?q=1', 'http://a.example.com:80?q=1'],
    ['http://user:pw@a.example.com:80/x', 'http://user:pw@a.example.com/x'],
    ['https://[::1]/x', 'https://[::1]:443/x'],
    ['https://[::1]:443/x', 'https://[::1]/x'],
    ['https://a.example.com/x:443', 'https://a.example.com:443/x:443'],
  ])('%s ⇄ %s', (url, expected) => {
    expect(withToggledDefaultPort(url)).toBe(expected);
  });

  it.each(['https://a.example.com:8443/x', 'http://localhost:3000/x', 'http://a.example.com:443/x', 'ftp://a.example.com/x', 'not a url'])(
    'has no second form for %s',
    (url) => {
      expect(withToggledDefaultPort(url)).toBeUndefined();
    },
  );
});
