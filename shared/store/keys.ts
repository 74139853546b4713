/**
 * Key builders: the only place that knows how entities map onto the single table (see table.ts).
 * Handlers and services never build keys.
 */
export const partnerKey = (partnerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: 'PARTNER' });
/**
 * Every partner's entry in one fixed partition, so the operator lists partners with a Query (never
 * a Scan). Partners number in the hundreds and change rarely: one partition holds them easily.
 */
export const PARTNER_REGISTRY_PARTITION = 'PARTNERS';
export const partnerRegistryKey = (partnerId: string) => ({ pk: PARTNER_REGISTRY_PARTITION, sk: `PARTNER#${partnerId}` });

export const apiKeyKey = (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });
export const partnerKeysIndex = (partnerId: string) => `PARTNER#${partnerId}#KEYS`;

export const CUSTOMER_PREFIX = 'CUSTOMER#';
export const customerKey = (partnerId: string, customerId: string) => ({
  pk: `PARTNER#${partnerId}`,
  sk: `${CUSTOMER_PREFIX}${customerId}`,
});

/** A customer's subaccount, keyed by AccountSid: webhooks arrive with only that, and find tenant + token in one GetItem. */
export const accountKey = (accountSid: string) => ({ pk: `ACCOUNT#${accountSid}`, sk: 'ACCOUNT' });

/**
 * A partner's event log is {@link PARTNER_EVENT_SHARDS} independent shards, each a partition with
 * one counter row and one row per event, ordered by a zero-padded sequence. An event's shard comes
 * from its subject (see table.ts for why and for the arithmetic).
 */
export const PARTNER_EVENT_SHARDS = 16;
const partnerEventPartition = (partnerId: string, shard: number) => `PARTNER#${partnerId}#EVENTS#${String(shard).padStart(2, '0')}`;
export const partnerEventCounterKey = (partnerId: string, shard: number) => ({ pk: partnerEventPartition(partnerId, shard), sk: 'COUNTER' });
export const PARTNER_EVENT_PREFIX = 'EVENT#';
export const partnerEventKey = (partnerId: string, shard: number, sequence: number) => ({
  pk: partnerEventPartition(partnerId, shard),
  sk: `${PARTNER_EVENT_PREFIX}${String(sequence).padStart(12, '0')}`,
});
/** The shard of a subject: FNV-1a (32-bit) of its UTF-16 code units, modulo the shard count. Never change it for an existing table. */
export function partnerEventShardOf(subject: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < subject.length; i++) {
    hash ^= subject.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % PARTNER_EVENT_SHARDS;
}

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
/**
 * A customer's messages are spread over MESSAGE_SHARDS partitions by a hash of the message id, so a
 * customer sending at full speed never heats one partition (see table.ts for the arithmetic). The
 * shard is a function of the id alone: "message by id" stays one GetItem.
 */
export const MESSAGE_SHARDS = 8;
export function messageShard(messageId: string): number {
  // FNV-1a: cheap, stable across processes and runtimes.
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) hash = Math.imul(hash ^ messageId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % MESSAGE_SHARDS;
}
export const messagePartition = (partnerId: string, customerId: string, shard: number) => customerPartition(partnerId, customerId, `MESSAGES#${shard}`);
export const messageKey = (partnerId: string, customerId: string, messageId: string) => ({
  pk: messagePartition(partnerId, customerId, messageShard(messageId)),
  sk: `MESSAGE#${messageId}`,
});
/** gsi1: a shard of the customer's history by creation time (reverse Query, merged across shards); gsi2: one contact's conversation. */
export const messageIndexes = (partnerId: string, customerId: string, messageId: string, createdAt: string, contact: string) => ({
  gsi1pk: messagePartition(partnerId, customerId, messageShard(messageId)),
  gsi1sk: `${createdAt}#${messageId}`,
  gsi2pk: contactMessagesPartition(partnerId, customerId, contact),
  gsi2sk: `${createdAt}#${messageId}`,
});
export const contactMessagesPartition = (partnerId: string, customerId: string, contact: string) => customerPartition(partnerId, customerId, `CONTACT#${contact}`);
/**
 * A customer's message counters of one calendar month (UTC), USAGE_SHARDS rows: a message's counts
 * go to the row its id hashes to, so the counters spread like the messages do and a customer
 * sending at full speed never makes one hot item; and since two writes that touch one item never
 * share a group-committed transaction, more rows than message shards keep those batches full.
 * The month stays one Query.
 */
export const USAGE_SHARDS = 32;
export function usageShard(messageId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) hash = Math.imul(hash ^ messageId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % USAGE_SHARDS;
}
export const usagePartition = (partnerId: string, customerId: string, month: string) => customerPartition(partnerId, customerId, `USAGE#${month}`);
export const usageCounterKey = (partnerId: string, customerId: string, month: string, messageId: string) => ({
  pk: usagePartition(partnerId, customerId, month),
  sk: `SHARD#${String(usageShard(messageId)).padStart(2, '0')}`,
});
/**
 * An Idempotency-Key of one message send, pointing at the message it created (expires through the
 * TTL attribute). Scoped to the customer: a customer's portal session sends too, and its keys must
 * neither block nor reveal the keys its partner used for another customer.
 */
export const messageRequestKey = (partnerId: string, customerId: string, idempotencyKey: string) => ({
  pk: customerPartition(partnerId, customerId, `MESSAGE_REQUEST#${idempotencyKey}`),
  sk: 'MESSAGE_REQUEST',
});
/**
 * A contact's consent: one state row (the effective state per channel, what the send path reads
 * with one GetItem / BatchGet key) and the immutable ledger rows beside it, keyed by the source's
 * own identity so the same evidence recorded twice is one row.
 */
const consentPartition = (partnerId: string, customerId: string, contact: string) => customerPartition(partnerId, customerId, `CONSENT#${contact}`);
export const consentStateKey = (partnerId: string, customerId: string, contact: string) => ({ pk: consentPartition(partnerId, customerId, contact), sk: 'STATE' });
/** The contact's WhatsApp window: when it last wrote to the customer there (beside its consent, so a send reads both in one batch). */
export const whatsAppWindowKey = (partnerId: string, customerId: string, contact: string) => ({ pk: consentPartition(partnerId, customerId, contact), sk: 'WINDOW#whatsapp' });
export const CONSENT_RECORD_PREFIX = 'RECORD#';
export const consentRecordKey = (partnerId: string, customerId: string, contact: string, recordId: string) => ({
  pk: consentPartition(partnerId, customerId, contact),
  sk: `${CONSENT_RECORD_PREFIX}${recordId}`,
});
/**
 * gsi1 on a state row while the contact is opted out of at least one channel (removed when it
 * opts back in): one partition per set of opted-out channels (`sms`, `whatsapp`, `sms+whatsapp`),
 * so "opted out of sms" merges two partitions instead of filtering one; sorted by the latest
 * opt-out, so a reverse Query is newest first and a cursor is a position valid in every partition.
 */
export const optedOutPartition = (partnerId: string, customerId: string, channels: readonly string[]) =>
  customerPartition(partnerId, customerId, `OPTED_OUT#${[...channels].sort().join('+')}`);
export const optedOutIndex = (partnerId: string, customerId: string, channels: readonly string[], since: string, contact: string) => ({
  gsi1pk: optedOutPartition(partnerId, customerId, channels),
  gsi1sk: `${since}#${contact}`,
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

/**
 * A customer's WhatsApp senders, one partition (a customer has a handful), and the platform-wide
 * claim of a number on WhatsApp (`WHATSAPP#<E.164>`): written with the sender row before Twilio is
 * called, so one number is one sender of one customer, and a retried registration finds its row.
 */
export const WHATSAPP_SENDER_PREFIX = 'SENDER#';
export const whatsAppSendersPartition = (partnerId: string, customerId: string) => customerPartition(partnerId, customerId, 'WHATSAPP_SENDERS');
export const whatsAppSenderKey = (partnerId: string, customerId: string, senderId: string) => ({
  pk: whatsAppSendersPartition(partnerId, customerId),
  sk: `${WHATSAPP_SENDER_PREFIX}${senderId}`,
});
export const whatsAppNumberKey = (e164: string) => ({ pk: `WHATSAPP#${e164}`, sk: 'WHATSAPP' });
/**
 * gsi1 on a sender the scheduled refresh follows (removed once it is ONLINE in the messaging
 * service, or deleted): `active` senders (Twilio or Meta at work) are all read every run;
 * `waiting` ones (a person must act) are sorted by when they are next due.
 */
export const whatsAppRefreshPartition = (lane: 'active' | 'waiting') => `WHATSAPP_SENDER_REFRESH#${lane}`;
export const whatsAppRefreshIndex = (lane: 'active' | 'waiting', dueAt: string, partnerId: string, customerId: string, senderId: string) => ({
  gsi1pk: whatsAppRefreshPartition(lane),
  gsi1sk: `${lane === 'waiting' ? `${dueAt}#` : ''}${partnerId}#${customerId}#${senderId}`,
});

/** A partner's webhook endpoints: one partition, so fan-out reads them all with one Query. */
export const WEBHOOK_ENDPOINT_PREFIX = 'ENDPOINT#';
export const webhookEndpointsPartition = (partnerId: string) => `PARTNER#${partnerId}#WEBHOOK_ENDPOINTS`;
export const webhookEndpointKey = (partnerId: string, endpointId: string) => ({
  pk: webhookEndpointsPartition(partnerId),
  sk: `${WEBHOOK_ENDPOINT_PREFIX}${endpointId}`,
});
/** An endpoint's delivery attempts, newest first by a reverse Query (they expire through the TTL attribute). */
export const webhookDeliveriesPartition = (partnerId: string, endpointId: string) => `PARTNER#${partnerId}#WEBHOOK_ENDPOINT#${endpointId}#DELIVERIES`;
export const webhookDeliveryKey = (partnerId: string, endpointId: string, attemptedAt: string, eventId: string, attempt: number) => ({
  pk: webhookDeliveriesPartition(partnerId, endpointId),
  sk: `${attemptedAt}#${eventId}#${String(attempt).padStart(2, '0')}`,
});
/**
 * Webhook retries due more than 15 minutes ahead, in one partition per minute they are due in
 * (spread over WEBHOOK_RETRY_SHARDS), so the sweeper reads a minute with a few Queries.
 */
export const WEBHOOK_RETRY_SHARDS = 4;
export const webhookRetryPartition = (minute: string, shard: number) => `WEBHOOK_RETRY#${minute}#${shard}`;
export const webhookRetrySweepKey = () => ({ pk: 'WEBHOOK_RETRY_SWEEP', sk: 'CURSOR' });

/**
 * A customer's WhatsApp templates: one partition, holding each template's row and one name claim
 * per (language, name), written with the template in one transaction, so a name is unique per
 * customer and language and a retried create finds the template its first attempt stored.
 */
const templatesPartition = (partnerId: string, customerId: string) => customerPartition(partnerId, customerId, 'TEMPLATES');
export const TEMPLATE_PREFIX = 'TEMPLATE#';
export const templateKey = (partnerId: string, customerId: string, templateId: string) => ({
  pk: templatesPartition(partnerId, customerId),
  sk: `${TEMPLATE_PREFIX}${templateId}`,
});
export const templateNameKey = (partnerId: string, customerId: string, language: string, name: string) => ({
  pk: templatesPartition(partnerId, customerId),
  sk: `NAME#${language}#${name}`,
});
/** gsi2 on a template row once its Content resource exists: "template by ContentSid" is one Query (the send path's). */
export const templateContentIndex = (partnerId: string, customerId: string, contentSid: string) => ({
  gsi2pk: customerPartition(partnerId, customerId, `CONTENT#${contentSid}`),
  gsi2sk: 'TEMPLATE',
});
/**
 * gsi1 on a template row while its review is undecided (sparse: removed once approved, rejected or
 * disabled), spread over TEMPLATE_REVIEW_SHARDS partitions by template id and sorted by when Twilio
 * was last asked, so the scheduled refresh reads the least recently checked ones with a few
 * Queries, never a Scan.
 */
export const TEMPLATE_REVIEW_SHARDS = 4;
export const templateReviewPartition = (shard: number) => `TEMPLATE_REVIEW#${shard}`;
export function templateReviewShard(templateId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < templateId.length; i++) hash = Math.imul(hash ^ templateId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % TEMPLATE_REVIEW_SHARDS;
}
export const templateReviewIndex = (partnerId: string, customerId: string, templateId: string, checkedAt: string) => ({
  gsi1pk: templateReviewPartition(templateReviewShard(templateId)),
  gsi1sk: `${checkedAt}#${partnerId}#${customerId}#${templateId}`,
});

/**
 * A customer's supporting documents' metadata, one partition, sorted by id (ULIDs: newest first is
 * a reverse Query). The bytes are in the document store under the key the row names.
 */
const documentsPartition = (partnerId: string, customerId: string) => customerPartition(partnerId, customerId, 'DOCUMENTS');
export const DOCUMENT_PREFIX = 'DOCUMENT#';
export const documentKey = (partnerId: string, customerId: string, documentId: string) => ({
  pk: documentsPartition(partnerId, customerId),
  sk: `${DOCUMENT_PREFIX}${documentId}`,
});

/**
 * Every partition that holds one customer's data alone and is erased with it (DELETE
 * …/customers/{id} after its close): registration and numbers, the message shards, Twilio's
 * registration events, WhatsApp senders and templates. The consent partitions are not among them:
 * the ledger is the evidence a business must keep (docs/security.md).
 */
export const customerErasablePartitions = (partnerId: string, customerId: string): string[] => [
  registrationPartition(partnerId, customerId),
  ...Array.from({ length: MESSAGE_SHARDS }, (_, shard) => messagePartition(partnerId, customerId, shard)),
  twilioEventsIndexPartition(partnerId, customerId),
  whatsAppSendersPartition(partnerId, customerId),
  templatesPartition(partnerId, customerId),
];

/**
 * The reconciliation sweep's sparse gsi1 index of records still waiting for Twilio to tell us
 * something: onboarding records with a waiting step (the keys ride on the record itself) and
 * outbound messages without a final status (a marker row beside the message, because the message
 * row's two indexes are taken). Spread over RECONCILE_SHARDS partitions per kind and sorted by
 * when the record was last heard of or checked, so the sweep reads the oldest with a few Queries
 * bounded by "older than the threshold", never a Scan. A check moves the entry to the back.
 */
export type ReconcileKind = 'onboarding' | 'message';
export const RECONCILE_SHARDS = 4;
export const reconcilePartition = (kind: ReconcileKind, shard: number) => `RECONCILE#${kind}#${shard}`;
export function reconcileShard(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % RECONCILE_SHARDS;
}
/** gsi1 of an onboarding record while a step waits; `since` is when the step was last heard of or checked. */
export const onboardingReconcileIndex = (partnerId: string, customerId: string, since: string) => ({
  gsi1pk: reconcilePartition('onboarding', reconcileShard(customerId)),
  gsi1sk: `${since}#${partnerId}#${customerId}`,
});
/** A message's marker row, in the message's own partition (one GetItem / Delete by the message id). */
export const messageReconcileKey = (partnerId: string, customerId: string, messageId: string) => ({
  pk: messagePartition(partnerId, customerId, messageShard(messageId)),
  sk: `RECONCILE#${messageId}`,
});
export const messageReconcileIndex = (partnerId: string, customerId: string, messageId: string, since: string) => ({
  gsi1pk: reconcilePartition('message', reconcileShard(messageId)),
  gsi1sk: `${since}#${partnerId}#${customerId}#${messageId}`,
});

/** A portal link by the SHA-256 of its token, and a session by the SHA-256 of its secret: one GetItem each. */
export const portalLinkKey = (tokenHash: string) => ({ pk: `PORTAL_LINK#${tokenHash}`, sk: 'PORTAL_LINK' });
export const portalSessionKey = (secretHash: string) => ({ pk: `PORTAL_SESSION#${secretHash}`, sk: 'PORTAL_SESSION' });
/** A partner's record of one link and the session it opened, by id: revocation finds it without any secret. */
export const partnerPortalSessionKey = (partnerId: string, sessionId: string) => ({ pk: `PARTNER#${partnerId}#PORTAL_SESSIONS`, sk: `PORTAL_SESSION#${sessionId}` });

/**
 * Refused Twilio webhooks that name a known subaccount, counted per customer and UTC hour in one
 * partition per partner (`<hour>#<customerId>` sorts by time, so "the last N hours" is one range
 * Query). The receivers may write only keys with this prefix (IAM `dynamodb:LeadingKeys`).
 */
export const WEBHOOK_REFUSALS_PREFIX = 'WEBHOOK_REFUSALS#';
export const webhookRefusalsPartition = (partnerId: string) => `${WEBHOOK_REFUSALS_PREFIX}${partnerId}`;
export const webhookRefusalKey = (partnerId: string, customerId: string, hour: string) => ({ pk: webhookRefusalsPartition(partnerId), sk: `${hour}#${customerId}` });
