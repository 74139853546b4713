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

/** A partner's event log: one counter row and one row per event, ordered by a zero-padded sequence. */
export const partnerEventCounterKey = (partnerId: string) => ({ pk: `PARTNER#${partnerId}#EVENTS`, sk: 'COUNTER' });
export const PARTNER_EVENT_PREFIX = 'EVENT#';
export const partnerEventKey = (partnerId: string, sequence: number) => ({
  pk: `PARTNER#${partnerId}#EVENTS`,
  sk: `${PARTNER_EVENT_PREFIX}${String(sequence).padStart(12, '0')}`,
});

/**
 * A customer's registration rows live in a partition of their own, named by partner and customer,
 * so tenancy is part of the key and "everything about this customer's onboarding" is one Query.
 * (Not under `PARTNER#<id>` with a `CUSTOMER#` sort key: that prefix is the customer list's.)
 */
const registrationPartition = (partnerId: string, customerId: string) => `PARTNER#${partnerId}#CUSTOMER#${customerId}`;
export const onboardingKey = (partnerId: string, customerId: string) => ({ pk: registrationPartition(partnerId, customerId), sk: 'ONBOARDING' });
export const NUMBER_PREFIX = 'NUMBER#';
export const customerNumberKey = (partnerId: string, customerId: string, e164: string) => ({
  pk: registrationPartition(partnerId, customerId),
  sk: `${NUMBER_PREFIX}${e164}`,
});
/** Platform-wide uniqueness of a phone number (and "customer by phone number" for inbound routing). */
export const phoneNumberKey = (e164: string) => ({ pk: `PHONE#${e164}`, sk: 'PHONE' });

/**
 * Webhook-fed rows of a customer (messages, opt-outs, Twilio registration events), each aggregate
 * in a partition named by partner and customer so tenancy is part of every key.
 */
const customerPartition = (partnerId: string, customerId: string, aggregate: string) => `PARTNER#${partnerId}#CUSTOMER#${customerId}#${aggregate}`;
export const messageKey = (partnerId: string, customerId: string, messageSid: string) => ({
  pk: customerPartition(partnerId, customerId, 'MESSAGES'),
  sk: `MESSAGE#${messageSid}`,
});
/** gsi1: a customer's messages newest first (reverse Query on `<createdAt>#<MessageSid>`). */
export const messageIndex = (partnerId: string, customerId: string, createdAt: string, messageSid: string) => ({
  gsi1pk: customerPartition(partnerId, customerId, 'MESSAGES'),
  gsi1sk: `${createdAt}#${messageSid}`,
});
export const messagesIndexPartition = (partnerId: string, customerId: string) => customerPartition(partnerId, customerId, 'MESSAGES');
export const optOutStateKey = (partnerId: string, customerId: string, contact: string) => ({
  pk: customerPartition(partnerId, customerId, `OPTOUT#${contact}`),
  sk: 'STATE',
});
export const OPT_OUT_HISTORY_PREFIX = 'HISTORY#';
export const optOutHistoryKey = (partnerId: string, customerId: string, contact: string, at: string, messageSid: string) => ({
  pk: customerPartition(partnerId, customerId, `OPTOUT#${contact}`),
  sk: `${OPT_OUT_HISTORY_PREFIX}${at}#${messageSid}`,
});
export const twilioEventKey = (partnerId: string, customerId: string, eventId: string) => ({
  pk: customerPartition(partnerId, customerId, 'TWILIO_EVENTS'),
  sk: `EVENT#${eventId}`,
});
/** gsi1: a customer's Twilio events in the order they happened. */
export const twilioEventIndex = (partnerId: string, customerId: string, occurredAt: string, eventId: string) => ({
  gsi1pk: customerPartition(partnerId, customerId, 'TWILIO_EVENTS'),
  gsi1sk: `${occurredAt}#${eventId}`,
});
export const twilioEventsIndexPartition = (partnerId: string, customerId: string) => customerPartition(partnerId, customerId, 'TWILIO_EVENTS');
