import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRunRepository } from '../store/onboarding-runs';
import { dynamoTaskTokenRepository } from '../store/task-tokens';
import { workflow } from '../workflow';
import { workflowTasks } from '../workflow/tasks';
import { registrationSteps } from './registration';

/**
 * Default wiring of the onboarding workflow's task functions; tests build their own with fakes.
 * The registration steps are built on first use (see ./registration): the wait and mark-failed
 * tasks never run them.
 */
const runs = dynamoOnboardingRunRepository(documentClient, tableName);
const tokens = dynamoTaskTokenRepository(documentClient, tableName);

export const tasks = workflowTasks({
  steps: { run: (step, input) => registrationSteps().run(step, input), check: (step, input) => registrationSteps().check(step, input) },
  runs,
  tokens,
  workflow,
  clock: systemClock,
});

