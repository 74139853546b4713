import { customerService } from '../services/customers';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoOnboardingSummaries } from '../store/onboarding-runs';

/** Default wiring of the customer service for handlers; tests build their own with fakes. */
export const customers = customerService({
  customers: dynamoCustomerRepository(documentClient, tableName),
  onboardingSummaries: dynamoOnboardingSummaries(documentClient, tableName),
  clock: systemClock,
  ids: ulidIds,
});
