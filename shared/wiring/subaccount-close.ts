import { numberRelease } from '../services/registration/number-release';
import { subaccountService } from '../services/subaccounts';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { messagingAdapter } from '../twilio/sdk/messaging';
import { numbersAdapter } from '../twilio/sdk/numbers';
import { partnerEvents } from './partner-events';
import { whatsAppSenders } from './whatsapp-senders';
import { subaccountDependencies, subaccounts } from './subaccounts';
import { twilio } from './twilio';

/**
 * The subaccount service as the close endpoint needs it: a close first deletes the customer's
 * WhatsApp senders and releases its numbers with the subaccount's own credentials (the whatsapp,
 * numbers and messaging calls only).
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
  whatsAppSenders: { deleteAll: (partnerId, customerId) => whatsAppSenders().deleteAll(partnerId, customerId) },
});
