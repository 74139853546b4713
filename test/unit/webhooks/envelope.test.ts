import { envelopeHeaderPrefix, formatEnvelope, MalformedEnvelopeError, parseEnvelope } from '../../../shared/webhooks/envelope';

const tenant = { accountSid: 'AC' + 'a'.repeat(32), partnerId: 'ptn_A', customerId: 'cus_A' };
const RECEIVED_AT = Date.UTC(2026, 10, 26, 9, 30, 15, 250);

describe('webhook envelope', () => {
  it('round-trips a form body byte for byte, repeated names and awkward characters included', () => {
    const form = 'Body=%22quoted%22%0Aline+2+%E2%9C%93&Tag=b&Tag=a&Empty=&AccountSid=' + tenant.accountSid;
    const message = formatEnvelope(envelopeHeaderPrefix('inbound', tenant), RECEIVED_AT, 'tok "1"\n', form);
    expect(message.endsWith(`\n${form}`)).toBe(true);
    expect(parseEnvelope(message)).toEqual({
      kind: 'inbound', ...tenant, idempotencyToken: 'tok "1"\n', receivedAt: '2026-11-26T09:30:15.250Z',
      params: [['Body', '"quoted"\nline 2 ✓'], ['Tag', 'b'], ['Tag', 'a'], ['Empty', ''], ['AccountSid', tenant.accountSid]],
    });
  });

  it('keeps an Event Streams body as sent, pretty-printed JSON with newlines included', () => {
    const events = [{ id: 'EV1', type: 'com.twilio.messaging.compliance.brand-registration.brand-registered', data: { brandsid: 'BN1' } }];
    const message = formatEnvelope(envelopeHeaderPrefix('events', tenant), RECEIVED_AT, undefined, JSON.stringify(events, null, 2));
    expect(parseEnvelope(message)).toEqual({ kind: 'events', ...tenant, receivedAt: new Date(RECEIVED_AT).toISOString(), events });
  });

  it('reads receivedAt written as an ISO string too', () => {
    const message = `{"kind":"status","accountSid":"${tenant.accountSid}","partnerId":"ptn_A","customerId":"cus_A","receivedAt":"2026-01-01T00:00:00.000Z"}\nMessageStatus=sent`;
    expect(parseEnvelope(message)).toMatchObject({ receivedAt: '2026-01-01T00:00:00.000Z', params: [['MessageStatus', 'sent']] });
  });

  it('still reads the single-JSON layout queued before the header line', () => {
    const old = { kind: 'status', ...tenant, receivedAt: '2026-01-01T00:00:00.000Z', form: 'MessageStatus=sent&To=%2B14155550100' };
    expect(parseEnvelope(JSON.stringify(old))).toEqual({ kind: 'status', ...tenant, receivedAt: old.receivedAt, params: [['MessageStatus', 'sent'], ['To', '+14155550100']] });
    const older = { kind: 'status', ...tenant, receivedAt: old.receivedAt, params: [['MessageStatus', 'sent']] };
    expect(parseEnvelope(JSON.stringify(older))).toEqual(older);
  });

  const header = (fields: string) => `{"kind":"inbound","accountSid":"${tenant.accountSid}","partnerId":"p","customerId":"c"${fields}}`;

  it.each([
    ['a header that is not JSON', 'kind=inbound\nBody=x'],
    ['a header that is not an object', '"inbound"\nBody=x'],
    ['an unknown kind', `{"kind":"voice","accountSid":"${tenant.accountSid}","partnerId":"p","customerId":"c","receivedAt":1}\nBody=x`],
    ['no tenant', `{"kind":"inbound","accountSid":"${tenant.accountSid}","receivedAt":1}\nBody=x`],
    ['no receivedAt', `${header('')}\nBody=x`],
    ['a receivedAt that is not a time', `${header(',"receivedAt":-5')}\nBody=x`],
    ['a token that is not a string', `${header(',"receivedAt":1,"idempotencyToken":7')}\nBody=x`],
    ['an events body that is not JSON', `{"kind":"events","accountSid":"${tenant.accountSid}","partnerId":"p","customerId":"c","receivedAt":1}\n[{"id":`],
    ['an old-layout form envelope without params', JSON.stringify({ kind: 'status', ...tenant, receivedAt: 'x' })],
  ])('refuses %s as a poison message', (_name, message) => {
    expect(() => parseEnvelope(message)).toThrow(MalformedEnvelopeError);
  });
});
