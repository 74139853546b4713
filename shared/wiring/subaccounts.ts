import { subaccountService } from '../services/subaccounts';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { keyService } from './keys';
import { partnerEvents } from './partner-events';
import { tokenCache } from './token-cache';
import { accountsAdapter } from '../twilio/sdk/accounts';
import { twilio } from './twilio';

/** Default wiring of the subaccount service: DynamoDB, the key service and the Twilio gateway. */
export const subaccounts = subaccountService({
  customers: dynamoCustomerRepository(documentClient, tableName),
  subaccounts: dynamoSubaccountRepository(documentClient, tableName),
  twilio: twilio.gateway(accountsAdapter),
  keys: keyService,
  tokens: tokenCache,
  clock: systemClock,
  ids: ulidIds,
  events: partnerEvents,
});
