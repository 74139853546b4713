import { TwilioPermanentError, TwilioRetryableError } from '../twilio/errors';
import type { Clock } from '../services/support';
import type { StepState } from '../domain/onboarding';
import { ONBOARDING_STEPS, type OnboardingStep, type OnboardingSteps, type StepError, type StepInput, type StepJournal, type StepOutcome } from '../services/registration/contract';
import type { PartnerEventInput, PartnerEventLog } from '../services/partner-events-contract';
import type { OnboardingRunRepository } from '../store/onboarding-runs';
import type { TaskTokenRepository } from '../store/task-tokens';
import { executionNameOf, type StepRecord } from './timeline';
import type { WorkflowPort } from './port';

/**
 * The state machine's task handlers as one use case per role. Each is idempotent: the steps look
 * up before creating, the timeline writes are keyed by step and attempt, a token is parked and
 * taken with conditional writes.
 */

/** The state machine retries this error name with backoff (throttling, Twilio 5xx, network). */
export const RETRYABLE_ERROR = 'TwilioRetryable';

export class StepRetryableError extends Error {
  override readonly name = RETRYABLE_ERROR;
}

export interface StepTask {
  step: OnboardingStep;
  input: StepInput;
}
export interface WaitTask extends StepTask {
  waitingFor: string;
  taskToken: string;
}
export interface CheckTask extends StepTask {
  /** Checks so far in this wait loop; the state machine bounds it. */
  polls: number;
}
/** An error a Catch of the state machine kept (under `$.failure`): the task's error name and its cause. */
export interface CaughtFailure {
  Error: string;
  /** For a Lambda task, Lambda's JSON error document (`errorType`, `errorMessage`). */
  Cause?: string;
}
/** What the state machine has when a step failed: the step's last result, or the error its Catch kept. */
export interface MarkFailedTask {
  input: StepInput;
  /** The step whose state group failed (its Failed<Step> names it). */
  step: OnboardingStep;
  result: { outcome: StepOutcome; polls: number } | null;
  failure: CaughtFailure | null;
}

export interface WorkflowTaskDeps {
  steps: OnboardingSteps;
  runs: OnboardingRunRepository;
  tokens: TaskTokenRepository;
  workflow: WorkflowPort;
  clock: Clock;
  /** For `onboarding.completed` / `onboarding.failed`, written with the run's end in one transaction. */
  events?: Pick<PartnerEventLog, 'appendWith'>;
}

type RunEnd = { status: 'succeeded' | 'failed'; at: string; failedStep?: OnboardingStep };

/**
 * The last write of a run: the step's record and the run's end, with the event that tells the
 * partner, in one transaction that only the first writer of a still-running attempt commits (a
 * retried task or a superseded attempt tells nothing twice). Without an event log, the plain write.
 */
async function finishRun(
  { runs, events }: Pick<WorkflowTaskDeps, 'runs' | 'events'>,
  input: StepInput,
  step: OnboardingStep,
  record: StepRecord,
  end: RunEnd,
  event: PartnerEventInput,
): Promise<void> {
  const { partnerId, customerId, attempt } = input;
  if (!events) return runs.recordStep(partnerId, customerId, attempt, step, record, end);
  // Not committed: the run had ended already or a newer attempt owns it; both wrote their own end.
  await events.appendWith(partnerId, [event], [runs.finishItem(partnerId, customerId, attempt, step, record, end)]);
}

const LAST_STEP = ONBOARDING_STEPS[ONBOARDING_STEPS.length - 1];

/** The timeline's record of a step, projected from the state the steps store for it. */
function stepRecordOf(state: StepState, attempt: number): StepRecord {
  return {
    status: state.status as StepRecord['status'],
    attempt,
    startedAt: state.startedAt ?? state.updatedAt,
    updatedAt: state.updatedAt,
    sids: state.sids,
    ...(state.completedAt ? { completedAt: state.completedAt } : {}),
    ...(state.waitingFor ? { waitingFor: state.waitingFor, ...(state.waitingSince ? { waitingSince: state.waitingSince } : {}) } : {}),
    ...(state.checks ? { checks: state.checks } : {}),
    ...(state.status === 'failed' ? { errors: state.errors } : {}),
  };
}

/** Run<Step> and Check<Step>: the tasks that do Twilio work through the steps. */
export function stepTasks({ steps, runs, clock, events }: Pick<WorkflowTaskDeps, 'steps' | 'runs' | 'clock' | 'events'>) {
  /** Twilio refusals become a failed outcome with Twilio's code; retryable trouble a named error the ASL retries. */
  async function call(fn: () => Promise<StepOutcome>): Promise<StepOutcome> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof TwilioRetryableError) throw new StepRetryableError(error.message);
      if (error instanceof TwilioPermanentError) return { status: 'failed', sids: {}, errors: [{ code: error.code ?? error.status ?? 'twilio-error', message: error.message, fields: [] }] };
      throw error;
    }
  }

  async function record(task: StepTask, outcome: StepOutcome, { checked }: { checked: boolean }): Promise<void> {
    const { partnerId, customerId, attempt } = task.input;
    const at = clock.now().toISOString();
    const run = await runs.get(partnerId, customerId);
    const previous = run?.steps[task.step];
    const sameAttempt = previous?.attempt === attempt;
    const next: StepRecord = {
      status: outcome.status,
      attempt,
      startedAt: sameAttempt ? previous.startedAt : at,
      updatedAt: at,
      sids: { ...previous?.sids, ...outcome.sids },
    };
    const checks = (sameAttempt ? (previous.checks ?? 0) : 0) + (checked ? 1 : 0);
    if (checks > 0) next.checks = checks;
    // A failed step is finished too: the partner sees when it stopped, not only when it was last touched.
    if (outcome.status === 'succeeded' || outcome.status === 'failed') next.completedAt = at;
    if (outcome.status === 'waiting') {
      next.waitingFor = outcome.waitingFor;
      next.waitingSince = sameAttempt && previous.waitingFor === outcome.waitingFor && previous.waitingSince ? previous.waitingSince : at;
    }
    if (outcome.status === 'failed') next.errors = outcome.errors;
    if (outcome.status === 'succeeded' && task.step === LAST_STEP) {
      const sids = Object.assign({}, ...Object.values(run?.steps ?? {}).map((s) => s?.sids ?? {}), next.sids) as Record<string, string>;
      const event: PartnerEventInput = { type: 'onboarding.completed', customerId, data: { attempt, completedAt: at, sids } };
      return finishRun({ runs, events }, task.input, task.step, next, { status: 'succeeded', at }, event);
    }
    await runs.recordStep(partnerId, customerId, attempt, task.step, next);
  }

  /**
   * The timeline write handed to the steps, so it commits with the step's state (and the run's
   * end with its event). `used` tells whether the steps wrote it; when they did not (a step that
   * stored no state of its own, or steps that keep no state), the task writes it itself.
   */
  function journalFor(task: StepTask): { journal: StepJournal; used: () => boolean } {
    let used = false;
    const { partnerId, customerId, attempt } = task.input;
    const journal: StepJournal = (state, stepSids) => {
      used = true;
      const next = stepRecordOf(state, attempt);
      if (state.status !== 'succeeded' || task.step !== LAST_STEP) return { items: [runs.stepItem(partnerId, customerId, attempt, task.step, next)] };
      const end = { status: 'succeeded' as const, at: state.updatedAt };
      if (!events) return { items: [runs.stepItem(partnerId, customerId, attempt, task.step, next, end)] };
      const completed: PartnerEventInput = { type: 'onboarding.completed', customerId, data: { attempt, completedAt: end.at, sids: stepSids } };
      return { items: [runs.finishItem(partnerId, customerId, attempt, task.step, next, end)], events: [completed] };
    };
    return { journal, used: () => used };
  }

  return {
    /** Run<Step>: does (or resumes) the step's work. */
    async runStep(task: StepTask): Promise<StepOutcome> {
      const { journal, used } = journalFor(task);
      const outcome = await call(() => steps.run(task.step, task.input, journal));
      if (!used()) await record(task, outcome, { checked: false });
      return outcome;
    },

    /** Check<Step>: re-reads Twilio after a wait; events are hints, the GET is the truth. */
    async checkStep(task: CheckTask): Promise<{ outcome: StepOutcome; polls: number }> {
      const { journal, used } = journalFor(task);
      const outcome = await call(() => steps.check(task.step, task.input, journal));
      if (!used()) await record(task, outcome, { checked: true });
      return { outcome, polls: task.polls + 1 };
    },
  };
}

/** Wait<Step> and MarkFailed: bookkeeping only, so their functions never load the steps (nor Twilio). */
export function bookkeepingTasks({ runs, tokens, workflow, clock, events }: Omit<WorkflowTaskDeps, 'steps'>) {
  return {
    /** Wait<Step>: parks the task token under what the step waits for; an event that came first resumes it at once. */
    async waitStep(task: WaitTask): Promise<{ parked: true }> {
      const { eventArrived } = await tokens.park(task.waitingFor, task.taskToken, { executionName: executionNameOf(task.input.customerId, task.input.attempt), step: task.step }, clock.now());
      if (eventArrived && (await tokens.unpark(task.waitingFor, task.taskToken))) {
        await workflow.sendTaskSuccess(task.taskToken, { waitingFor: task.waitingFor, resumedBy: 'event-before-wait' });
      }
      return { parked: true };
    },

    /** MarkFailed: records why the step failed — Twilio's codes and the fields to fix — and fails the run. */
    async markFailed(task: MarkFailedTask): Promise<{ errors: StepError[] }> {
      const errors = failureOf(task);
      const { partnerId, customerId, attempt } = task.input;
      const at = clock.now().toISOString();
      const run = await runs.get(partnerId, customerId);
      const previous = run?.steps[task.step];
      const sameAttempt = previous?.attempt === attempt;
      const record: StepRecord = { status: 'failed', attempt, startedAt: sameAttempt ? previous.startedAt : at, updatedAt: at, completedAt: at, sids: { ...previous?.sids }, errors, ...(previous?.checks && sameAttempt ? { checks: previous.checks } : {}) };
      const event: PartnerEventInput = { type: 'onboarding.failed', customerId, data: { attempt, failedStep: task.step, failedAt: at, errors } };
      await finishRun({ runs, events }, task.input, task.step, record, { status: 'failed', at, failedStep: task.step }, event);
      return { errors };
    },
  };
}

/** All four tasks over one set of dependencies (tests, and callers that need every task). */
export function workflowTasks(deps: WorkflowTaskDeps) {
  return { ...stepTasks(deps), ...bookkeepingTasks(deps) };
}
export type WorkflowTasks = ReturnType<typeof workflowTasks>;

/** The errors to show for a failed step, from whichever way it failed. */
export function failureOf(task: MarkFailedTask): StepError[] {
  if (task.failure) return [caughtError(task.failure)];
  const outcome = task.result?.outcome;
  if (outcome?.status === 'failed') return outcome.errors;
  if (outcome?.status === 'waiting') {
    return [{ code: 'review-stalled', message: `Still waiting for ${outcome.waitingFor} after ${task.result!.polls} status checks; ask Twilio support about it, then resume`, fields: [] }];
  }
  return [{ code: 'unknown', message: 'The step stopped without an outcome', fields: [] }];
}

/** Lambda's error message from a caught `Cause` (its JSON error document), or the cause as it is. */
export function causeMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
}

/**
 * A failure caught by the state machine, with the error it really was. Our own named errors say
 * what happened, with their message (Twilio's answer); anything else is a bug: the timeline names
 * the error type, and its message (which may hold anything) stays in the task's logs.
 */
function caughtError({ Error: name, Cause }: CaughtFailure): StepError {
  if (name === RETRYABLE_ERROR) {
    const detail = causeMessage(Cause);
    return { code: 'twilio-unavailable', message: `Twilio kept throttling or failing after every retry${detail ? ` (${detail})` : ''}; resume the onboarding later`, fields: [] };
  }
  if (name === 'States.Timeout') return { code: 'task-timeout', message: 'The step took too long; resume the onboarding', fields: [] };
  return { code: 'internal-error', message: `The step failed unexpectedly (${name}); resume the onboarding, and contact support if it fails again`, fields: [] };
}
