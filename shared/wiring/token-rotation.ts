import { subaccountReader } from '../services/subaccounts';
import { systemClock, ulidIds } from '../services/support';
import { tokenRotationService } from '../services/token-rotation';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { authTokensAdapter } from '../twilio/sdk/auth-tokens';
import { keyService } from './keys';
import { twilio } from './twilio';

const subaccounts = dynamoSubaccountRepository(documentClient, tableName);
const { requireRecord } = subaccountReader({ customers: dynamoCustomerRepository(documentClient, tableName), subaccounts, keys: keyService });

/** Subaccount auth-token rotation over the table, the key service and Twilio (the subaccount's own credentials only). */
export const tokenRotation = tokenRotationService({
  requireRecord,
  subaccounts,
  keys: keyService,
  twilio: twilio.gateway(authTokensAdapter),
  clock: systemClock,
  ids: ulidIds,
});
