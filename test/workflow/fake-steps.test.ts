import { scriptedSteps, succeeded, waiting, workflowHarness, PARTNER, type WorkflowHarness } from './harness';
import { CAMPAIGN } from './support';
import { onboardingDefinition } from '../../infra/workflows/onboarding-definition';
import type { StepOutcome } from '../../shared/services/registration/contract';
import { TwilioPermanentError, TwilioRetryableError } from '../../shared/twilio/errors';

/**
 * The real ASL under the local runner, with scripted steps: every route through the state
 * machine — straight through, waiting resumed by an event, the timeout falling back to polling,
 * failures recorded with their fields, retries, resumption, and the duplicate-start refusal.
 */
jest.setTimeout(30_000);

const OPTIONS = { brandType: 'STANDARD' as const, mock: false, campaign: CAMPAIGN };
let h: WorkflowHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(harness: WorkflowHarness, customerId = 'cus_1') {
  const result = await harness.onboarding.start(PARTNER, customerId, OPTIONS);
  await harness.idle();
  return result;
}
const execution = (harness: WorkflowHarness, name = 'cus_1-a1') => harness.runner.execution(name)!;

test('all steps succeed at once: one Run and one Choice per step, the timeline complete', async () => {
  const fake = scriptedSteps();
  h = await workflowHarness(fake.steps);
  const { started } = await start(h);
  expect(started).toBe(true);
  expect(execution(h).status).toBe('SUCCEEDED');
  expect(fake.callsOf('run')).toEqual(['subaccount', 'customerProfile', 'trustProduct', 'brand', 'messagingService', 'campaign', 'numbers']);
  expect(fake.callsOf('check')).toEqual([]);
  // Start + (Run + Status) × 7 + Onboarded.
  expect(execution(h).transitions).toBe(16);
  const timeline = await h.onboarding.get(PARTNER, 'cus_1');
  expect(timeline.status).toBe('succeeded');
  expect(timeline.steps.map((s) => [s.step, s.status])).toEqual([
    ['subaccount', 'succeeded'], ['customerProfile', 'succeeded'], ['trustProduct', 'succeeded'], ['brand', 'succeeded'],
    ['messagingService', 'succeeded'], ['campaign', 'succeeded'], ['numbers', 'succeeded'],
  ]);
  expect(timeline.steps[3]).toMatchObject({ sids: { brandSid: 'BR1' }, startedAt: '2025-01-01T00:00:00.000Z', completedAt: '2025-01-01T00:00:00.000Z' });
});

test('a waiting step parks its token and the status event resumes it; Check reads the truth once', async () => {
  const fake = scriptedSteps({ brand: { run: [waiting('brand-registration:BN1')], check: [succeeded('brand')] } });
  h = await workflowHarness(fake.steps);
  await start(h);
  expect(execution(h).waiting?.state).toBe('WaitBrand');
  expect((await h.onboarding.get(PARTNER, 'cus_1')).steps[3]).toMatchObject({ status: 'waiting', waitingFor: 'brand-registration:BN1' });

  expect(await h.resumeWaiting('brand-registration:BN1', { type: 'brand-registered' })).toBe('resumed');
  await h.idle();
  expect(execution(h).status).toBe('SUCCEEDED');
  expect(fake.callsOf('check')).toEqual(['brand']);
  // A duplicate of the event, and an event nobody waits for, change nothing.
  expect(await h.resumeWaiting('brand-registration:BN1')).toBe('not-waiting');
  expect(await h.resumeWaiting('brand-registration:BN-unknown')).toBe('not-waiting');
  expect(fake.callsOf('check')).toEqual(['brand']);
  // 16 + Wait + Check + Status.
  expect(execution(h).transitions).toBe(19);
});

test('an event that arrives before the wait parks its token resumes the execution at once', async () => {
  let harness!: WorkflowHarness;
  const fake = scriptedSteps({
    brand: {
      run: [
        () => {
          // The event is processed while the run task is still returning.
          void harness.resumeWaiting('brand-registration:BN1');
          return waiting('brand-registration:BN1');
        },
      ],
      check: [succeeded('brand')],
    },
  });
  h = harness = await workflowHarness(fake.steps);
  await start(h);
  expect(execution(h).status).toBe('SUCCEEDED');
  expect(fake.callsOf('check')).toEqual(['brand']);
});

test('a dropped event only delays: the wait times out on the runner clock and polling completes the step', async () => {
  const fake = scriptedSteps({ campaign: { run: [waiting('campaign:MG1')], check: [waiting('campaign:MG1'), succeeded('campaign')] } });
  h = await workflowHarness(fake.steps);
  await start(h);
  expect(execution(h).waiting?.state).toBe('WaitCampaign');
  expect(await h.advance(14_399)).toBe(0);
  expect(await h.advance(1)).toBe(1);
  expect(execution(h).waiting?.state).toBe('WaitCampaign');
  expect(await h.advance(14_400)).toBe(1);
  expect(execution(h).status).toBe('SUCCEEDED');
  expect(fake.callsOf('check')).toEqual(['campaign', 'campaign']);
  expect((await h.onboarding.get(PARTNER, 'cus_1')).steps[5]).toMatchObject({ status: 'succeeded', checks: 2 });
});

test('a review that never ends is bounded: after the last poll the step fails as stalled', async () => {
  const fake = scriptedSteps({ subaccount: { run: [waiting('account:AC1')], check: [waiting('account:AC1')] } });
  h = await workflowHarness(fake.steps);
  await start(h);
  for (let i = 0; i < 8; i++) await h.advance(900);
  expect(execution(h).status).toBe('FAILED');
  expect(fake.callsOf('check')).toHaveLength(8);
  const timeline = await h.onboarding.get(PARTNER, 'cus_1');
  expect(timeline).toMatchObject({ status: 'failed', failedStep: 'subaccount' });
  expect(timeline.steps[0]!.errors).toEqual([expect.objectContaining({ code: 'review-stalled' })]);
});

test('a failed step is recorded with the fields to fix; resuming starts a new attempt at that step', async () => {
  const rejected: StepOutcome = {
    status: 'failed',
    sids: { brandSid: 'BN1' },
    errors: [{ code: 30794, message: 'EIN does not match the legal name', fields: ['legalName', 'registration.number'], twilioFields: ['business_name'] }],
  };
  const fake = scriptedSteps({ brand: { run: [rejected, waiting('brand-registration:BN1')], check: [succeeded('brand')] } });
  h = await workflowHarness(fake.steps);
  await start(h);
  expect(execution(h).status).toBe('FAILED');
  expect(execution(h).error?.error).toBe('OnboardingStepFailed');
  let timeline = await h.onboarding.get(PARTNER, 'cus_1');
  expect(timeline).toMatchObject({ status: 'failed', failedStep: 'brand', attempt: 1 });
  expect(timeline.steps[3]).toMatchObject({ status: 'failed', sids: { brandSid: 'BN1' }, errors: rejected.errors });
  expect(timeline.steps[4]!.status).toBe('pending');

  const resumed = await start(h);
  expect(resumed.started).toBe(true);
  expect(resumed.timeline).toMatchObject({ attempt: 2, executionName: 'cus_1-a2', status: 'running' });
  await h.resumeWaiting('brand-registration:BN1');
  await h.idle();
  expect(execution(h, 'cus_1-a2').status).toBe('SUCCEEDED');
  // Attempt 2 started at the brand: the steps before it were not run again.
  expect(fake.calls.filter((c) => c.attempt === 2 && c.kind === 'run').map((c) => c.step)).toEqual(['brand', 'messagingService', 'campaign', 'numbers']);
  timeline = await h.onboarding.get(PARTNER, 'cus_1');
  expect(timeline).toMatchObject({ status: 'succeeded', attempt: 2 });
  expect(timeline.steps[0]).toMatchObject({ status: 'succeeded', sids: { subaccountSid: 'SU1' } });
  expect(timeline.steps[3]).toMatchObject({ status: 'succeeded', sids: { brandSid: 'BR1' } });
  expect(timeline.steps[3]!.errors).toBeUndefined();

  // Each run ended with one event; a retried end task (Lambda retries it) and a task of the
  // superseded attempt tell nothing again, and change nothing.
  const ends = async () => (await h!.eventTypes(PARTNER)).filter((t) => t === 'onboarding.failed' || t === 'onboarding.completed');
  expect(await ends()).toEqual(['onboarding.failed', 'onboarding.completed']);
  await h.tasks.markFailed({ input: { partnerId: PARTNER, customerId: 'cus_1', attempt: 2 }, step: 'numbers', result: null, failure: { Error: 'Retried' } });
  await h.tasks.markFailed({ input: { partnerId: PARTNER, customerId: 'cus_1', attempt: 1 }, step: 'brand', result: { outcome: rejected, polls: 0 }, failure: null });
  await h.tasks.runStep({ step: 'numbers', input: { partnerId: PARTNER, customerId: 'cus_1', attempt: 2 } });
  expect(await ends()).toEqual(['onboarding.failed', 'onboarding.completed']);
  expect(await h.onboarding.get(PARTNER, 'cus_1')).toMatchObject({ status: 'succeeded', attempt: 2 });
});

test('Twilio throttling is retried by the state machine; a permanent refusal fails the step with its code', async () => {
  let throttled = 0;
  const fake = scriptedSteps({
    trustProduct: {
      run: [
        () => {
          if (throttled++ < 2) throw new TwilioRetryableError({ code: 20429, status: 429, message: 'Too Many Requests', moreInfo: null });
          return succeeded('trustProduct');
        },
      ],
    },
    messagingService: {
      run: [
        () => {
          throw new TwilioPermanentError({ code: 21610, status: 400, message: 'Attempt to send to unsubscribed recipient', moreInfo: null });
        },
      ],
    },
  });
  h = await workflowHarness(fake.steps);
  await start(h);
  expect(throttled).toBe(3);
  expect(execution(h).history.filter((e) => e.type === 'StateRetried').map((e) => e.state?.name)).toEqual(['RunTrustProduct', 'RunTrustProduct']);
  const timeline = await h.onboarding.get(PARTNER, 'cus_1');
  expect(timeline).toMatchObject({ status: 'failed', failedStep: 'messagingService' });
  expect(timeline.steps[2]!.status).toBe('succeeded');
  expect(timeline.steps[4]!.errors).toEqual([{ code: 21610, message: 'Attempt to send to unsubscribed recipient', fields: [] }]);
});

test('throttling that outlasts every retry fails the step as twilio-unavailable', async () => {
  const fake = scriptedSteps({
    customerProfile: {
      run: [
        () => {
          throw new TwilioRetryableError({ code: 20429, status: 429, message: 'Too Many Requests', moreInfo: null });
        },
      ],
    },
  });
  h = await workflowHarness(fake.steps);
  await start(h);
  // The first call and six retries (MaxAttempts), then Catch → MarkFailed.
  expect(fake.callsOf('run').filter((s) => s === 'customerProfile')).toHaveLength(7);
  const timeline = await h.onboarding.get(PARTNER, 'cus_1');
  // The step's own error reaches MarkFailed (under $.failure): Twilio's answer, at the step that failed.
  expect(timeline).toMatchObject({ status: 'failed', failedStep: 'customerProfile' });
  expect(timeline.steps[1]!.errors).toEqual([expect.objectContaining({ code: 'twilio-unavailable', message: expect.stringContaining('Too Many Requests') })]);
});

test('an unexpected error is caught and recorded by its type, without its message', async () => {
  const fake = scriptedSteps({ numbers: { run: [() => { throw new TypeError('secret internals'); }] } });
  h = await workflowHarness(fake.steps);
  await start(h);
  const timeline = await h.onboarding.get(PARTNER, 'cus_1');
  expect(timeline).toMatchObject({ status: 'failed', failedStep: 'numbers' });
  expect(timeline.steps[6]!.errors).toEqual([expect.objectContaining({ code: 'internal-error', message: expect.stringContaining('(TypeError)') })]);
  expect(JSON.stringify(timeline)).not.toContain('secret internals');
});

test('an event that finds a stale token (an execution lost with its runner) is remembered for the wait that parks next', async () => {
  const fake = scriptedSteps({ brand: { run: [waiting('brand-registration:BN1')], check: [succeeded('brand')] } });
  h = await workflowHarness(fake.steps);
  // Left by the execution before a restart; the new one has not reached its wait yet.
  await h.tokens.park('brand-registration:BN1', 'token-of-the-lost-execution', { executionName: 'cus_1-a1', step: 'brand' }, new Date());
  expect(await h.resumeWaiting('brand-registration:BN1')).toBe('gone');
  await start(h);
  expect(execution(h).status).toBe('SUCCEEDED');
  expect(fake.callsOf('check')).toEqual(['brand']);
});

test("an execution still running past the definition's TimeoutSeconds is stopped as timed out, on the runner's clock", async () => {
  const fake = scriptedSteps({ brand: { run: [waiting('brand-registration:BN1')], check: [waiting('brand-registration:BN1')] } });
  h = await workflowHarness(fake.steps);
  await start(h);
  expect(execution(h).waiting?.state).toBe('WaitBrand');
  // One wait's worth: the wait times out into a check, the execution runs on.
  await h.advance(3600);
  expect(execution(h)).toMatchObject({ status: 'RUNNING', waiting: { state: 'WaitBrand' } });
  await h.advance(onboardingDefinition().TimeoutSeconds);
  expect(execution(h)).toMatchObject({ status: 'TIMED_OUT', error: { error: 'States.Timeout' } });
});

test('starting twice runs one execution; the runner refuses a second execution of the same name', async () => {
  const fake = scriptedSteps({ brand: { run: [waiting('brand-registration:BN1')] } });
  h = await workflowHarness(fake.steps);
  const first = await start(h);
  const second = await start(h);
  expect(first.started).toBe(true);
  expect(second).toMatchObject({ started: false, timeline: { attempt: 1, executionName: 'cus_1-a1' } });
  expect(h.runner.executions()).toHaveLength(1);
  expect(fake.callsOf('run').filter((s) => s === 'subaccount')).toHaveLength(1);
  await expect(h.runner.startExecution('cus_1-a1', { other: true })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
});

test('a foreign customer is a 404 and nothing starts', async () => {
  h = await workflowHarness(scriptedSteps().steps);
  await expect(h.onboarding.start('ptn_other', 'cus_1', OPTIONS)).rejects.toMatchObject({ status: 404 });
  await expect(h.onboarding.get('ptn_other', 'cus_1')).rejects.toMatchObject({ status: 404 });
  expect(h.runner.executions()).toHaveLength(0);
});
