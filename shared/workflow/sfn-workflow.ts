import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { EXECUTION_EXISTS, GONE_TOKEN_ERRORS, executionArnOf, type WorkflowPort } from './port';

export interface SfnWorkflowOptions {
  /** Built once per cold start by the composition module. */
  readonly client: Pick<SFNClient, 'send'>;
  /** Only functions that start executions are given it. */
  readonly stateMachineArn?: string;
}

/** AWS Step Functions adapter of the workflow port. */
export function createSfnWorkflow({ client, stateMachineArn }: SfnWorkflowOptions): WorkflowPort {
  async function reportOrGone(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (GONE_TOKEN_ERRORS.has((error as Error).name)) return false;
      throw error;
    }
  }

  return {
    async start(name, input) {
      if (!stateMachineArn) throw new Error('Missing configuration: STATE_MACHINE_ARN must be set for this function');
      try {
        const out = await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
        return { executionArn: out.executionArn!, alreadyStarted: false };
      } catch (error) {
        // Standard workflows refuse a name that was used in the last 90 days: the earlier execution is the one.
        if ((error as Error).name === EXECUTION_EXISTS) return { executionArn: executionArnOf(stateMachineArn, name), alreadyStarted: true };
        throw error;
      }
    },
    sendTaskSuccess: (taskToken, output) => reportOrGone(() => client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }))),
    sendTaskFailure: (taskToken, error, cause) => reportOrGone(() => client.send(new SendTaskFailureCommand({ taskToken, error, cause }))),
  };
}
