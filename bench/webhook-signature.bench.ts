/**
 * Cost of verifying X-Twilio-Signature on a 20-parameter form webhook: this project's verifier against
 * the official SDK's `validateRequest`, for a genuine request and for a forged one (the case an attacker
 * controls, where the SDK retries six URL forms). Each call is timed on its own so the figures are a
 * distribution (median, p99), after a warm-up that lets V8 optimise both paths.
 *
 *   npx tsx bench/webhook-signature.bench.ts [iterations]
 */
import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks';
import { parseFormBody, verifyFormSignature, type FormParams } from '../shared/twilio/webhook-signature';

const ITERATIONS = Number(process.argv[2] ?? 100_000);
const WARM_UP = Math.max(10_000, ITERATIONS / 5);

const AUTH_TOKEN = '9f4e2b1c7a3d5e6f8091a2b3c4d5e6f7';
const URL = 'https://api.example.com/prod/webhooks/twilio/inbound';
const PARAMS: FormParams = [
  ['ToCountry', 'US'], ['ToState', 'CA'], ['SmsMessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['NumMedia', '0'],
  ['ToCity', 'SAN FRANCISCO'], ['FromZip', '94105'], ['SmsSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['FromState', 'CA'],
  ['SmsStatus', 'received'], ['FromCity', 'SAN FRANCISCO'], ['Body', 'Hello, can I book a table for 2 people tonight?'],
  ['FromCountry', 'US'], ['To', '+14155550100'], ['MessagingServiceSid', 'MG0123456789abcdef0123456789abcdef'], ['ToZip', '94107'],
  ['NumSegments', '1'], ['MessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['AccountSid', 'AC0123456789abcdef0123456789abcdef'],
  ['From', '+14155550199'], ['ApiVersion', '2010-04-01'],
];
const SDK_PARAMS: Record<string, string> = Object.fromEntries(PARAMS);
const BODY = new URLSearchParams(PARAMS.map(([n, v]): [string, string] => [n, v])).toString();
const GENUINE = getExpectedTwilioSignature(AUTH_TOKEN, URL, SDK_PARAMS);
const FORGED = 'q1Sx0FYgNh3KzM9mTa2bXv7RkPw=';

interface Case {
  readonly name: string;
  readonly run: () => boolean;
  readonly expected: boolean;
}

const cases: Case[] = [
  { name: 'ours  valid ', expected: true, run: () => verifyFormSignature({ url: URL, authToken: AUTH_TOKEN, signature: GENUINE, params: PARAMS }).valid },
  { name: 'ours  forged', expected: false, run: () => verifyFormSignature({ url: URL, authToken: AUTH_TOKEN, signature: FORGED, params: PARAMS }).valid },
  {
    name: 'ours  parse + valid',
    expected: true,
    run: () => verifyFormSignature({ url: URL, authToken: AUTH_TOKEN, signature: GENUINE, params: parseFormBody(BODY) }).valid,
  },
  { name: 'SDK   valid ', expected: true, run: () => validateRequest(AUTH_TOKEN, GENUINE, URL, SDK_PARAMS) },
  { name: 'SDK   forged', expected: false, run: () => validateRequest(AUTH_TOKEN, FORGED, URL, SDK_PARAMS) },
];

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function measure({ run, expected, name }: Case): { median: number; p99: number } {
  for (let i = 0; i < WARM_UP; i++) {
    if (run() !== expected) throw new Error(`${name.trim()}: unexpected verdict`);
  }
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    run();
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  samples.sort();
  return { median: percentile(samples, 50), p99: percentile(samples, 99) };
}

console.log(`X-Twilio-Signature, ${PARAMS.length}-parameter form body, ${ITERATIONS} timed calls per case after ${WARM_UP} warm-up (node ${process.version})`);
console.log('case                    median µs    p99 µs');
for (const c of cases) {
  const { median, p99 } = measure(c);
  console.log(`${c.name.padEnd(22)} ${median.toFixed(2).padStart(9)} ${p99.toFixed(2).padStart(9)}`);
}
