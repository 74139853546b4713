import { registrationReader } from '../services/registration/registration-service';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoOnboardingRepository } from '../store/onboarding';

/** Reads of registration resources that never call Twilio (no Twilio SDK in their bundles). */
export const registrationReads = registrationReader({
  onboarding: dynamoOnboardingRepository(documentClient, tableName),
  customers: dynamoCustomerRepository(documentClient, tableName),
});
