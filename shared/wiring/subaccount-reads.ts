import { subaccountReader } from '../services/subaccounts';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { keyService } from './keys';

/** Subaccount reads and decrypted credentials, without the Twilio SDK in the bundle. */
export const subaccountReads = subaccountReader({
  customers: dynamoCustomerRepository(documentClient, tableName),
  subaccounts: dynamoSubaccountRepository(documentClient, tableName),
  keys: keyService,
});
