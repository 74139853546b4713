/**
 * The documented places where the sandbox follows Twilio's real behaviour over its spec: each
 * exemption must still be needed (the sandbox's own response violates the spec exactly there),
 * and must forgive nothing else.
 */
import { observeSandboxResponses, startTwilioSandbox, type SandboxExchange, type TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { SANDBOX_EXEMPTIONS, exemptionFor } from '../support/sandbox-exemptions';
import { validateTwilioResponse } from '../support/twilio-openapi';

const MASTER = `AC${'a'.repeat(32)}`;
const TOKEN = 'master-token-for-tests';

let sandbox: TwilioSandbox;
beforeAll(async () => {
  sandbox = await startTwilioSandbox({ masterAccountSid: MASTER, masterAuthToken: TOKEN, dispatch: async () => ({ status: 200 }) });
});
afterAll(() => sandbox.stop());

async function exchange(method: string, path: string): Promise<SandboxExchange> {
  const seen: SandboxExchange[] = [];
  const stop = observeSandboxResponses((e) => seen.push(e));
  try {
    const res = await fetch(`${sandbox.url}/api.twilio.com${path}`, { method, headers: { authorization: `Basic ${Buffer.from(`${MASTER}:${TOKEN}`).toString('base64')}` } });
    await res.arrayBuffer();
  } finally {
    stop();
  }
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

const violationsOf = (e: SandboxExchange) => validateTwilioResponse({ method: e.method, url: `https://${e.host}${e.path}`, status: e.status, body: e.body });

describe('sandbox exemptions', () => {
  it('each names why it exists', () => {
    for (const e of SANDBOX_EXEMPTIONS) expect(e.why.length).toBeGreaterThan(40);
    expect(new Set(SANDBOX_EXEMPTIONS.map((e) => e.id)).size).toBe(SANDBOX_EXEMPTIONS.length);
  });

  it('available-number-capability-case: still needed, and covers only the capability keys', async () => {
    const listed = await exchange('GET', `/2010-04-01/Accounts/${MASTER}/AvailablePhoneNumbers/US/Local.json?AreaCode=415`);
    expect(listed.status).toBe(200);
    const violations = violationsOf(listed);
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) expect(exemptionFor(v)?.id).toBe('available-number-capability-case');

    // Anything else wrong in the same response is still a violation.
    const body = listed.body as { available_phone_numbers: Array<Record<string, unknown>> };
    const broken = { ...body, available_phone_numbers: body.available_phone_numbers.map((n) => ({ ...n, lata: 415, surprise: true })) };
    const others = validateTwilioResponse({ method: 'GET', url: `https://${listed.host}${listed.path}`, status: 200, body: broken }).filter((v) => !exemptionFor(v));
    expect(others).toEqual(expect.arrayContaining([expect.stringMatching(/surprise is not declared/), expect.stringMatching(/lata/)]));
  });

  it('the observer sees error responses too, and they conform', async () => {
    const missing = await exchange('GET', `/2010-04-01/Accounts/${MASTER}/IncomingPhoneNumbers/PN${'0'.repeat(32)}.json`);
    expect(missing.status).toBe(404);
    expect(violationsOf(missing)).toEqual([]);
  });
});
