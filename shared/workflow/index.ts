import { SFNClient } from '@aws-sdk/client-sfn';
import { config } from '../config';
import { traced } from '../observability';
import { createLocalWorkflow } from './local-workflow';
import { isLocalStateMachine, type WorkflowPort } from './port';
import { createSfnWorkflow } from './sfn-workflow';

/**
 * The workflow port for handlers: the local runner when STATE_MACHINE_ARN is the local one,
 * Step Functions otherwise (callback-only functions have no STATE_MACHINE_ARN in AWS). The SFN
 * client exists once per cold start and only where it is used.
 */
export const workflow: WorkflowPort = isLocalStateMachine(config.STATE_MACHINE_ARN)
  ? createLocalWorkflow(config.STATE_MACHINE_ARN!)
  : createSfnWorkflow({ client: traced(new SFNClient({ region: config.AWS_REGION })), stateMachineArn: config.STATE_MACHINE_ARN });

export * from './port';
