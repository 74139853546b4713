import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { manualClock, type ManualClock } from '../../infra/local/clock';
import { createLocalWorkflowRunner, type LocalWorkflowRunner } from '../../infra/local/workflow';
import type { OnboardingStep, OnboardingSteps, StepInput, StepOutcome } from '../../shared/services/registration/contract';
import { dynamoOnboardingRunRepository, type OnboardingRunRepository } from '../../shared/store/onboarding-runs';
import { dynamoTaskTokenRepository, type TaskTokenRepository } from '../../shared/store/task-tokens';
import { tokenResumer } from '../../shared/workflow/resume';
import { workflowTasks } from '../../shared/workflow/tasks';
import { partnerEventService } from '../../shared/services/partner-events';
import { dynamoPartnerEventRepository } from '../../shared/store/partner-events';
import type { WorkflowPort } from '../../shared/workflow/port';
import { onboardingRunService } from '../../shared/workflow/onboarding-runs';
import { NotFoundError } from '../../shared/domain/errors';
import { ENDPOINT_VARIABLE } from '../integration/global-setup';
import { validCustomer } from '../support/fixtures';

/** What a scripted step answers, in order; the last answer repeats. A function may throw. */
export type Script = Array<StepOutcome | ((input: StepInput) => StepOutcome)>;

/**
 * Fake steps for the workflow tests: each step answers `run` and `check` from a script and counts
 * its calls, so a test states exactly what Twilio would say and asserts what the workflow did.
 */
export function scriptedSteps(scripts: Partial<Record<OnboardingStep, { run?: Script; check?: Script }>> = {}) {
  const calls: Array<{ kind: 'run' | 'check'; step: OnboardingStep; attempt: number }> = [];
  const cursor = new Map<string, number>();
  const answer = (kind: 'run' | 'check', step: OnboardingStep, input: StepInput): StepOutcome => {
    calls.push({ kind, step, attempt: input.attempt });
    const script = scripts[step]?.[kind] ?? [succeeded(step)];
    const key = `${step}:${kind}`;
    const index = cursor.get(key) ?? 0;
    cursor.set(key, index + 1);
    const next = script[Math.min(index, script.length - 1)]!;
    return typeof next === 'function' ? next(input) : next;
  };
  const steps: OnboardingSteps = {
    run: async (step, input) => answer('run', step, input),
    check: async (step, input) => answer('check', step, input),
  };
  return { steps, calls, callsOf: (kind: 'run' | 'check') => calls.filter((c) => c.kind === kind).map((c) => c.step) };
}

export const succeeded = (step: string): StepOutcome => ({ status: 'succeeded', sids: { [`${step}Sid`]: `${step.slice(0, 2).toUpperCase()}1` } });
export const waiting = (waitingFor: string): StepOutcome => ({ status: 'waiting', waitingFor, sids: {} });

export const PARTNER = 'ptn_workflow';

export interface WorkflowHarness {
  runner: LocalWorkflowRunner;
  clock: ManualClock;
  tasks: ReturnType<typeof workflowTasks>;
  eventTypes(partnerId: string): Promise<string[]>;
  runs: OnboardingRunRepository;
  tokens: TaskTokenRepository;
  port: WorkflowPort;
  resumeWaiting: ReturnType<typeof tokenResumer>;
  onboarding: ReturnType<typeof onboardingRunService>;
  /** Runs until every execution has ended or waits on a token. */
  idle(): Promise<void>;
  /** Moves the runner's clock and times out the waits that are due. */
  advance(seconds: number): Promise<number>;
  stop(): Promise<void>;
}

/** The real ASL, the real task use cases and stores on DynamoDB Local, with the given steps. */
export async function workflowHarness(steps: OnboardingSteps): Promise<WorkflowHarness> {
  const endpoint = process.env[ENDPOINT_VARIABLE];
  if (!endpoint) throw new Error(`${ENDPOINT_VARIABLE} is not set: run through the workflow project`);
  const tableName = `wf-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, tableName);
  const db = DynamoDBDocumentClient.from(localDynamoClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
  const clock = manualClock(Date.UTC(2025, 0, 1));
  const now = { now: () => new Date(clock.now()) };
  const runs = dynamoOnboardingRunRepository(db, tableName);
  const tokens = dynamoTaskTokenRepository(db, tableName);

  let runner!: LocalWorkflowRunner;
  const port: WorkflowPort = {
    start: async (name, input) => {
      try {
        return await runner.startExecution(name, input);
      } catch (error) {
        if ((error as Error).name === 'ExecutionAlreadyExists') return { executionArn: `${runner.stateMachineArn}:${name}`, alreadyStarted: true };
        throw error;
      }
    },
    sendTaskSuccess: (token, output) => runner.sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => runner.sendTaskFailure(token, error, cause),
  };
  const events = partnerEventService({ events: dynamoPartnerEventRepository(db, tableName), clock: now });
  const tasks = workflowTasks({ steps, runs, tokens, workflow: port, clock: now, events });
  const bySubstitution: Record<string, (payload: never) => Promise<unknown>> = {
    RunStepFunctionArn: tasks.runStep,
    WaitStepFunctionArn: tasks.waitStep,
    CheckStepFunctionArn: tasks.checkStep,
    MarkFailedFunctionArn: tasks.markFailed,
  };
  runner = createLocalWorkflowRunner({ invoke: (substitution, payload) => bySubstitution[substitution]!(payload as never), clock });
  const customer = async (partnerId: string, customerId: string) => {
    if (partnerId !== PARTNER) throw new NotFoundError(`Customer ${customerId} not found`);
    return { ...validCustomer(), id: customerId, status: 'active' as const, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
  };
  const onboarding = onboardingRunService({ runs, workflow: port, clock: now, customer });

  return {
    runner,
    clock,
    tasks,
    /** The types of the partner's events, in log order. */
    eventTypes: async (partnerId: string) => (await events.list(partnerId, undefined, 100)).data.map((e) => e.type),
    runs,
    tokens,
    port,
    resumeWaiting: tokenResumer({ tokens, workflow: port, clock: now }),
    onboarding,
    idle: () => runner.whenIdle(),
    async advance(seconds) {
      clock.advance(seconds * 1000);
      const expired = runner.expireWaits();
      await runner.whenIdle();
      return expired;
    },
    stop: () => runner.stop(),
  };
}
