import type { Customer } from '../domain/customer';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { crossCheck, type OnboardingOptions } from '../domain/onboarding';
import type { Clock } from '../services/support';
import type { OnboardingRunRepository } from '../store/onboarding-runs';
import type { WorkflowPort } from './port';
import { executionNameOf, resumeStep, timelineOf, type OnboardingRun, type OnboardingTimeline } from './timeline';

export interface OnboardingServiceDeps {
  runs: OnboardingRunRepository;
  workflow: WorkflowPort;
  clock: Clock;
  /** The partner's customer, or a NotFoundError (a foreign id is a 404 like a missing one). */
  customer(partnerId: string, customerId: string): Promise<Customer>;
  /** Hands the options to the registration steps before they run. */
  saveOptions?(partnerId: string, customerId: string, attempt: number, options: OnboardingOptions): Promise<void>;
}

export interface StartResult {
  timeline: OnboardingTimeline;
  /** False when the onboarding was already running (or done) and nothing new started. */
  started: boolean;
}

/** The state machine's input; deterministic for a run, so re-sending it is the same StartExecution. */
export const executionInput = (run: OnboardingRun) => ({
  input: { partnerId: run.partnerId, customerId: run.customerId, attempt: run.attempt },
  startAt: run.startAt,
  result: null,
  error: null,
});

/**
 * Starting, resuming and reading a customer's onboarding.
 *
 * Primary course: check the customer and the options together → record attempt N+1 starting at
 * the first step that has not succeeded → StartExecution named `<customer>-a<N+1>`. A repeated
 * request while it runs re-sends the same StartExecution (Step Functions answers with the running
 * execution, or starts it if the first request died before it could), so nothing runs twice.
 */
export function onboardingService({ runs, workflow, clock, customer, saveOptions }: OnboardingServiceDeps) {
  async function launch(run: OnboardingRun): Promise<boolean> {
    const { executionArn, alreadyStarted } = await workflow.start(run.executionName, executionInput(run));
    if (run.executionArn !== executionArn) await runs.setExecutionArn(run.partnerId, run.customerId, run.attempt, executionArn);
    run.executionArn = executionArn;
    return !alreadyStarted;
  }

  return {
    async start(partnerId: string, customerId: string, options: OnboardingOptions): Promise<StartResult> {
      const found = await customer(partnerId, customerId);
      const problems = crossCheck(found, options);
      if (problems.length > 0) {
        throw new ValidationError(
          'The customer and the onboarding options do not fit together',
          problems.flatMap((p) => p.fields.map((field) => ({ field, message: p.message }))),
        );
      }
      const current = await runs.get(partnerId, customerId);
      if (current?.status === 'running') return { timeline: timelineOf(current), started: await launch(current) };
      if (current?.status === 'succeeded') return { timeline: timelineOf(current), started: false };

      const at = clock.now().toISOString();
      const attempt = (current?.attempt ?? 0) + 1;
      const run: OnboardingRun = {
        partnerId,
        customerId,
        attempt,
        executionName: executionNameOf(customerId, attempt),
        status: 'running',
        startAt: resumeStep(current),
        options,
        startedAt: at,
        updatedAt: at,
        // Succeeded steps keep their SIDs and times; the failed one starts over in this attempt.
        steps: Object.fromEntries(Object.entries(current?.steps ?? {}).filter(([, s]) => s?.status === 'succeeded')),
      };
      if (!(await runs.begin(run, current?.attempt ?? 0))) {
        const winner = await runs.get(partnerId, customerId);
        if (!winner) throw new ConflictError('The onboarding changed while it was being started; retry');
        return { timeline: timelineOf(winner), started: false };
      }
      await saveOptions?.(partnerId, customerId, attempt, options);
      await launch(run);
      return { timeline: timelineOf(run), started: true };
    },

    async get(partnerId: string, customerId: string): Promise<OnboardingTimeline> {
      await customer(partnerId, customerId);
      const run = await runs.get(partnerId, customerId);
      if (!run) throw new NotFoundError(`Customer ${customerId} has not been onboarded yet`);
      return timelineOf(run);
    },
  };
}
