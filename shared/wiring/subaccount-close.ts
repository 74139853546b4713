import { subaccountService } from '../services/subaccounts';
import { registrations } from './registrations';
import { subaccountDependencies } from './subaccounts';

/**
 * The subaccount service as the close endpoint needs it: a close releases the customer's numbers
 * through the registration steps first, which the other subaccount functions never bundle.
 */
export const closingSubaccounts = subaccountService({
  ...subaccountDependencies(),
  numbers: { releaseAll: (partnerId, customerId) => registrations().releaseAllNumbers(partnerId, customerId) },
});
