import { consentService } from '../services/consent';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoConsentRepository } from '../store/consent';
import { dynamoCustomerRepository } from '../store/customers';
import { partnerEvents } from './partner-events';

/** Default wiring of the consent ledger for handlers and consumers; tests build their own with fakes. */
export const consent = consentService({
  consent: dynamoConsentRepository(documentClient, tableName),
  customers: dynamoCustomerRepository(documentClient, tableName),
  events: partnerEvents,
  clock: systemClock,
});
