import { subaccountService, type SubaccountServiceDeps } from '../services/subaccounts';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { keyService } from './keys';
import { partnerEvents } from './partner-events';
import { tokenCache } from './token-cache';
import { accountsAdapter } from '../twilio/sdk/accounts';
import { twilio } from './twilio';

/** The subaccount service's dependencies: DynamoDB, the key service and the Twilio gateway. */
export function subaccountDependencies(): SubaccountServiceDeps {
  return {
    customers: dynamoCustomerRepository(documentClient, tableName),
    subaccounts: dynamoSubaccountRepository(documentClient, tableName),
    twilio: twilio.gateway(accountsAdapter),
    keys: keyService,
    tokens: tokenCache,
    clock: systemClock,
    ids: ulidIds,
    events: partnerEvents,
  };
}

/** Default wiring of the subaccount service (create, suspend, reactivate); closing is in `subaccount-close`. */
export const subaccounts = subaccountService(subaccountDependencies());
