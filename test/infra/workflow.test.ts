import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { executionTimeoutSeconds, FAILURE_PATH, onboardingDefinition, STEP_WAITS, stepBudgetSeconds, stepStates, type AslState, type AslTaskState } from '../../infra/workflows/onboarding-definition';
import { ONBOARDING_STEPS } from '../../shared/services/registration/contract';
import { asArray, buildApp, policyStatements } from './app-fixture';

/** The onboarding state machine as deployed: the generated definition, its substitutions, its role, its logs. */
const built = buildApp();
const template = built.platformTemplate();
const machines = template.findResources('AWS::StepFunctions::StateMachine');
const [, machine] = Object.entries(machines)[0]!;

const definition = onboardingDefinition();
const states = Object.entries(definition.States);
const tasks = states.filter((entry): entry is [string, AslTaskState] => entry[1].Type === 'Task');

describe('the generated definition', () => {
  it('has one state group per onboarding step, in step order, each leading to the next', () => {
    const names = states.map(([name]) => name);
    const groups = ONBOARDING_STEPS.map((step) => Object.values(stepStates(step)));
    expect(names).toEqual(['Start', ...groups.flat(), 'MarkFailed', 'OnboardingFailed', 'Onboarded']);
    ONBOARDING_STEPS.forEach((step, i) => {
      const status = definition.States[stepStates(step).status] as Extract<AslState, { Type: 'Choice' }>;
      expect(status.Choices[0]).toMatchObject({ StringEquals: 'succeeded', Next: i + 1 < ONBOARDING_STEPS.length ? stepStates(ONBOARDING_STEPS[i + 1]!).run : 'Onboarded' });
      expect(status.Choices[2]).toMatchObject({ Next: stepStates(step).wait, And: [expect.anything(), { NumericLessThan: STEP_WAITS[step].maxPolls }] });
      expect(definition.States[stepStates(step).failed]).toEqual({ Type: 'Pass', Result: step, ResultPath: '$.failedStep', Next: 'MarkFailed' });
    });
  });

  it('gives every Task a TimeoutSeconds (the local runner would otherwise time it out at 60 s)', () => {
    expect(tasks.length).toBe(ONBOARDING_STEPS.length * 3 + 1);
    for (const [name, task] of tasks) expect([name, task.TimeoutSeconds]).toEqual([name, expect.any(Number)]);
    for (const step of ONBOARDING_STEPS) expect((definition.States[stepStates(step).wait] as AslTaskState).TimeoutSeconds).toBe(STEP_WAITS[step].waitSeconds);
  });

  it("catches every step Task's error under $.failure into its own step's failure path, and hands it to MarkFailed", () => {
    for (const step of ONBOARDING_STEPS) {
      for (const name of [stepStates(step).run, stepStates(step).wait, stepStates(step).check]) {
        const catchAll = (definition.States[name] as AslTaskState).Catch.find((c) => c.ErrorEquals.includes('States.ALL'));
        expect([name, catchAll]).toEqual([name, { ErrorEquals: ['States.ALL'], ResultPath: FAILURE_PATH, Next: stepStates(step).failed }]);
      }
    }
    expect(FAILURE_PATH).toBe('$.failure');
    const markFailed = definition.States.MarkFailed as AslTaskState;
    expect(markFailed.Parameters.Payload).toEqual({ 'input.$': '$.input', 'step.$': '$.failedStep', 'result.$': '$.result', 'failure.$': '$.failure' });
  });

  it("times the execution out after the sum of the steps' longest runs, plus margin", () => {
    const steps = ONBOARDING_STEPS.reduce((sum, step) => sum + stepBudgetSeconds(step), 0);
    expect(definition.TimeoutSeconds).toBe(executionTimeoutSeconds());
    expect(definition.TimeoutSeconds).toBeGreaterThan(steps);
    // Every step can use all its polls, each a full wait.
    expect(steps).toBeGreaterThan(ONBOARDING_STEPS.reduce((sum, step) => sum + STEP_WAITS[step].maxPolls * STEP_WAITS[step].waitSeconds, 0));
    expect(definition.TimeoutSeconds).toBeLessThan(365 * 24 * 3600);
  });
});

test('the synthesized definition is the generated one; its ${…FunctionArn} placeholders are filled by the substitutions', () => {
  expect(JSON.parse(machine.Properties.DefinitionString)).toEqual(definition);
});

test('one Standard state machine from the generated definition, with every substitution it uses', () => {
  expect(Object.keys(machines)).toHaveLength(1);
  expect(machine.Properties.StateMachineType).toBe('STANDARD');
  const asl = JSON.stringify(definition);
  const used = new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
  const declared = catalog.filter((f) => f.trigger.kind === 'workflowTask').map((f) => (f.trigger as { substitution: string }).substitution);
  expect(new Set(Object.keys(machine.Properties.DefinitionSubstitutions))).toEqual(used);
  expect(new Set(declared)).toEqual(used);
});

test('logging ALL without execution data (it holds customer PII), and X-Ray tracing', () => {
  expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
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
  // The reconciliation sweep resumes a waiting step as the missed event would have.
  expect(callbacks.some((r) => /SchedulesReconcile/.test(r))).toBe(true);
  expect(callbacks).toHaveLength(3);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: Match.anyValue() }) },
  });
});

test('cdk-nag AwsSolutions: no unacknowledged finding on the workflow', () => {
  const report = new AwsSolutionsChecks().validateScope(built.platform.workflow!);
  expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
});
