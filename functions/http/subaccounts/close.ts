import { closingSubaccounts } from '../../../shared/wiring/subaccount-close';
import { statusChangeEndpoint } from './status-change';

/**
 * POST /v1/customers/{id}/subaccount/close — for good: the customer is closed, its numbers are
 * released with Twilio, then the subaccount is closed. Calling it again finishes a close that died.
 */
export const { main, handler } = statusChangeEndpoint('closed', closingSubaccounts);
