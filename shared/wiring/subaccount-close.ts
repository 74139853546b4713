import { numberRelease } from '../services/registration/number-release';
import { subaccountService } from '../services/subaccounts';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { messagingAdapter } from '../twilio/sdk/messaging';
import { numbersAdapter } from '../twilio/sdk/numbers';
import { partnerEvents } from './partner-events';
import { subaccountDependencies, subaccounts } from './subaccounts';
import { twilio } from './twilio';

/**
 * The subaccount service as the close endpoint needs it: a close first releases the customer's
 * numbers with the subaccount's own credentials (the numbers and messaging calls only).
 */
const release = numberRelease({
  twilio: twilio.gateway(numbersAdapter, messagingAdapter),
  onboarding: dynamoOnboardingRepository(documentClient, tableName),
  events: partnerEvents,
  clock: systemClock,
});

export const closingSubaccounts = subaccountService({
  ...subaccountDependencies(),
  numbers: { releaseAll: (partnerId, customerId) => release.releaseAll(() => subaccounts.credentials(partnerId, customerId), partnerId, customerId) },
});
