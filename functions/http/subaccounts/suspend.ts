import { statusChangeEndpoint } from './status-change';

/** POST /v1/customers/{id}/subaccount/suspend — suspends on Twilio, then here; the customer follows. */
export const { main, handler } = statusChangeEndpoint('suspended');
