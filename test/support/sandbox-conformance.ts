/**
 * Holds the Twilio sandbox to Twilio's official OpenAPI specs in the integration and workflow
 * layers: every response it sends in a test file is validated (the specs load on the first one),
 * and the file fails on any violation that is not a documented exemption.
 */
import { appendFileSync } from 'node:fs';
import { observeSandboxResponses, type SandboxExchange } from '../../infra/local/twilio-sandbox';
import { exemptionFor } from './sandbox-exemptions';
import { validateTwilioResponse } from './twilio-openapi';

const violations: string[] = [];
const seen = new Set<string>();

function check(exchange: SandboxExchange): void {
  const url = `https://${exchange.host}${exchange.path}`;
  for (const violation of validateTwilioResponse({ method: exchange.method, url, status: exchange.status, body: exchange.body })) {
    if (exemptionFor(violation)) continue;
    if (seen.has(violation)) continue;
    seen.add(violation);
    violations.push(violation);
  }
}

const stop = observeSandboxResponses(check);

afterAll(() => {
  stop();
  if (violations.length === 0) return;
  if (process.env.SANDBOX_CONFORMANCE_REPORT) appendFileSync(process.env.SANDBOX_CONFORMANCE_REPORT, `${expect.getState().testPath}\n${violations.map((v) => `  ${v}`).join('\n')}\n`);
  throw new Error(`The Twilio sandbox answered outside Twilio's specs (fix the sandbox, or add a documented exemption):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
});
