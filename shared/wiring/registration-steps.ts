import { required } from '../config';
import { onboardingSteps, type RegistrationSteps } from '../services/registration/steps';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { partnerEvents } from './partner-events';
import { subaccounts } from './subaccounts';
import { accountsAdapter } from '../twilio/sdk/accounts';
import { eventsAdapter } from '../twilio/sdk/events';
import { messagingAdapter } from '../twilio/sdk/messaging';
import { numbersAdapter } from '../twilio/sdk/numbers';
import { trusthubAdapter } from '../twilio/sdk/trusthub';
import { webhookBaseUrl } from '../webhooks/base-url';
import { twilio } from './twilio';

/**
 * The registration steps' dependencies, shared by the resource endpoints and the workflow tasks.
 * Built on first use: the Twilio settings are required only once a step actually runs, so the
 * functions that load this module but never run a step (wait / mark-failed tasks) need none.
 */
let deps: Parameters<typeof onboardingSteps>[0] | undefined;
export function registrationDependencies() {
  return (deps ??= {
    twilio: twilio.gateway(accountsAdapter, trusthubAdapter, messagingAdapter, numbersAdapter, eventsAdapter),
    onboarding: dynamoOnboardingRepository(documentClient, tableName),
    customers: dynamoCustomerRepository(documentClient, tableName),
    subaccounts,
    events: partnerEvents,
    clock: systemClock,
    settings: {
      primaryProfileSid: required('TWILIO_PRIMARY_PROFILE_SID'),
      notificationEmail: required('TWILIO_NOTIFICATION_EMAIL'),
      webhookBaseUrl,
    },
  });
}

let steps: RegistrationSteps | undefined;
export function registrationSteps(): RegistrationSteps {
  return (steps ??= onboardingSteps(registrationDependencies()));
}
