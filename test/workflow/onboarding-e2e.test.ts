import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from './support';

/**
 * End to end through the local HTTP API: the real handlers, steps, ASL and runner, DynamoDB
 * Local and the Twilio sandbox, with Twilio's events travelling receiver → queue → consumer →
 * task token.
 */
let platform: Platform;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('onboarding-e2e', { twilio: 'sandbox', clock: manualClock() });
  const { apiKey } = await platform.admin.createPartnerWithKey('E2E partner');
  api = apiClient(platform.url, apiKey);
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

test('a Standard customer ends with a verified campaign and an attached number, every step on the timeline', async () => {
  const id = await newCustomer(api, customerBody());
  const started = await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } });
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ customerId: id, attempt: 1, status: 'running', executionName: `${id}-a1` });

  const execution = await runToEnd(platform, `${id}-a1`);
  const timeline = (await api.get(`/v1/customers/${id}/onboarding`)).body;
  expect({ status: execution.status, timeline: timeline.status, errors: timeline.steps.flatMap((s: { errors?: unknown[] }) => s.errors ?? []) }).toEqual({ status: 'SUCCEEDED', timeline: 'succeeded', errors: [] });
  expect(timeline.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual([
    'subaccount:succeeded', 'customerProfile:succeeded', 'trustProduct:succeeded', 'brand:succeeded',
    'messagingService:succeeded', 'campaign:succeeded', 'numbers:succeeded',
  ]);
  for (const step of timeline.steps) expect(step).toMatchObject({ startedAt: expect.any(String), completedAt: expect.any(String) });
  expect(execution.transitions).toBeLessThanOrEqual(60);

  const sandbox = sandboxOf(platform);
  const accountSid = timeline.steps[0].sids.accountSid as string;
  const campaigns = sandbox.requests().filter((r) => r.method === 'POST' && /Compliance\/Usa2p$/.test(r.path));
  expect(campaigns).toHaveLength(1);
  expect(accountSid).toMatch(/^AC/);
  // A second POST after success starts nothing.
  const again = await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } });
  expect(again.status).toBe(200);
  expect(platform.workflow.executions().filter((e) => e.name.startsWith(id))).toHaveLength(1);
});
