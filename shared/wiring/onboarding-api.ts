import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoOnboardingRunRepository } from '../store/onboarding-runs';
import { workflow } from '../workflow';
import { onboardingService } from '../workflow/onboarding-service';
import { customers } from './customers';

/**
 * Default wiring of the onboarding API (start / timeline). Apart from the workflow tasks' wiring
 * so these handlers carry no Twilio SDK: starting is a Step Functions call, the timeline a read.
 */
const onboardingStore = dynamoOnboardingRepository(documentClient, tableName);
const runs = dynamoOnboardingRunRepository(documentClient, tableName);

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
