/**
 * Key builders: the only place that knows how entities map onto the single table (see table.ts).
 * Handlers and services never build keys.
 */
export const partnerKey = (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' });

export const apiKeyKey = (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });
export const partnerKeysIndex = (partnerId: string) => `PARTNER#${partnerId}#KEYS`;

export const CUSTOMER_PREFIX = 'CUSTOMER#';
export const customerKey = (partnerId: string, customerId: string) => ({
  pk: `PARTNER#${partnerId}`,
  sk: `${CUSTOMER_PREFIX}${customerId}`,
});
export const customerIndex = (customerId: string) => ({ gsi1pk: `${CUSTOMER_PREFIX}${customerId}`, gsi1sk: 'CUSTOMER' });

/** A customer's subaccount, keyed by AccountSid: webhooks arrive with only that, and find tenant + token in one GetItem. */
export const accountKey = (accountSid: string) => ({ pk: `ACCOUNT#${accountSid}`, sk: 'ACCOUNT' });
