import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRunRepository } from '../store/onboarding-runs';
import { stepTasks } from '../workflow/tasks';
import { partnerEvents } from './partner-events';
import { registrationSteps } from './registration-steps';

/**
 * Default wiring of the Run<Step> and Check<Step> task functions; tests build their own with
 * fakes. The registration steps are built on first use (see ./registration-steps). Wait<Step> and
 * MarkFailed are wired apart (./workflow-bookkeeping) so they never load Twilio.
 */
const runs = dynamoOnboardingRunRepository(documentClient, tableName);

export const tasks = stepTasks({
  steps: {
    run: (step, input, journal) => registrationSteps().run(step, input, journal),
    check: (step, input, journal) => registrationSteps().check(step, input, journal),
  },
  runs,
  clock: systemClock,
  events: partnerEvents,
});

