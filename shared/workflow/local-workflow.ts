import type { WorkflowPort } from './port';

/**
 * What the local platform publishes on `globalThis` while its workflow runner runs. `shared/` must
 * not import the local runtime, so the adapter finds it there, per call, like the local queues.
 */
export interface LocalWorkflowTransport {
  startExecution(stateMachineArn: string, name: string, input: unknown): Promise<{ executionArn: string; alreadyStarted: boolean }>;
  sendTaskSuccess(token: string, output: unknown): Promise<boolean>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<boolean>;
}

export const LOCAL_WORKFLOW_TRANSPORT = Symbol.for('switchboard.local-workflow-transport');

export class LocalWorkflowUnavailableError extends Error {
  override readonly name = 'LocalWorkflowUnavailableError';

  constructor() {
    super('STATE_MACHINE_ARN names the local state machine but no local workflow runner is running in this process');
  }
}

function transport(): LocalWorkflowTransport {
  const found = (globalThis as Record<symbol, LocalWorkflowTransport | undefined>)[LOCAL_WORKFLOW_TRANSPORT];
  if (!found) throw new LocalWorkflowUnavailableError();
  return found;
}

/** Adapter for the local workflow runner. */
export function createLocalWorkflow(stateMachineArn: string): WorkflowPort {
  return {
    start: (name, input) => transport().startExecution(stateMachineArn, name, input),
    sendTaskSuccess: (token, output) => transport().sendTaskSuccess(token, output),
    sendTaskFailure: (token, error, cause) => transport().sendTaskFailure(token, error, cause),
  };
}
