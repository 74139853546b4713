import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { ONBOARDING_DEFINITION } from '../../infra/constructs/onboarding-workflow';
import { asArray, buildApp, policyStatements } from './app-fixture';

/** The onboarding state machine as deployed: the ASL file, its substitutions, its role, its logs. */
const built = buildApp();
const template = built.platformTemplate();
const machines = template.findResources('AWS::StepFunctions::StateMachine');
const [, machine] = Object.entries(machines)[0]!;

test('one Standard state machine from the ASL file, with every substitution the document uses', () => {
  expect(Object.keys(machines)).toHaveLength(1);
  expect(machine.Properties.StateMachineType).toBe('STANDARD');
  const asl = readFileSync(ONBOARDING_DEFINITION, 'utf8');
  const used = new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const declared = catalog.filter((f) => f.trigger.kind === 'workflowTask').map((f) => (f.trigger as { substitution: string }).substitution);
  expect(new Set(Object.keys(machine.Properties.DefinitionSubstitutions))).toEqual(used);
  expect(new Set(declared)).toEqual(used);
});

test('logging ALL with execution data, and X-Ray tracing', () => {
  expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
  expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
});

test('the state machine role invokes only the workflow task functions', () => {
  const roleRef = machine.Properties.RoleArn['Fn::GetAtt'][0];
  const invokes = policyStatements(template).filter((s) => JSON.stringify(s.roles).includes(roleRef) && asArray(s.statement.Action).includes('lambda:InvokeFunction'));
  const targets = invokes.flatMap((s) => asArray(s.statement.Resource)).map((r) => JSON.stringify(r));
  const tasks = catalog.filter((f) => f.trigger.kind === 'workflowTask');
  // Each target is a task function's ARN (or its versions), and each task function is a target.
  const invoked = new Set(targets.map((t) => /"(Functions[A-Za-z0-9]+?Function)[0-9A-F]{8}","Arn"/.exec(t)?.[1]));
  expect(invoked).toEqual(new Set(tasks.map((task) => `Functions${pascalCase(task.id)}Function`)));
});

test('only the functions that ask for it may start executions or report task tokens', () => {
  const byAction = (action: string) =>
    policyStatements(template)
      .filter((s) => asArray(s.statement.Action).includes(action))
      .map((s) => JSON.stringify(s.roles));
  expect(byAction('states:StartExecution')).toHaveLength(1);
  expect(byAction('states:StartExecution')[0]).toMatch(/OnboardingStart/);
  const callbacks = byAction('states:SendTaskSuccess');
  expect(callbacks.some((r) => /WorkflowWaitStep/.test(r))).toBe(true);
  expect(callbacks.some((r) => /QueuesEvents/.test(r))).toBe(true);
  expect(callbacks).toHaveLength(2);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: Match.anyValue() }) },
  });
});

test('cdk-nag AwsSolutions: no unacknowledged finding on the workflow', () => {
  const report = new AwsSolutionsChecks().validateScope(built.platform.workflow!);
  expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
});
