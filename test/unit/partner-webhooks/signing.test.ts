import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { newSigningSecret, signatureHeader, webhookHeaders } from '../../../shared/partner-webhooks/signing';

const SENT_AT = new Date('2026-03-01T12:00:00.750Z');
const BODY = '{"type":"message.delivered","timestamp":"2026-03-01T11:59:59.000Z","customerId":"cus_1","data":{"id":"msg_1"}}';
const EVENT_ID = 'evt_01JNM4ZK8Q6P3V0XW2A9C7B5D1';

describe('Standard Webhooks signing', () => {
  // `verify` checks the timestamp against the clock (±5 min): the receiver's clock is the send time.
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockReturnValue(SENT_AT.getTime() + 2_000);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('makes secrets of the spec format: whsec_ and the base64 of 32 random bytes', () => {
    const secrets = Array.from({ length: 20 }, () => newSigningSecret());

    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('signs as the specification does (its published example)', () => {
    const header = signatureHeader(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}');

    expect(header).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('sends the three Standard Webhooks headers, the content type and its user agent', () => {
    const secret = newSigningSecret();

    const headers = webhookHeaders([secret], EVENT_ID, SENT_AT, BODY);

    expect(headers).toEqual({
      'webhook-id': EVENT_ID,
      'webhook-timestamp': '1772366400',
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Webhooks/1.0',
    });
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('carries one signature per secret during a rotation, and each secret alone verifies the delivery', () => {
    const previous = newSigningSecret();
    const current = newSigningSecret();

    const headers = webhookHeaders([previous, current], EVENT_ID, SENT_AT, BODY);

    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(headers['webhook-signature']).toBe(`${signatureHeader([previous], EVENT_ID, SENT_AT, BODY)} ${signatureHeader([current], EVENT_ID, SENT_AT, BODY)}`);
    expect(new Webhook(previous).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(current).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(newSigningSecret()).verify(BODY, headers)).toThrow(WebhookVerificationError);
  });

  it('fails verification when the body, the id or the timestamp was altered', () => {
    const secret = newSigningSecret();
    const headers = webhookHeaders([secret], EVENT_ID, SENT_AT, BODY);
    const verify = (body: string, changed: Record<string, string>) => () => new Webhook(secret).verify(body, { ...headers, ...changed });

    expect(verify(BODY.replace('msg_1', 'msg_2'), {})).toThrow(WebhookVerificationError);
    expect(verify(`${BODY} `, {})).toThrow(WebhookVerificationError);
    expect(verify(BODY, { 'webhook-id': `${EVENT_ID}x` })).toThrow(WebhookVerificationError);
    expect(verify(BODY, { 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) })).toThrow(WebhookVerificationError);
  });

  it('refuses to sign with no secret at all rather than send an unsigned delivery', () => {
    expect(() => webhookHeaders([], EVENT_ID, SENT_AT, BODY)).toThrow('no live signing secret');
  });
});
