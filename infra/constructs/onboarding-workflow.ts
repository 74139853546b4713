import { ArnFormat, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { onboardingDefinition, TASK_SUBSTITUTIONS } from '../workflows/onboarding-definition';
import type { CatalogFunctions } from './catalog-functions';

export interface OnboardingWorkflowProps {
  readonly functions: CatalogFunctions;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The onboarding state machine (Standard: it waits days for Twilio reviews) from the generated
 * definition, its `${…FunctionArn}` substitutions filled from the catalog's workflow tasks. Its
 * role may invoke only those functions; every execution is logged (ALL, without execution data:
 * inputs and outputs carry the customer's details) and traced. Functions
 * whose catalog access asks for `workflow` (start / callback) are granted it here, once the state
 * machine exists.
 */
export class OnboardingWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  /**
   * Whether the catalog has a task function for every substitution of the definition; a catalog
   * with none of them (a test fixture) has no workflow, one with only some is a mistake.
   */
  static isComplete(functions: CatalogFunctions): boolean {
    const used = Object.values(TASK_SUBSTITUTIONS);
    const missing = used.filter((name) => !functions.workflowTasks.has(name));
    if (missing.length > 0 && missing.length < used.length) throw new Error(`The catalog has no workflowTask for ${missing.join(', ')}, used by the onboarding definition`);
    return missing.length === 0;
  }

  constructor(scope: Construct, id: string, props: OnboardingWorkflowProps) {
    super(scope, id);
    const { functions } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    // Named up front so the functions' grants can name its ARN without referencing the resource:
    // the state machine depends on the task functions (substitutions), and a task that reports its
    // own token (the wait step) would otherwise close a dependency cycle through its role.
    const stack = Stack.of(this);
    const stateMachineName = `${stack.stackName}-onboarding`;
    const arn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(onboardingDefinition())),
      definitionSubstitutions: functions.taskArnSubstitutions(),
      // Execution data (state inputs and outputs) holds customer PII; the history keeps it, the logs do not.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    for (const task of functions.workflowTasks.values()) task.fn.grantInvoke(this.stateMachine);
    functions.bindWorkflow(sfn.StateMachine.fromStateMachineArn(this, 'ByName', arn));

    Validations.of(this.stateMachine.role.node.findChild('DefaultPolicy')).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) have no resource-level ' +
          'permissions; Step Functions documents "*" for both.',
      },
      ...[...functions.workflowTasks.values()].map((task) => ({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(task.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'lambda:InvokeFunction on the versions and aliases of the workflow task functions only (grantInvoke adds ":*").',
      })),
    );
  }
}

