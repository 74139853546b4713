import { isDeepStrictEqual } from 'node:util';
import { requireOpen, type Customer } from '../domain/customer';
import { ConflictError, NotFoundError, OnboardingPreflightError } from '../domain/errors';
import type { OnboardingOptions } from '../domain/onboarding';
import { contentFindings, mergeOptions, numberFindings, reportOf, type PreflightReport } from '../services/registration/preflight';
import type { Clock } from '../services/support';
import type { OnboardingRunRepository } from '../store/onboarding-runs';
import type { AvailableNumber, NumberSearch } from '../twilio/gateway';
import type { WorkflowPort } from './port';
import { executionNameOf, resumeStep, timelineOf, type OnboardingRun, type OnboardingTimeline } from './timeline';

export interface OnboardingRunServiceDeps {
  runs: OnboardingRunRepository;
  /** Only starts executions (the operator CLI passes a port that can do no more). */
  workflow: Pick<WorkflowPort, 'start'>;
  clock: Clock;
  /** The partner's customer, or a NotFoundError (a foreign id is a 404 like a missing one). */
  customer(partnerId: string, customerId: string): Promise<Customer>;
  /** Hands the options to the registration steps before they run. */
  saveOptions?(partnerId: string, customerId: string, attempt: number, options: OnboardingOptions): Promise<void>;
  /** A number search on the ISV's account (free), to know the numbers can be had before anything is bought. */
  searchNumbers?(query: NumberSearch): Promise<AvailableNumber[]>;
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
  failure: null,
});

/**
 * The input that runs attempt `attempt` again from where it got to — its first step that has not
 * succeeded (the steps before it are skipped, not re-run) — when an execution of it was lost
 * while running (the local runner keeps executions in memory). Undefined when the run is no
 * longer that attempt, or has ended: nothing is to be resumed.
 */
export function restartInput(run: OnboardingRun | undefined, attempt: number): ReturnType<typeof executionInput> | undefined {
  if (!run || run.attempt !== attempt || run.status !== 'running') return undefined;
  return { ...executionInput(run), startAt: resumeStep(run) };
}

/**
 * Starting, resuming and reading a customer's onboarding.
 *
 * Primary course: check the customer and the options together → record attempt N+1 starting at
 * the first step that has not succeeded → StartExecution named `<customer>-a<N+1>`. A repeated
 * request while it runs re-sends the same StartExecution (Step Functions answers with the running
 * execution, or starts it if the first request died before it could), so nothing runs twice.
 */
export function onboardingRunService({ runs, workflow, clock, customer, saveOptions, searchNumbers }: OnboardingRunServiceDeps) {
  async function launch(run: OnboardingRun): Promise<boolean> {
    const { executionArn, alreadyStarted } = await workflow.start(run.executionName, executionInput(run));
    if (run.executionArn !== executionArn) await runs.setExecutionArn(run.partnerId, run.customerId, run.attempt, executionArn);
    run.executionArn = executionArn;
    return !alreadyStarted;
  }

  /** The attempt's options (the previous attempt's, with the given ones over them) and every finding on them. */
  async function check(found: Customer, current: OnboardingRun | undefined, given: Record<string, unknown>): Promise<{ options?: OnboardingOptions; report: PreflightReport }> {
    // Stored options passed the schema when their attempt began; the merge validates them again.
    const { options, findings } = mergeOptions(current?.options as OnboardingOptions | undefined, given);
    if (!options) return { report: reportOf(findings) };
    findings.push(...contentFindings(found, options));
    if (searchNumbers) findings.push(...(await numberFindings(options, searchNumbers)));
    return { options, report: reportOf(findings) };
  }

  /** Other options given to an onboarding they can no longer change: never ignored, and the answer says what to call instead. */
  function refuseOptions(run: OnboardingRun): never {
    const numbers = `POST /v1/customers/${run.customerId}/numbers`;
    throw new ConflictError(
      run.status === 'running'
        ? `The onboarding is running with the options it started with; they cannot change until it ends. For more numbers, ${numbers} once it has completed; if it fails, start it again with the fixed options`
        : `The onboarding has completed; options no longer apply to it. For more numbers, ${numbers}; for another campaign, POST /v1/customers/${run.customerId}/campaigns`,
    );
  }

  return {
    /** Every check that costs nothing, on the options the start would use; creates nothing. */
    async preflight(partnerId: string, customerId: string, given: Record<string, unknown>): Promise<PreflightReport> {
      const found = requireOpen(await customer(partnerId, customerId));
      return (await check(found, (await runs.get(partnerId, customerId)) ?? undefined, given)).report;
    },

    /**
     * Starts the onboarding, or resumes a failed one with the previous attempt's options and the
     * given ones over them. Refused with every finding (422) before anything is created when the
     * preflight finds an error; options given to a running or completed onboarding are a 409.
     */
    async start(partnerId: string, customerId: string, given: Record<string, unknown>): Promise<StartResult> {
      const found = requireOpen(await customer(partnerId, customerId));
      const current = (await runs.get(partnerId, customerId)) ?? undefined;
      if (current?.status === 'running' || current?.status === 'succeeded') {
        // The same options again (a retried request) change nothing; different ones would be ignored: refused.
        if (Object.keys(given).length > 0 && !isDeepStrictEqual(mergeOptions(current.options as OnboardingOptions, given).options, current.options)) refuseOptions(current);
        if (current.status === 'running') return { timeline: timelineOf(current), started: await launch(current) };
        return { timeline: timelineOf(current), started: false };
      }
      const { options, report } = await check(found, current, given);
      const errors = report.findings.filter((f) => f.severity === 'error');
      if (!options || errors.length > 0) {
        throw new OnboardingPreflightError(
          `${errors.length} finding${errors.length === 1 ? '' : 's'} would make the onboarding fail; nothing was created (POST …/onboarding/preflight also lists the warnings)`,
          errors.map(({ field, message }) => ({ field, message })),
        );
      }

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
      const found = await customer(partnerId, customerId);
      const run = await runs.get(partnerId, customerId);
      if (!run) throw new NotFoundError(`Customer ${customerId} has not been onboarded yet`);
      return timelineOf(run, found.status === 'closed');
    },
  };
}
