import { statusChangeEndpoint } from './status-change';

/** POST /v1/customers/{id}/subaccount/close — closes the subaccount on Twilio; terminal. */
export const { main, handler } = statusChangeEndpoint('closed');
