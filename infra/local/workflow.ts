import './workflow-polyfill';
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { onboardingDefinition } from '../workflows/onboarding-definition';
import { systemClock, type Clock } from './clock';
import { LambdaInvocationError, LOCAL_ACCOUNT } from './lambda-runtime';
import { functionsOf, type LocalCatalog } from './local-catalog';
import type { LocalLog } from './log';

/**
 * The onboarding state machine on one machine: the same generated definition CDK deploys, executed by
 * aws-local-stepfunctions against the real task handlers.
 *
 * The library has no task tokens (its Context Object is one static object per run), so each
 * `.waitForTaskToken` state is overridden here: the runner mints a token, hands it to the task
 * handler in place of `$$.Task.Token`, and waits for {@link LocalWorkflowRunner.sendTaskSuccess} /
 * `sendTaskFailure` — the local end of the workflow port. A wait's `TimeoutSeconds` runs on the
 * runner's {@link Clock}: with a manual clock, tests call {@link LocalWorkflowRunner.expireWaits}
 * after moving it and get `States.Timeout` (and so the poll fallback) without sleeping. Retry
 * intervals are zero locally, for the same reason. So does the execution's own `TimeoutSeconds`
 * (the library would arm a real timer, which Node cannot hold for more than ~24.8 days: it would
 * fire at once): an execution past it is stopped as TIMED_OUT by `expireWaits`.
 */

/** Stands in for `$$.Task.Token` in the static context; the wait override replaces it with a fresh token. */
const TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

/** Where the workflow port's local adapter (in `shared/`) finds the runner, like the local queues. */
export const LOCAL_WORKFLOW_TRANSPORT = Symbol.for('switchboard.local-workflow-transport');

/** Invokes the function behind an ASL substitution (e.g. `RunStepFunctionArn`) with the task's Payload. */
export type TaskInvoker = (substitution: string, payload: unknown) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface LocalExecution {
  name: string;
  executionArn: string;
  input: unknown;
  status: ExecutionStatus;
  output?: unknown;
  error?: { error: string; cause: string };
  /** State transitions as Step Functions bills them: every state entered, every retry. */
  transitions: number;
  /** The library's event log: state entered / exited / retried / caught, execution events. */
  history: HistoryEvent[];
  /** When the execution times out on the runner's clock (its definition's `TimeoutSeconds`). */
  deadline: number;
  /** The state the execution entered last. */
  currentState?: string;
  /** The wait this execution is parked on, if any. */
  waiting?: { state: string; token: string; deadline: number };
  /** Settles when the execution ends. */
  done: Promise<void>;
}

export interface HistoryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string };
}

export interface LocalWorkflowRunnerOptions {
  invoke: TaskInvoker;
  region?: string;
  clock?: Clock;
  log?: LocalLog;
  /** Default: the project's onboarding definition. */
  definition?: AslDefinition;
  name?: string;
  /** Told when an execution starts, parks on a wait, or ends (not when a stop interrupts it), e.g. to keep it. */
  onChange?: (execution: LocalExecution) => void;
}

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: unknown };
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  [field: string]: unknown;
}
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface PendingToken {
  execution: LocalExecution;
  state: string;
  deadline: number;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** The port's view: StartExecution with the refusal of a used name turned into "already started". */
export interface LocalWorkflowTransport {
  startExecution(stateMachineArn: string, name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<boolean>;
}

export interface LocalWorkflowRunner {
  readonly stateMachineArn: string;
  readonly transport: LocalWorkflowTransport;
  /** Like StartExecution: a name already used is refused with ExecutionAlreadyExists, unless it is running with the same input. */
  startExecution(name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<boolean>;
  execution(name: string): LocalExecution | undefined;
  executions(): LocalExecution[];
  /** Fails every parked wait whose deadline has passed on the runner's clock with States.Timeout, and stops executions past their own timeout; returns how many waits. */
  expireWaits(): number;
  /** Resolves once every execution has ended or is parked on a task token. */
  whenIdle(): Promise<void>;
  /** Real time: check wait deadlines every `intervalMs` (for the interactive platform). */
  startTimers(intervalMs?: number): void;
  stop(): Promise<void>;
}

const SUBSTITUTION = /^\$\{(\w+)\}$/;

export function createLocalWorkflowRunner(options: LocalWorkflowRunnerOptions): LocalWorkflowRunner {
  const region = options.region ?? 'us-east-1';
  const clock = options.clock ?? systemClock;
  const name = options.name ?? 'onboarding';
  const stateMachineArn = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
  const { TimeoutSeconds: executionTimeout, ...raw } = options.definition ?? (onboardingDefinition() as unknown as AslDefinition);
  const executionMs = typeof executionTimeout === 'number' ? executionTimeout * 1000 : Infinity;
  const changed = (execution: LocalExecution) => options.onChange?.(execution);

  // Which substitution each Task state invokes; the library sees plain local ARNs instead.
  const taskSubstitution = new Map<string, string>();
  const states: Record<string, AslState> = {};
  for (const [stateName, state] of Object.entries(raw.States)) {
    const match = state.Type === 'Task' ? SUBSTITUTION.exec(state.Parameters?.FunctionName ?? '') : null;
    if (!match) {
      states[stateName] = state;
      continue;
    }
    taskSubstitution.set(stateName, match[1]!);
    states[stateName] = { ...state, Parameters: { ...state.Parameters, FunctionName: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${match[1]}` } };
  }
  const definition = { ...raw, States: states };
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const noRetryDelay = Object.fromEntries([...taskSubstitution.keys()].map((s) => [s, 0]));

  const executions = new Map<string, LocalExecution>();
  const tokens = new Map<string, PendingToken>();
  const idleWaiters: (() => void)[] = [];
  const handles = new Map<string, () => void>();
  let timer: NodeJS.Timeout | undefined;

  const isIdle = () => [...executions.values()].every((e) => e.status !== 'RUNNING' || e.waiting);
  function notifyIdle(): void {
    if (!isIdle()) return;
    for (const wake of idleWaiters.splice(0)) wake();
  }

  async function invokeTask(substitution: string, payload: unknown): Promise<unknown> {
    try {
      return await options.invoke(substitution, payload);
    } catch (error) {
      throw lambdaError(error);
    }
  }

  function overridesFor(execution: LocalExecution) {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, substitution] of taskSubstitution) {
      const state = states[stateName]!;
      if (state.Resource?.endsWith('.waitForTaskToken')) {
        handlers[stateName] = (input) => waitForToken(execution, stateName, state, substitution, input as { Payload: unknown });
      } else {
        handlers[stateName] = async (input) => ({ StatusCode: 200, Payload: await invokeTask(substitution, (input as { Payload: unknown }).Payload) });
      }
    }
    return handlers;
  }

  async function waitForToken(execution: LocalExecution, stateName: string, state: AslState, substitution: string, input: { Payload: unknown }): Promise<unknown> {
    const token = `${execution.name}.${stateName}.${randomUUID()}`;
    // Heartbeats are never sent, so the earlier of the two limits is the one that fires.
    const seconds = Math.min(state.TimeoutSeconds ?? Infinity, state.HeartbeatSeconds ?? Infinity);
    const deadline = Number.isFinite(seconds) ? clock.now() + seconds * 1000 : Infinity;
    const settled = new Promise<unknown>((resolveToken, rejectToken) => {
      tokens.set(token, { execution, state: stateName, deadline, resolve: resolveToken, reject: rejectToken });
    });
    try {
      await invokeTask(substitution, replaceDeep(input.Payload, TOKEN_PLACEHOLDER, token));
    } catch (error) {
      tokens.delete(token);
      throw error;
    }
    // The handler may already have completed its own token (an event that came before the wait).
    if (tokens.has(token)) {
      execution.waiting = { state: stateName, token, deadline };
      changed(execution);
      notifyIdle();
    }
    return settled;
  }

  function settle(token: string, outcome: { output: unknown } | { error: Error }): boolean {
    const pending = tokens.get(token);
    if (!pending) return false;
    tokens.delete(token);
    if (pending.execution.waiting?.token === token) pending.execution.waiting = undefined;
    if ('output' in outcome) pending.resolve(outcome.output);
    else pending.reject(outcome.error);
    return true;
  }

  async function startExecution(executionName: string, input: unknown) {
    const existing = executions.get(executionName);
    if (existing) {
      // Step Functions: the same name and input while running is the same request; anything else is refused.
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input)) return { executionArn: existing.executionArn, alreadyStarted: true };
      throw new NamedError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    const executionArn = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:execution:${name}:${executionName}`;
    const execution: LocalExecution = { name: executionName, executionArn, input, status: 'RUNNING', transitions: 0, history: [], deadline: clock.now() + executionMs, done: Promise.resolve() };
    executions.set(executionName, execution);
    changed(execution);

    const run = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: overridesFor(execution) as never, retryIntervalOverrides: noRetryDelay },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: executionName, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-workflow` },
        StateMachine: { Id: stateMachineArn, Name: name },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
    });
    handles.set(executionName, run.abort);
    const history = (async () => {
      for await (const event of run.eventLogs) {
        execution.history.push(event as HistoryEvent);
        if (event.type === 'StateEntered' || event.type === 'StateRetried') execution.transitions += 1;
        if (event.type === 'StateEntered' && event.state) execution.currentState = event.state.name;
      }
    })();
    execution.done = run.result.then(
      (output) => {
        if (execution.status === 'RUNNING') Object.assign(execution, { status: 'SUCCEEDED', output });
      },
      (error: unknown) => {
        if (execution.status !== 'RUNNING') return;
        const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
        Object.assign(execution, { status: 'FAILED', error: { error: cause?.name ?? 'Error', cause: cause?.message ?? String(error) } });
        if (execution.error!.error !== 'OnboardingStepFailed') options.log?.warn(`workflow ${executionName} failed: ${execution.error!.error} ${execution.error!.cause}`);
      },
    ).then(async () => {
      handles.delete(executionName);
      await Promise.race([history, Promise.resolve()]);
      // One the runner's stop interrupted is not told as ended: it was running, and a store that
      // keeps executions resumes it on the next start.
      if (execution.status !== 'ABORTED') changed(execution);
      notifyIdle();
    });
    return { executionArn, alreadyStarted: false };
  }

  function expireWaits(): number {
    let expired = 0;
    for (const [token, pending] of [...tokens]) {
      if (pending.deadline > clock.now()) continue;
      settle(token, { error: new NamedError('States.Timeout', `${pending.state} timed out waiting for its task token`) });
      expired += 1;
    }
    for (const execution of executions.values()) {
      if (execution.status !== 'RUNNING' || execution.deadline > clock.now()) continue;
      Object.assign(execution, { status: 'TIMED_OUT', error: { error: 'States.Timeout', cause: 'the execution ran past its TimeoutSeconds' } });
      options.log?.warn(`workflow ${execution.name} timed out`);
      handles.get(execution.name)?.();
      for (const [token, pending] of [...tokens]) if (pending.execution === execution) settle(token, { error: new NamedError('States.Runtime', 'the execution timed out') });
    }
    return expired;
  }

  const transport: LocalWorkflowTransport = {
    async startExecution(arn, executionName, input) {
      if (arn !== stateMachineArn) throw new NamedError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      try {
        return await startExecution(executionName, input);
      } catch (error) {
        if ((error as Error).name === 'ExecutionAlreadyExists') return { executionArn: executions.get(executionName)!.executionArn, alreadyStarted: true };
        throw error;
      }
    },
    sendTaskSuccess: async (token, output) => settle(token, { output: output ?? {} }),
    sendTaskFailure: async (token, error, cause) => settle(token, { error: new NamedError(error, cause) }),
  };

  return {
    stateMachineArn,
    transport,
    startExecution,
    sendTaskSuccess: async (token, output) => settle(token, { output: output ?? {} }),
    sendTaskFailure: async (token, error, cause) => settle(token, { error: new NamedError(error, cause) }),
    execution: (executionName) => executions.get(executionName),
    executions: () => [...executions.values()],
    expireWaits,
    whenIdle: () => new Promise<void>((wake) => {
      idleWaiters.push(wake);
      notifyIdle();
    }),
    startTimers(intervalMs = 1000) {
      timer ??= setInterval(expireWaits, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const [executionName, abort] of handles) {
        const execution = executions.get(executionName);
        if (execution?.status === 'RUNNING') execution.status = 'ABORTED';
        abort();
      }
      for (const token of [...tokens.keys()]) settle(token, { error: new NamedError('States.Runtime', 'the local workflow runner stopped') });
      await Promise.all([...executions.values()].map((e) => e.done));
    },
  };
}

/**
 * A failed invocation as a `lambda:invoke` task reports it: the function's error type as the
 * error name (what Retry / Catch match), Lambda's JSON error document as the cause.
 */
function lambdaError(error: unknown): Error {
  if (error instanceof LambdaInvocationError) {
    const cause = error.cause as Error | undefined;
    const errorType = error.kind === 'handler' ? (cause?.name ?? 'Error') : error.kind === 'timeout' ? 'Sandbox.Timedout' : 'Lambda.Unknown';
    return new NamedError(errorType, JSON.stringify({ errorType, errorMessage: cause?.message ?? error.message }));
  }
  const errorType = (error as Error)?.name ?? 'Error';
  return new NamedError(errorType, JSON.stringify({ errorType, errorMessage: (error as Error)?.message ?? String(error) }));
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  return value;
}

/** Task invocations through the local Lambda runtime: the catalog's `workflowTask` entries by substitution. */
export function catalogTaskInvoker(catalog: LocalCatalog, invoke: (functionId: string, event: unknown) => Promise<unknown>): TaskInvoker {
  const bySubstitution = new Map(functionsOf(catalog, 'workflowTask').map((fn) => [fn.trigger.substitution, fn.id]));
  return (substitution, payload) => {
    const functionId = bySubstitution.get(substitution);
    if (!functionId) throw new Error(`No workflowTask in the catalog has the substitution '${substitution}'`);
    return invoke(functionId, payload);
  };
}
