import type { FormParams } from '../../../shared/twilio/webhook-signature';

export const SUBACCOUNT_TOKEN = '9f4e2b1c7a3d5e6f8091a2b3c4d5e6f7';
export const OTHER_TENANT_TOKEN = '1a2b3c4d5e6f70819293a4b5c6d7e8f9';
export const PARENT_TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';

/** Canonical receiver URL: API Gateway stage prefix included, no port, as configured on Twilio. */
export const STATUS_URL = 'https://api.example.com/prod/webhooks/twilio/status';
export const EVENTS_URL = 'https://api.example.com/prod/webhooks/twilio/events';

/** An inbound SMS webhook as Twilio posts it: 20 parameters, some empty. */
export const inboundSms: FormParams = [
  ['ToCountry', 'US'],
  ['ToState', 'CA'],
  ['SmsMessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'],
  ['NumMedia', '0'],
  ['ToCity', 'SAN FRANCISCO'],
  ['FromZip', '94105'],
  ['SmsSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'],
  ['FromState', 'CA'],
  ['SmsStatus', 'received'],
  ['FromCity', 'SAN FRANCISCO'],
  ['Body', 'Hello — can I book for 2 people? ✓ STOP'],
  ['FromCountry', 'US'],
  ['To', '+14155550100'],
  ['MessagingServiceSid', 'MG0123456789abcdef0123456789abcdef'],
  ['ToZip', ''],
  ['NumSegments', '1'],
  ['MessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'],
  ['AccountSid', 'AC0123456789abcdef0123456789abcdef'],
  ['From', '+14155550199'],
  ['ApiVersion', '2010-04-01'],
];

/** The object shape the SDK helpers take: a repeated name becomes an array of its values. */
export function toSdkParams(params: FormParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of params) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

export function formBody(params: FormParams): string {
  return new URLSearchParams(params.map(([n, v]): [string, string] => [n, v])).toString();
}
