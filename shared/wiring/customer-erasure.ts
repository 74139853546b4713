import { customerErasure } from '../services/customer-erasure';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { customerErasureStore } from '../store/customer-erasure';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { documentReads } from './document-reads';
import { partnerEvents } from './partner-events';

/** Leaves a few seconds of the API's 29 s for the final transaction and the answer. */
const BUDGET_MS = 20_000;

export const customerErasureService = customerErasure({
  customers: dynamoCustomerRepository(documentClient, tableName),
  subaccounts: dynamoSubaccountRepository(documentClient, tableName),
  erasure: customerErasureStore(documentClient, tableName),
  documents: { eraseAll: (partnerId, customerId, more) => documentReads().eraseAll(partnerId, customerId, more) },
  events: partnerEvents,
  clock: systemClock,
  budgetMs: BUDGET_MS,
});
