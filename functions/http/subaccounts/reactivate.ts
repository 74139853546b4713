import { statusChangeEndpoint } from './status-change';

/** POST /v1/customers/{id}/subaccount/reactivate — reactivates a suspended subaccount. */
export const { main, handler } = statusChangeEndpoint('active');
