import { ONBOARDING_STEPS, type OnboardingStep } from '../../shared/services/registration/contract';

/**
 * The onboarding state machine, generated from {@link ONBOARDING_STEPS}: CDK deploys it (with the
 * `${…FunctionArn}` substitutions filled) and the local runner executes the same object.
 *
 * Each step is one state group, in step order:
 *
 *   Run<Step> → <Step>Status ─ succeeded → Run<NextStep> (or Onboarded)
 *                            ─ waiting (polls < maxPolls) → Wait<Step> → Check<Step> → <Step>Status
 *                            ─ failed / anything else → Failed<Step> → MarkFailed → OnboardingFailed
 *
 * Every Catch keeps the caught error under `$.failure` and goes to the step's Failed<Step>, which
 * names the step for MarkFailed (a wait's timeout is caught separately: it falls back to polling).
 */

export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  BackoffRate: number;
  MaxAttempts: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}
export interface AslCatcher {
  ErrorEquals: string[];
  ResultPath: string | null;
  Next: string;
}
export interface AslTaskState {
  Type: 'Task';
  Resource: string;
  Comment?: string;
  Parameters: { FunctionName: string; Payload: Record<string, unknown> };
  ResultSelector?: Record<string, unknown>;
  ResultPath: string | null;
  TimeoutSeconds: number;
  Retry: AslRetrier[];
  Catch: AslCatcher[];
  Next: string;
}
export type AslChoiceRule =
  | { Variable: string; StringEquals: string; Next: string }
  | { And: Array<{ Variable: string; StringEquals?: string; NumericLessThan?: number }>; Next: string };
export interface AslChoiceState {
  Type: 'Choice';
  Comment?: string;
  Choices: AslChoiceRule[];
  Default: string;
}
export interface AslPassState {
  Type: 'Pass';
  Result: unknown;
  ResultPath: string;
  Next: string;
}
export interface AslFailState {
  Type: 'Fail';
  Error: string;
  Cause: string;
}
export interface AslSucceedState {
  Type: 'Succeed';
}
export type AslState = AslTaskState | AslChoiceState | AslPassState | AslFailState | AslSucceedState;

export interface OnboardingDefinition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, AslState>;
}

/** The substitutions the definition uses, one per workflow task function of the catalog. */
export const TASK_SUBSTITUTIONS = {
  run: 'RunStepFunctionArn',
  wait: 'WaitStepFunctionArn',
  check: 'CheckStepFunctionArn',
  markFailed: 'MarkFailedFunctionArn',
} as const;

/**
 * How long a step may wait for Twilio: each wait lasts at most `waitSeconds` (then the step is
 * checked anyway), and the step fails as stalled after `maxPolls` checks.
 */
export interface StepWait {
  waitSeconds: number;
  maxPolls: number;
}
export const STEP_WAITS: Record<OnboardingStep, StepWait> = {
  subaccount: { waitSeconds: 900, maxPolls: 8 }, // ~2 h
  customerProfile: { waitSeconds: 3600, maxPolls: 168 }, // ~7 days of review
  trustProduct: { waitSeconds: 3600, maxPolls: 168 }, // ~7 days of review
  brand: { waitSeconds: 3600, maxPolls: 168 }, // ~7 days of review
  messagingService: { waitSeconds: 900, maxPolls: 8 }, // ~2 h
  campaign: { waitSeconds: 14400, maxPolls: 180 }, // ~30 days of campaign vetting
  numbers: { waitSeconds: 3600, maxPolls: 72 }, // ~3 days
};

/** A Run / Check invocation: one Lambda call, well above the functions' own timeout. */
export const TASK_TIMEOUT_SECONDS = 120;
const MARK_FAILED_TIMEOUT_SECONDS = 60;
/** Slack on the execution timeout for everything the budget does not count (Choice / Pass transitions, scheduling). */
const EXECUTION_MARGIN_SECONDS = 24 * 3600;

const LAMBDA_TRANSIENT: AslRetrier = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  BackoffRate: 2,
  MaxAttempts: 3,
  JitterStrategy: 'FULL',
};
const TWILIO_RETRYABLE: AslRetrier = { ErrorEquals: ['TwilioRetryable'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 60, JitterStrategy: 'FULL' };
const MARK_FAILED_ANY: AslRetrier = { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' };

const STEP_RETRY = [TWILIO_RETRYABLE, LAMBDA_TRANSIENT];
const WAIT_RETRY = [LAMBDA_TRANSIENT];
const MARK_FAILED_RETRY = [LAMBDA_TRANSIENT, MARK_FAILED_ANY];

/** Where every Catch keeps the error it caught, for MarkFailed. */
export const FAILURE_PATH = '$.failure';

const pascal = (step: string) => step[0]!.toUpperCase() + step.slice(1);
export const stepStates = (step: OnboardingStep) => {
  const name = pascal(step);
  return { run: `Run${name}`, status: `${name}Status`, wait: `Wait${name}`, check: `Check${name}`, failed: `Failed${name}` };
};

/** The longest a retrier can delay in total: every attempt's backoff at its cap. */
function retryDelaySeconds({ IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds }: AslRetrier): number {
  let total = 0;
  for (let attempt = 0; attempt < MaxAttempts; attempt++) total += Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds ?? Infinity);
  return total;
}
/** The longest a Task can take: every attempt (first and retries) at its timeout, plus every retry delay. */
function taskBudgetSeconds(timeoutSeconds: number, retry: AslRetrier[]): number {
  const attempts = 1 + retry.reduce((sum, r) => sum + r.MaxAttempts, 0);
  return attempts * timeoutSeconds + retry.reduce((sum, r) => sum + retryDelaySeconds(r), 0);
}

/** The longest one step can take: its run, then up to `maxPolls` rounds of a full wait and a check. */
export function stepBudgetSeconds(step: OnboardingStep): number {
  const { waitSeconds, maxPolls } = STEP_WAITS[step];
  const task = taskBudgetSeconds(TASK_TIMEOUT_SECONDS, STEP_RETRY);
  return task + maxPolls * (waitSeconds + task);
}

/**
 * The execution's own timeout: the sum of every step's longest run (an execution goes through each
 * step at most once), plus MarkFailed's, plus a day of margin. An execution that outlives it is
 * stuck for a reason the steps' own timeouts do not cover; Step Functions' default (a year) would
 * keep it, and its parked token, around for months.
 */
export function executionTimeoutSeconds(): number {
  const steps = ONBOARDING_STEPS.reduce((sum, step) => sum + stepBudgetSeconds(step), 0);
  return steps + taskBudgetSeconds(MARK_FAILED_TIMEOUT_SECONDS, MARK_FAILED_RETRY) + EXECUTION_MARGIN_SECONDS;
}

const catchToFailed = (failed: string): AslCatcher => ({ ErrorEquals: ['States.ALL'], ResultPath: FAILURE_PATH, Next: failed });
const fn = (substitution: string) => '${' + substitution + '}';

function stepGroup(step: OnboardingStep, next: string): Record<string, AslState> {
  const states = stepStates(step);
  const { waitSeconds, maxPolls } = STEP_WAITS[step];
  const status = '$.result.outcome.status';
  return {
    [states.run]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: fn(TASK_SUBSTITUTIONS.run), Payload: { step, 'input.$': '$.input' } },
      ResultSelector: { 'outcome.$': '$.Payload', polls: 0 },
      ResultPath: '$.result',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS,
      Retry: STEP_RETRY,
      Catch: [catchToFailed(states.failed)],
      Next: states.status,
    },
    [states.status]: {
      Type: 'Choice',
      Choices: [
        { Variable: status, StringEquals: 'succeeded', Next: next },
        { Variable: status, StringEquals: 'failed', Next: states.failed },
        { And: [{ Variable: status, StringEquals: 'waiting' }, { Variable: '$.result.polls', NumericLessThan: maxPolls }], Next: states.wait },
      ],
      Default: states.failed,
    },
    [states.wait]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Comment: 'Resumed by the status event; when none comes in time, the timeout falls back to polling.',
      Parameters: {
        FunctionName: fn(TASK_SUBSTITUTIONS.wait),
        Payload: { step, 'input.$': '$.input', 'waitingFor.$': '$.result.outcome.waitingFor', 'taskToken.$': '$$.Task.Token' },
      },
      ResultPath: null,
      TimeoutSeconds: waitSeconds,
      Retry: WAIT_RETRY,
      Catch: [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], ResultPath: null, Next: states.check }, catchToFailed(states.failed)],
      Next: states.check,
    },
    [states.check]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: fn(TASK_SUBSTITUTIONS.check), Payload: { step, 'input.$': '$.input', 'polls.$': '$.result.polls' } },
      ResultSelector: { 'outcome.$': '$.Payload.outcome', 'polls.$': '$.Payload.polls' },
      ResultPath: '$.result',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS,
      Retry: STEP_RETRY,
      Catch: [catchToFailed(states.failed)],
      Next: states.status,
    },
    [states.failed]: { Type: 'Pass', Result: step, ResultPath: '$.failedStep', Next: 'MarkFailed' },
  };
}

/**
 * The onboarding state machine. Input: `{ input: { partnerId, customerId, attempt }, startAt,
 * result: null, failure: null }` (see `executionInput`).
 */
export function onboardingDefinition(): OnboardingDefinition {
  const [first, ...later] = ONBOARDING_STEPS;
  const groups = ONBOARDING_STEPS.map((step, i) => stepGroup(step, i + 1 < ONBOARDING_STEPS.length ? stepStates(ONBOARDING_STEPS[i + 1]!).run : 'Onboarded'));
  return {
    Comment: `Customer onboarding (A2P 10DLC, ISV guide order): ${ONBOARDING_STEPS.join(' → ')}. Input: { input: { partnerId, customerId, attempt }, startAt, result: null, failure: null }.`,
    StartAt: 'Start',
    TimeoutSeconds: executionTimeoutSeconds(),
    States: {
      Start: {
        Type: 'Choice',
        Comment: 'A resumed attempt starts at the step that failed; earlier steps have succeeded.',
        Choices: later.map((step) => ({ Variable: '$.startAt', StringEquals: step, Next: stepStates(step).run })),
        Default: stepStates(first).run,
      },
      ...Object.assign({}, ...groups),
      MarkFailed: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: fn(TASK_SUBSTITUTIONS.markFailed),
          Payload: { 'input.$': '$.input', 'step.$': '$.failedStep', 'result.$': '$.result', 'failure.$': FAILURE_PATH },
        },
        ResultPath: null,
        TimeoutSeconds: MARK_FAILED_TIMEOUT_SECONDS,
        Retry: MARK_FAILED_RETRY,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'OnboardingFailed' }],
        Next: 'OnboardingFailed',
      },
      OnboardingFailed: { Type: 'Fail', Error: 'OnboardingStepFailed', Cause: 'A step failed; the onboarding timeline names it, with the errors to fix.' },
      Onboarded: { Type: 'Succeed' },
    },
  };
}
