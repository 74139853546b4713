import { required } from '../config';
import { registrationService, type RegistrationService } from '../services/onboarding/registration-service';
import { onboardingSteps } from '../services/onboarding/steps';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { partnerEvents } from './partner-events';
import { subaccounts } from './subaccounts';
import { twilioGateway } from './twilio';

/**
 * Default wiring of the registration resources (brands, campaigns, numbers) for their handlers.
 * Built on first use because the Twilio settings are required only once a request needs them.
 */
let service: RegistrationService | undefined;
export function registrations(): RegistrationService {
  if (service) return service;
  const deps = {
    twilio: twilioGateway,
    onboarding: dynamoOnboardingRepository(documentClient, tableName),
    customers: dynamoCustomerRepository(documentClient, tableName),
    subaccounts,
    events: partnerEvents,
    clock: systemClock,
    settings: {
      primaryProfileSid: required('TWILIO_PRIMARY_PROFILE_SID'),
      notificationEmail: required('TWILIO_NOTIFICATION_EMAIL'),
      webhookBaseUrl: required('WEBHOOK_BASE_URL'),
    },
  };
  return (service = registrationService({ ...deps, steps: onboardingSteps(deps) }));
}
