import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { LocalExecution } from '../../infra/local/workflow';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, sandboxOf } from './support';

/**
 * Onboarding scenarios with the real steps: the project's ASL on the local runner, the task
 * handlers, DynamoDB Local, the Twilio sandbox and Twilio's events travelling receiver → queue →
 * consumer → task token. Time is moved by hand (sandbox reviews, the runner's wait deadlines),
 * never slept, so each scenario is deterministic. Twilio resources are counted from the sandbox's
 * request log, per subaccount, so scenarios sharing the platform never see each other's calls.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let clock: ManualClock;
let api: ApiClient;

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('onboarding-scenarios', { twilio: 'sandbox', clock });
  sandbox = sandboxOf(platform);
  const { apiKey } = await platform.admin.createPartnerWithKey('Scenario partner');
  api = apiClient(platform.url, apiKey);
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(() => {
  // A scenario's unspent rules must not leak into the next one.
  for (const rule of sandbox.rules()) sandbox.removeRule(rule.id);
});

const STEPS = ['subaccount', 'customerProfile', 'trustProduct', 'brand', 'messagingService', 'campaign', 'numbers'];
const SOLE_PROP_CAMPAIGN = {
  ...CAMPAIGN,
  useCase: 'SOLE_PROPRIETOR',
  description: 'Ada Lovelace Tutoring texts appointment reminders to students who booked a lesson.',
  messageSamples: ['Ada Lovelace Tutoring: your lesson is tomorrow at [time]. Reply STOP to opt out.', 'Ada Lovelace Tutoring: lesson moved to [date]. Reply STOP to opt out.'],
};
const standard = (brandType = 'STANDARD') => ({ brandType, mock: true, campaign: CAMPAIGN, numbers: { count: 1 } });

interface TimelineStep {
  step: string;
  status: string;
  startedAt?: string;
  completedAt?: string;
  sids: Record<string, string>;
  waitingFor?: string;
  checks?: number;
  errors?: Array<{ code: number | string; message: string; fields: string[] }>;
}

async function timeline(customerId: string): Promise<{ status: string; attempt: number; failedStep?: string; steps: TimelineStep[] }> {
  const reply = await api.get(`/v1/customers/${customerId}/onboarding`);
  expect(reply.status).toBe(200);
  return reply.body;
}
const stepOf = async (customerId: string, step: string) => (await timeline(customerId)).steps.find((s) => s.step === step)!;

async function startOnboarding(customerId: string, options: unknown, expectedStatus = 202) {
  const reply = await api.post(`/v1/customers/${customerId}/onboarding`, options);
  expect({ status: reply.status, text: reply.status === expectedStatus ? '' : reply.text }).toEqual({ status: expectedStatus, text: '' });
  return reply.body as { attempt: number; executionName: string };
}

/**
 * One round: let the workflow run until it ends or parks on a token, then move sandbox time so
 * reviews complete and deliver the queued Twilio events. `until` stops early (e.g. "waiting on
 * the brand"), before this round's sandbox time moves.
 */
async function drive(executionName: string, { until, rounds = 40 }: { until?: (e: LocalExecution) => boolean; rounds?: number } = {}): Promise<LocalExecution> {
  for (let round = 0; round < rounds; round++) {
    await platform.workflow.whenIdle();
    const execution = platform.workflow.execution(executionName)!;
    if (execution.status !== 'RUNNING' || until?.(execution)) return execution;
    await sandbox.advance(60);
    await platform.queues.drain();
  }
  throw new Error(`${executionName} did not get there in ${rounds} rounds; parked on ${JSON.stringify(platform.workflow.execution(executionName)?.waiting)}`);
}
const waitingIn = (state: string) => (e: LocalExecution) => e.waiting?.state === state;

/** Successful Twilio POSTs in one subaccount by path template (SIDs folded), e.g. `/v1/CustomerProfiles/{sid}/EntityAssignments`. */
function creates(accountSid: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of sandbox.requests({ method: 'POST', accountSid })) {
    if (r.status >= 300) continue;
    const template = r.path.replace(/[A-Z]{2}[0-9a-f]{32}/g, '{sid}');
    counts[template] = (counts[template] ?? 0) + 1;
  }
  return counts;
}

/** The partner's events about one customer, paging through GET /v1/events. */
async function eventsOf(customerId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const all: Array<{ type: string; customerId?: string; data: Record<string, unknown> }> = [];
  let after: string | undefined;
  for (;;) {
    const reply = await api.get(`/v1/events${after ? `?after=${after}` : ''}`);
    expect(reply.status).toBe(200);
    all.push(...reply.body.data);
    if (reply.body.nextCursor === null) break;
    after = reply.body.nextCursor;
  }
  return all.filter((e) => e.customerId === customerId);
}

/** The Twilio resources a whole Standard / LVS onboarding creates, each exactly once (TWILIO.md §2.1). */
const STANDARD_CREATES = {
  '/v1/Sinks': 1,
  '/v1/Subscriptions': 1,
  '/v1/CustomerProfiles': 1,
  '/v1/EndUsers': 3,
  '/2010-04-01/Accounts/{sid}/Addresses.json': 1,
  '/v1/SupportingDocuments': 1,
  '/v1/TrustProducts': 1,
  '/v1/a2p/BrandRegistrations': 1,
  '/v1/Services': 1,
  '/v1/Services/{sid}/Compliance/Usa2p': 1,
  '/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json': 1,
  '/v1/Services/{sid}/PhoneNumbers': 1,
};
function expectCreatedOnce(accountSid: string, extra: Record<string, number> = {}) {
  const counted = creates(accountSid);
  const wanted = { ...STANDARD_CREATES, ...extra };
  expect(Object.fromEntries(Object.keys(wanted).map((k) => [k, counted[k] ?? 0]))).toEqual(wanted);
  // The subaccount itself is created by the master account, under a name that is the customer's.
  const name = sandbox.account(accountSid)!.friendlyName;
  expect(sandbox.requests({ method: 'POST', path: '/2010-04-01/Accounts.json' }).filter((r) => r.status < 300 && r.params.FriendlyName === name)).toHaveLength(1);
}

function expectCompleteTimeline(steps: TimelineStep[]) {
  expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(STEPS.map((s) => `${s}:succeeded`));
  for (const s of steps) {
    expect(s).toMatchObject({ startedAt: expect.any(String), completedAt: expect.any(String) });
    expect(Date.parse(s.completedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!));
    expect(s.errors ?? []).toEqual([]);
  }
  const sids = Object.assign({}, ...steps.map((s) => s.sids)) as Record<string, string>;
  expect(sids).toMatchObject({
    accountSid: expect.stringMatching(/^AC/),
    customerProfileSid: expect.stringMatching(/^BU/),
    trustProductSid: expect.stringMatching(/^BU/),
    brandSid: expect.stringMatching(/^BN/),
    messagingServiceSid: expect.stringMatching(/^MG/),
    campaignSid: expect.stringMatching(/^QE/),
  });
  expect(Object.entries(steps.find((s) => s.step === 'numbers')!.sids).some(([k, v]) => k.startsWith('number:+1') && v.startsWith('PN'))).toBe(true);
  return sids;
}

test('Low-Volume Standard: SkipAutomaticSecVet is sent, every step lands on the timeline and in the partner events', async () => {
  const id = await newCustomer(api, customerBody());
  const started = await startOnboarding(id, standard('LOW_VOLUME_STANDARD'));
  const execution = await drive(started.executionName);
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.transitions).toBeLessThanOrEqual(60);

  const t = await timeline(id);
  expect(t.status).toBe('succeeded');
  const sids = expectCompleteTimeline(t.steps);
  const brand = sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: sids.accountSid });
  expect(brand.map((r) => r.params)).toEqual([expect.objectContaining({ BrandType: 'STANDARD', SkipAutomaticSecVet: 'true' })]);
  expectCreatedOnce(sids.accountSid!);

  const events = await eventsOf(id);
  const types = new Set(events.map((e) => e.type));
  for (const type of ['onboarding.step.updated', 'brand.updated', 'campaign.updated', 'number.updated']) expect(types).toContain(type);
  const stepEvents = events.filter((e) => e.type === 'onboarding.step.updated' && e.data.status === 'succeeded').map((e) => e.data.step);
  expect(new Set(stepEvents)).toEqual(new Set(STEPS));
  expect(events.filter((e) => e.type === 'number.updated').map((e) => e.data.status)).toEqual(expect.arrayContaining(['purchased', 'attached', 'registered']));
});

test('Sole Proprietor: the brand waits on the OTP until the owner confirms it, then the onboarding completes', async () => {
  const id = await newCustomer(api, customerBody({ legalName: 'Ada Lovelace', displayName: 'Ada Lovelace Tutoring', businessType: 'Sole Proprietorship', registration: undefined }));
  const started = await startOnboarding(id, { brandType: 'SOLE_PROPRIETOR', mock: false, campaign: SOLE_PROP_CAMPAIGN, numbers: { count: 1 } });

  // The brand is approved but the owner has not replied YES: the step waits on the OTP, however long sandbox time runs.
  await drive(started.executionName, { until: (e) => e.waiting?.state === 'WaitBrand' && e.history.some((h) => h.state?.name === 'CheckBrand') });
  for (let i = 0; i < 3; i++) {
    await sandbox.advance(600);
    await platform.queues.drain();
    await platform.workflow.whenIdle();
  }
  const brand = await stepOf(id, 'brand');
  expect(brand).toMatchObject({ status: 'waiting', waitingFor: `brand-otp:${brand.sids.brandSid}` });
  expect(platform.workflow.execution(started.executionName)?.waiting?.state).toBe('WaitBrand');

  await sandbox.confirmBrandOtp(brand.sids.brandSid!);
  await platform.queues.drain();
  const execution = await drive(started.executionName);
  expect(execution.status).toBe('SUCCEEDED');

  const t = await timeline(id);
  const sids = expectCompleteTimeline(t.steps);
  const accountSid = sids.accountSid!;
  expect(sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid }).map((r) => r.params.BrandType)).toEqual(['SOLE_PROPRIETOR']);
  const endUsers = sandbox.requests({ method: 'POST', path: '/v1/EndUsers', accountSid }).map((r) => r.params.Type);
  expect(endUsers).toEqual(['starter_customer_profile_information', 'sole_proprietor_information']);
  expect(sandbox.requests({ method: 'POST', path: /Compliance\/Usa2p$/, accountSid }).map((r) => r.params.UsAppToPersonUsecase)).toEqual(['SOLE_PROPRIETOR']);
});

test('a noncompliant evaluation fails the customer profile step with the fields to fix; nothing is submitted', async () => {
  const id = await newCustomer(api, customerBody({ legalName: 'Acme Widgets [noncompliant] LLC' }));
  const started = await startOnboarding(id, standard());
  const execution = await drive(started.executionName);
  expect(execution.status).toBe('FAILED');

  const t = await timeline(id);
  expect({ status: t.status, failedStep: t.failedStep }).toEqual({ status: 'failed', failedStep: 'customerProfile' });
  const profile = t.steps.find((s) => s.step === 'customerProfile')!;
  expect(profile).toMatchObject({ status: 'failed', completedAt: expect.any(String), sids: { customerProfileSid: expect.stringMatching(/^BU/) } });
  expect(profile.errors!.length).toBeGreaterThan(0);
  for (const error of profile.errors!) expect(error).toMatchObject({ code: expect.anything(), message: expect.any(String), fields: expect.arrayContaining([expect.any(String)]) });
  expect(t.steps.filter((s) => STEPS.indexOf(s.step) > STEPS.indexOf('customerProfile')).map((s) => s.status)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);

  const accountSid = t.steps[0]!.sids.accountSid!;
  const posted = creates(accountSid);
  expect(posted['/v1/CustomerProfiles/{sid}/Evaluations']).toBe(1);
  // Never submitted for review, and nothing after it was created.
  expect(sandbox.requests({ method: 'POST', path: `/v1/CustomerProfiles/${profile.sids.customerProfileSid}`, accountSid })).toEqual([]);
  for (const later of ['/v1/TrustProducts', '/v1/a2p/BrandRegistrations', '/v1/Services']) expect(posted[later]).toBeUndefined();
  const failures = (await eventsOf(id)).filter((e) => e.type === 'onboarding.step.updated' && e.data.status === 'failed');
  expect(failures.map((e) => e.data.step)).toEqual(['customerProfile']);
});

test('a FAILED brand shows its errors; after the partner fixes the customer, resuming resubmits the same brand', async () => {
  const id = await newCustomer(api, customerBody({ legalName: 'Acme Widgets [fail:brand] LLC' }));
  const first = await startOnboarding(id, standard());
  expect((await drive(first.executionName)).status).toBe('FAILED');

  const failed = await timeline(id);
  expect({ status: failed.status, failedStep: failed.failedStep }).toEqual({ status: 'failed', failedStep: 'brand' });
  const brand = failed.steps.find((s) => s.step === 'brand')!;
  expect(brand).toMatchObject({ status: 'failed', sids: { brandSid: expect.stringMatching(/^BN/) } });
  expect(brand.errors!.length).toBeGreaterThan(0);
  expect(brand.errors!.flatMap((e) => e.fields).length).toBeGreaterThan(0);
  expect((await eventsOf(id)).some((e) => e.type === 'brand.updated' && e.data.status === 'failed')).toBe(true);

  expect((await api.patch(`/v1/customers/${id}`, { legalName: 'Acme Widgets LLC' })).status).toBe(200);
  const second = await startOnboarding(id, standard());
  expect(second).toMatchObject({ attempt: 2, executionName: `${id}-a2` });
  const execution = await drive(second.executionName);
  expect(execution.status).toBe('SUCCEEDED');
  expect(platform.workflow.execution(second.executionName)!.history.some((h) => h.state?.name === 'RunSubaccount')).toBe(false);

  const t = await timeline(id);
  expect({ status: t.status, attempt: t.attempt }).toEqual({ status: 'succeeded', attempt: 2 });
  const sids = expectCompleteTimeline(t.steps);
  expect(sids.brandSid).toBe(brand.sids.brandSid);
  const accountSid = sids.accountSid!;
  expectCreatedOnce(accountSid);
  // The same brand was reviewed again, with the fixed legal name carried into its bundle.
  expect(sandbox.requests({ method: 'POST', path: `/v1/a2p/BrandRegistrations/${sids.brandSid}`, accountSid }).filter((r) => r.status < 300)).toHaveLength(1);
  const rewritten = sandbox.requests({ method: 'POST', path: /^\/v1\/EndUsers\/IT/, accountSid }).map((r) => JSON.parse(String(r.params.Attributes)));
  expect(rewritten).toContainEqual(expect.objectContaining({ business_name: 'Acme Widgets LLC' }));
});

test('a FAILED campaign is deleted and recreated when the onboarding is resumed', async () => {
  sandbox.addRule({ type: 'fail', step: 'campaign', times: 1, errors: [{ code: 30893, description: 'Message samples do not match the use case', fields: ['MessageSamples'] }] });
  const id = await newCustomer(api, customerBody());
  const first = await startOnboarding(id, standard());
  expect((await drive(first.executionName)).status).toBe('FAILED');

  const failed = await timeline(id);
  expect(failed.failedStep).toBe('campaign');
  const campaign = failed.steps.find((s) => s.step === 'campaign')!;
  expect(campaign).toMatchObject({ status: 'failed', sids: { campaignSid: expect.stringMatching(/^QE/) } });
  expect(campaign.errors).toEqual([expect.objectContaining({ code: 30893, fields: expect.arrayContaining([expect.stringMatching(/^campaign\.messageSamples/)]) })]);
  expect((await eventsOf(id)).some((e) => e.type === 'campaign.updated' && e.data.status === 'failed')).toBe(true);

  const second = await startOnboarding(id, standard());
  expect((await drive(second.executionName)).status).toBe('SUCCEEDED');
  const sids = expectCompleteTimeline((await timeline(id)).steps);
  expect(sids.campaignSid).not.toBe(campaign.sids.campaignSid);
  const accountSid = sids.accountSid!;
  expectCreatedOnce(accountSid, { '/v1/Services/{sid}/Compliance/Usa2p': 2 });
  expect(sandbox.requests({ method: 'DELETE', path: `/v1/Services/${sids.messagingServiceSid}/Compliance/Usa2p/${campaign.sids.campaignSid}`, accountSid })).toHaveLength(1);
});

test('throttling on brand registration (429 more times than the client retries) is retried by the workflow and completes', async () => {
  const throttled = 6;
  sandbox.addRule({ type: 'throttle', method: 'POST', path: '/v1/a2p/BrandRegistrations', times: throttled });
  const id = await newCustomer(api, customerBody());
  const started = await startOnboarding(id, standard());
  const execution = await drive(started.executionName);
  expect(execution.status).toBe('SUCCEEDED');
  // The state machine retried the step (the client's own retries were spent).
  expect(execution.history.filter((h) => h.type === 'StateRetried' && h.state?.name === 'RunBrand').length).toBeGreaterThan(0);

  const sids = expectCompleteTimeline((await timeline(id)).steps);
  const attempts = sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: sids.accountSid });
  expect(attempts.map((r) => r.status)).toEqual([...Array(throttled).fill(429), 201]);
  expectCreatedOnce(sids.accountSid!);
});

test('a dropped brand event only delays: the wait times out on the runner clock and the poll completes the step', async () => {
  const id = await newCustomer(api, customerBody());
  const started = await startOnboarding(id, standard());
  await drive(started.executionName, { until: waitingIn('WaitBrand') });

  const drop = sandbox.addRule({ type: 'webhook', action: 'drop', kind: 'event-stream' });
  await sandbox.advance(600);
  await platform.queues.drain();
  await platform.workflow.whenIdle();
  sandbox.removeRule(drop);
  const brandSid = (await stepOf(id, 'brand')).sids.brandSid!;
  expect(sandbox.webhooks({ kind: 'event-stream' }).some((w) => w.outcome === 'dropped' && w.body.includes(brandSid))).toBe(true);
  // Approved at Twilio, but nobody told us: still parked.
  expect(platform.workflow.execution(started.executionName)!.waiting?.state).toBe('WaitBrand');
  expect(await stepOf(id, 'brand')).toMatchObject({ status: 'waiting', waitingFor: `brand:${brandSid}` });

  clock.advance(3600 * 1000);
  expect(platform.workflow.expireWaits()).toBe(1);
  const execution = await drive(started.executionName);
  expect(execution.status).toBe('SUCCEEDED');
  expect(execution.history.some((h) => h.type === 'StateEntered' && h.state?.name === 'CheckBrand')).toBe(true);
  const t = await timeline(id);
  expectCompleteTimeline(t.steps);
  expect(t.steps.find((s) => s.step === 'brand')).toMatchObject({ checks: 1 });
});

test('re-running after a crash mid-step creates no Twilio resource twice', async () => {
  // Every create before the address document succeeds; the document keeps failing with 500
  // until the step and its retries give up, as if the function died mid-step.
  sandbox.addRule({ type: 'server-error', method: 'POST', path: '/v1/SupportingDocuments', times: 20 });
  const id = await newCustomer(api, customerBody());
  const first = await startOnboarding(id, standard());
  expect((await drive(first.executionName)).status).toBe('FAILED');
  const failed = await timeline(id);
  expect(failed.failedStep).toBe('customerProfile');
  expect(failed.steps.find((s) => s.step === 'customerProfile')!.errors).toEqual([expect.objectContaining({ code: 'twilio-unavailable' })]);
  for (const rule of sandbox.rules()) sandbox.removeRule(rule.id);

  // Resumed at the failed step, which adopts what the crashed runs stored.
  const second = await startOnboarding(id, standard());
  expect((await drive(second.executionName)).status).toBe('SUCCEEDED');
  const sids = expectCompleteTimeline((await timeline(id)).steps);
  expectCreatedOnce(sids.accountSid!);

  // Starting again once done changes nothing.
  await startOnboarding(id, standard(), 200);
  expect(platform.workflow.executions().filter((e) => e.name.startsWith(`${id}-`)).map((e) => e.name)).toEqual([first.executionName, second.executionName]);
  expectCreatedOnce(sids.accountSid!);
});
