import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import type { ApiClient } from '../support/local-platform';

/** The platform's sandbox with its scenario controls (the platform types only what it uses). */
export const sandboxOf = (platform: Platform) => platform.twilioSandbox as unknown as TwilioSandbox;

export const CAMPAIGN = {
  useCase: 'ACCOUNT_NOTIFICATION',
  description: 'Acme sends order confirmations and delivery updates to customers who ordered online.',
  messageFlow: 'Customers opt in by checking an SMS box at checkout on https://acme.example.com/checkout and confirming by reply.',
  messageSamples: ['Acme: your order [order_id] has shipped. Reply STOP to opt out.', 'Acme: your order [order_id] was delivered. Reply HELP for help, STOP to opt out.'],
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
};

/**
 * Drives the platform until the onboarding execution ends: let the workflow run until it waits,
 * move sandbox time so Twilio's reviews complete (its webhooks reach the receivers), deliver the
 * queued events (which resume the waits). No sleeping: every clock is moved by hand.
 */
export async function runToEnd(platform: Platform, executionName: string, { reviewSeconds = 60, maxRounds = 40, onRound }: { reviewSeconds?: number; maxRounds?: number; onRound?: () => Promise<unknown> } = {}) {
  const sandbox = sandboxOf(platform);
  for (let round = 0; round < maxRounds; round++) {
    await platform.workflow.whenIdle();
    const execution = platform.workflow.execution(executionName);
    if (!execution) throw new Error(`no execution ${executionName}`);
    if (execution.status !== 'RUNNING') return execution;
    await onRound?.();
    await sandbox.advance(reviewSeconds);
    await platform.queues.drain();
  }
  throw new Error(`${executionName} still running after ${maxRounds} rounds: ${JSON.stringify(platform.workflow.execution(executionName)?.waiting)}`);
}

export async function newCustomer(api: ApiClient, body: Record<string, unknown>): Promise<string> {
  const created = await api.post('/v1/customers', body);
  if (created.status !== 201) throw new Error(`customer create answered ${created.status}: ${created.text}`);
  return created.body.id as string;
}
