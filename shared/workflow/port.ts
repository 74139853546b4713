/**
 * Port for the onboarding state machine: start an execution, report a task token back. An
 * adapter for AWS Step Functions and one for the local workflow runner implement it with the
 * same semantics, errors included.
 */
export interface StartedExecution {
  executionArn: string;
  /** True when an execution of that name already existed (Step Functions refused a second one). */
  alreadyStarted: boolean;
}

export interface WorkflowPort {
  /** Starts an execution named `name`; a name already used returns that execution instead of a second one. */
  start(name: string, input: unknown): Promise<StartedExecution>;
  /**
   * Completes the task waiting on `token`. A token that is no longer waiting (its wait timed out
   * and the poll fallback took over, or the execution ended) is not an error: it resolves false.
   */
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<boolean>;
}

/** Step Functions' names for a token that can no longer be completed. */
export const GONE_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export const EXECUTION_EXISTS = 'ExecutionAlreadyExists';

/** The local runner's account: a state machine ARN in it is run in-process, any other by Step Functions. */
export const LOCAL_ACCOUNT = '000000000000';

export function isLocalStateMachine(arn: string | undefined): boolean {
  return arn?.split(':')[4] === LOCAL_ACCOUNT;
}

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` → the ARN of its execution `name`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}
