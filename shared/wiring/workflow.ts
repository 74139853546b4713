import { required } from '../config';
import { onboardingSteps, type RegistrationSteps } from '../services/onboarding/steps';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
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
import { subaccounts } from './subaccounts';
import { twilioGateway } from './twilio';

/**
 * Default wiring of the onboarding workflow for its handlers (task functions, the onboarding
 * API, the events consumer); tests build their own with fakes. The registration steps need the
 * Twilio settings, so they are built on first use: the wait and mark-failed tasks never need them.
 */
const onboardingStore = dynamoOnboardingRepository(documentClient, tableName);
const runs = dynamoOnboardingRunRepository(documentClient, tableName);
const tokens = dynamoTaskTokenRepository(documentClient, tableName);

let steps: RegistrationSteps | undefined;
function registrationSteps(): RegistrationSteps {
  return (steps ??= onboardingSteps({
    twilio: twilioGateway,
    onboarding: onboardingStore,
    customers: dynamoCustomerRepository(documentClient, tableName),
    subaccounts,
    events: partnerEvents,
    clock: systemClock,
    settings: {
      primaryProfileSid: required('TWILIO_PRIMARY_PROFILE_SID'),
      notificationEmail: required('TWILIO_NOTIFICATION_EMAIL'),
      webhookBaseUrl: required('WEBHOOK_BASE_URL'),
    },
  }));
}

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
