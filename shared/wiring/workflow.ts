import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoOnboardingRunRepository } from '../store/onboarding-runs';
import { dynamoTaskTokenRepository } from '../store/task-tokens';
import { workflow } from '../workflow';
import { onboardingEventHook } from '../workflow/event-hook';
import { onboardingService } from '../workflow/onboarding-service';
import { tokenResumer } from '../workflow/resume';
import { workflowTasks } from '../workflow/tasks';
import { customers } from './customers';
import { partnerEvents } from './partner-events';
import { registrationSteps } from './registration';

/**
 * Default wiring of the onboarding workflow for its handlers (task functions, the onboarding
 * API, the events consumer); tests build their own with fakes. The registration steps are built
 * on first use (see ./registration): the wait and mark-failed tasks never need them.
 */
const onboardingStore = dynamoOnboardingRepository(documentClient, tableName);
const runs = dynamoOnboardingRunRepository(documentClient, tableName);
const tokens = dynamoTaskTokenRepository(documentClient, tableName);

export const tasks = workflowTasks({
  steps: { run: (step, input) => registrationSteps().run(step, input), check: (step, input) => registrationSteps().check(step, input) },
  runs,
  tokens,
  workflow,
  clock: systemClock,
});

export const resumeWaiting = tokenResumer({ tokens, workflow, clock: systemClock });

export const resumeOnboarding = onboardingEventHook({ onboarding: onboardingStore, events: partnerEvents, clock: systemClock, resumeWaiting });

export const onboarding = onboardingService({
  runs,
  workflow,
  clock: systemClock,
  customer: (partnerId, customerId) => customers.get(partnerId, customerId),
  // The steps read the options from the registration record; each attempt may bring fixed ones.
  saveOptions: async (partnerId, customerId, _attempt, options) => {
    await onboardingStore.saveOptions(partnerId, customerId, options, systemClock.now().toISOString());
  },
});
