import type { NumberSearch, AvailableNumber } from '../twilio/gateway';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoOnboardingRunRepository } from '../store/onboarding-runs';
import { workflow, type WorkflowPort } from '../workflow';
import { onboardingRunService } from '../workflow/onboarding-runs';
import { customers } from './customers';

/**
 * Default wiring of the onboarding API (preflight / start / timeline). Starting is a Step
 * Functions call and the timeline a read; the preflight and the start also search for numbers on
 * the ISV's account (free), the one Twilio call they make.
 */
const onboardingStore = dynamoOnboardingRepository(documentClient, tableName);
const runs = dynamoOnboardingRunRepository(documentClient, tableName);

/**
 * The onboarding service over the table with the given workflow. The operator CLI builds it
 * with its own workflow port and no number search: it holds no Twilio credentials, and a retry
 * keeps the options the run had (the numbers step itself reports numbers that cannot be had).
 */
export function onboardingWith(start: Pick<WorkflowPort, 'start'>, searchNumbers?: (query: NumberSearch) => Promise<AvailableNumber[]>) {
  return onboardingRunService({
    runs,
    workflow: start,
    clock: systemClock,
    customer: (partnerId, customerId) => customers.get(partnerId, customerId),
    // The steps read the options from the registration record; each attempt may bring fixed ones.
    saveOptions: async (partnerId, customerId, _attempt, options) => {
      await onboardingStore.saveOptions(partnerId, customerId, options, systemClock.now().toISOString());
    },
    ...(searchNumbers ? { searchNumbers } : {}),
  });
}

export const onboarding = onboardingWith(workflow, async (query) => {
  // Loaded on first use: the timeline handler shares this module and never searches.
  const { twilio, masterCredentials } = require('./twilio') as typeof import('./twilio');
  const { numbersAdapter } = require('../twilio/sdk/numbers') as typeof import('../twilio/sdk/numbers');
  return twilio.gateway(numbersAdapter).searchAvailableNumbers(await masterCredentials(), query);
});
