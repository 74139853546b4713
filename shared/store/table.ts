/**
 * The single DynamoDB table: one definition used by the CDK stack and by the local runtime.
 *
 * Key design (every access pattern is a GetItem or a Query; there is no Scan anywhere):
 *
 * | Entity               | pk                        | sk                         | gsi1pk / gsi1sk                          |
 * |----------------------|---------------------------|----------------------------|------------------------------------------|
 * | Partner              | PARTNER#<partnerId>       | PARTNER                    | —                                        |
 * | Partner registry entry | PARTNERS                | PARTNER#<partnerId>        | —  (id, name, status, createdAt: the operator's partner list) |
 * | API key              | APIKEY#<sha256(key)>      | APIKEY                     | PARTNER#<partnerId>#KEYS / <createdAt>#<keyId> |
 * | Customer             | PARTNER#<partnerId>       | CUSTOMER#<customerId>      | —                                        |
 * | Subaccount           | ACCOUNT#<accountSid>      | ACCOUNT                    | —                                        |
 * | Partner event counter| PARTNER#<partnerId>#EVENTS#<shard 00–15> | COUNTER     | —                                        |
 * | Partner event        | PARTNER#<partnerId>#EVENTS#<shard 00–15> | EVENT#<12-digit sequence> | —                          |
 * | Idempotency record   | IDEMPOTENCY#<first 4 hex digits of sha256(sk)> | <function>#<hash> | —  (expires through the TTL attribute; spread over 65,536 partitions, only ever read by full key) |
 * | Onboarding record    | PARTNER#<p>#CUSTOMER#<c>  | ONBOARDING                 | while a step waits: RECONCILE#onboarding#<shard 0–3> / <last heard of or checked>#<p>#<c> |
 * | Customer number      | PARTNER#<p>#CUSTOMER#<c>  | NUMBER#<E.164>             | —                                        |
 * | Phone number owner   | PHONE#<E.164>             | PHONE                      | —                                        |
 * | Message              | PARTNER#<p>#CUSTOMER#<c>#MESSAGES#<shard 0–7> | MESSAGE#<messageId> | gsi1: same pk / <createdAt>#<messageId>; gsi2: PARTNER#<p>#CUSTOMER#<c>#CONTACT#<contact> / <createdAt>#<messageId> |
 * | Usage counter        | PARTNER#<p>#CUSTOMER#<c>#USAGE#<YYYY-MM> | SHARD#<hash of the message id, 00–31> | —  (messages and segments by channel and direction, ADDed in the message's own transaction) |
 * | Message reconcile marker | PARTNER#<p>#CUSTOMER#<c>#MESSAGES#<shard 0–7> | RECONCILE#<messageId> | until a final status: RECONCILE#message#<shard 0–3> / <sent or due at, then last checked>#<p>#<c>#<messageId> |
 * | Message request      | PARTNER#<p>#CUSTOMER#<c>#MESSAGE_REQUEST#<Idempotency-Key> | MESSAGE_REQUEST | —  (expires through the TTL attribute) |
 * | Consent state        | PARTNER#<p>#CUSTOMER#<c>#CONSENT#<E.164> | STATE       | while opted out: PARTNER#<p>#CUSTOMER#<c>#OPTED_OUT#<sms / whatsapp / sms+whatsapp> / <latest opt-out>#<E.164> |
 * | Consent record       | PARTNER#<p>#CUSTOMER#<c>#CONSENT#<E.164> | RECORD#<kw_MessageSid / err_messageId / ptn_hash> | —     |
 * | Twilio event         | PARTNER#<p>#CUSTOMER#<c>#TWILIO_EVENTS | EVENT#<event id> | same pk / <occurredAt>#<event id>   |
 * | Webhook endpoint     | PARTNER#<p>#WEBHOOK_ENDPOINTS | ENDPOINT#<endpointId>   | —  (fan-out reads a partner's endpoints with one Query) |
 * | Delivery log row     | PARTNER#<p>#WEBHOOK_ENDPOINT#<e>#DELIVERIES | <newest attemptedAt>#<eventId>#<attempt> | —  (up to 25 attempts recorded together, newest first; expires through the TTL attribute) |
 * | WhatsApp template    | PARTNER#<p>#CUSTOMER#<c>#TEMPLATES | TEMPLATE#<templateId> | while in review: TEMPLATE_REVIEW#<shard 0–3> / <checkedAt>#<p>#<c>#<templateId>; gsi2 once it has a Content SID: PARTNER#<p>#CUSTOMER#<c>#CONTENT#<HX…> / TEMPLATE |
 * | Template name claim  | PARTNER#<p>#CUSTOMER#<c>#TEMPLATES | NAME#<language>#<name> | —  (written with the template, only if absent: one name per customer and language) |
 * | Portal link          | PORTAL_LINK#<sha256(token)> | PORTAL_LINK              | —  (single use: usedAt set by a conditional write; expires through the TTL attribute) |
 * | Portal session       | PORTAL_SESSION#<sha256(secret)> | PORTAL_SESSION       | —  (partner, scope, customer, expiry, revokedAt; expires through the TTL attribute) |
 * | Portal session record | PARTNER#<p>#PORTAL_SESSIONS | PORTAL_SESSION#<pls_id> | —  (the link's and session's hashes, for revocation by id; expires through the TTL attribute) |
 * | Scheduled retry      | WEBHOOK_RETRY#<due minute>#<shard 0–3> | <dueAt>#<endpointId>#<eventId>#<attempt> | —  (retries due beyond SQS's 15-minute delay, for the sweeper) |
 * | Webhook refusal counter | WEBHOOK_REFUSALS#<p>   | <UTC hour YYYY-MM-DDTHH>#<customerId> | —  (refused Twilio webhooks of a known subaccount: count ADDed, last reason and time; no request content; expires through the TTL attribute) |
 *
 * - The customer lives in its partner's partition, so "customer by id" is a GetItem on
 *   (partner, id): another partner's id is simply absent — tenancy is enforced by the key itself.
 *   Customer ids are ULIDs, so the sort key orders a partner's customers by creation time and
 *   "newest first" is a reverse Query. Nothing finds a customer by id alone: webhooks and workflow
 *   tasks carry the partner too, so the row has no index attributes.
 * - API keys are found by the SHA-256 of the presented key (a GetItem; the key itself is never
 *   stored); gsi1 lists a partner's keys.
 * - A subaccount is keyed by its AccountSid, because webhooks arrive with only that: tenant and
 *   encrypted token in one GetItem. The partner path goes customer (partner-scoped GetItem) →
 *   `accountSid` → subaccount, and checks the row names the same partner and customer. The
 *   customer's `accountSid` and the subaccount row are written in one transaction.
 * - A partner's event log is 16 shards, each an ordered log of its own: a partition with a counter
 *   row advanced in the same transaction as the event rows are written (optimistic: the counter
 *   must still hold the value the append builds on; a failed attempt learns the current value from
 *   the cancellation and retries with jittered backoff). Within a shard sequence numbers are dense
 *   and commit in order. An event's shard is a hash of its subject (message id, customer + contact,
 *   or customer: see shared/domain/event-types.ts), so one subject's events stay in append order.
 *   The cursor is opaque (base64url) and holds a position per shard; a page reads each shard's
 *   counter (one BatchGetItem), queries only the shards with something new (bounded by the page
 *   size), takes from each only a gap-free run after its position, merges by append time and
 *   moves only the shards it returned events of — so a reader never skips an event that commits
 *   later (proof in shared/services/partner-event-cursor.ts). `appendWith` writes a caller's
 *   items and its events in one transaction (transactional outbox). Within one process, appends
 *   to one shard queue and go one transaction at a time, each carrying all that queued (group
 *   commit): they never conflict with each other, and a busy process updates a counter once for
 *   many events.
 *   Arithmetic, for 1,000 events/s from one partner spread over its subjects: 1,000 / 16 = 62.5
 *   appends/s per shard partition; each writes 2 items (counter + event), so 125 item writes/s, or
 *   250 WCU/s (transactional writes cost 2 WCU per KB; events are under 1 KB), and the counter row
 *   itself takes 62.5 updates/s. Even with one failed attempt per append (also charged) a shard
 *   stays at 500 WCU/s, under the 1,000 WCU/s (and 1,000 writes/s) of one partition. A shard
 *   reaches the partition limit at 250 single-event commits/s, i.e. 4,000 events/s per partner.
 *   The other bound is latency: a shard commits one transaction at a time across all writers
 *   (about 100/s at DynamoDB's ~10 ms per transaction), ~1,600 commits/s per partner, each
 *   carrying one event or more.
 * - The onboarding record holds the options, one state per step ({status, run, rank, …}) and every
 *   Twilio SID, each stored the moment it exists. A step state is replaced only if the stored one
 *   is from an older run, or from the same run with a rank not above the new one (the condition
 *   carries the check), so a late writer never moves a step backwards.
 * - A number is claimed before it is bought: the customer's number row and the platform-wide
 *   PHONE#<E.164> row are written in one transaction, the latter only if absent (or already this
 *   customer's), so one number can never belong to two customers. Release deletes the PHONE row in
 *   the same transaction that marks the customer's row released. The PHONE row also answers
 *   "customer by phone number" for inbound routing.
 * - Webhook rows. A message's status only moves forward: the status callback's update carries
 *   `statusRank < :rank` in its condition, so duplicated and out-of-order callbacks converge on the
 *   highest rank whatever order they are applied in. Twilio events (Event Streams, TrustHub) are keyed by their id, so
 *   a redelivery is a failed conditional put; gsi1 orders them by occurrence for the workflow.
 * - Consent. A contact's partition holds its ledger and its state. A ledger row is never
 *   overwritten: it is put only if absent, keyed by its source's identity (the inbound MessageSid,
 *   our message id Twilio refused with 21610, a hash of the partner's request), so the same
 *   evidence twice is one row. The state row holds the effective state per channel, the fold of
 *   the ledger in event-time order; every write names the version it read (a lost race re-reads
 *   the state, then the ledger, and folds again), and a change of the effective state is written
 *   in one transaction with its partner event. The send path reads the state row with one key.
 *   While the contact is opted out of a channel the row carries gsi1 keys: one partition per set
 *   of opted-out channels, so "opted out of sms" is two reverse Queries merged on the shared sort
 *   key (latest opt-out, then contact), never a filter; a Put without them drops the entry.
 * - Messages. The id is ours (`msg_<ULID>`) for a message sent through the API, written as
 *   `pending` before Twilio is called, so a crash between Twilio's accept and our write leaves a
 *   row for the status callback (whose URL names the id) to complete; a message first seen in a
 *   webhook (inbound, or sent outside the API) takes its Twilio SID as id. The shard is a hash of
 *   the id, so "message by id" is one GetItem and "history newest first" is one reverse Query per
 *   shard on gsi1, merged on the shared sort key (a cursor is a position in that key, valid in
 *   every shard). gsi2 is one contact's conversation (one partition: a contact's rate is a
 *   handset's). An Idempotency-Key of a send is a row of its own, written in the same transaction
 *   as the pending message, so a replay finds the message without a second idempotency record.
 *   Write budget for a customer sending 100 messages/s with four status callbacks each: per
 *   message 1 pending put + 1 completion + 4 status updates = 6 item writes, transactional (2×
 *   WCU) and up to ~2 KB (≤ 4 WCU each) → 100 × 6 × 4 = 2,400 WCU/s, over 8 shards = 300 WCU/s
 *   per base partition and the same per gsi1 partition, under DynamoDB's 1,000 WCU/s per partition.
 * - Usage. A customer's messages of a calendar month (UTC) are counted on 32 rows of that month's
 *   partition (a hash of the message id picks the row), so "the month" is one Query of at most 32
 *   small rows. A count is an
 *   ADD carried in the transaction of the write that makes the message billable — the SID's first
 *   write (the send's answer, or a status callback completing or adopting it), the inbound row's
 *   creation, and (−1) a scheduled message's cancel — so it moves exactly when that write's
 *   condition held: a redelivered webhook or a replayed send counts nothing. An outbound message
 *   counts in its send time's month. Each counted message adds one item write; 32 rows keep any
 *   one of them far below an item's write rate at 100 messages/s, and give the partner event log's
 *   group commit (which never puts two writes of one item in a transaction) room to batch.
 * - Reconciliation. The sweep finds what waits on Twilio through gsi1 partitions of their own
 *   (RECONCILE#<kind>#<shard>), sorted by when each record was last heard of or checked, so "waiting
 *   longer than the threshold, oldest first" is a bounded Query per shard. An onboarding record is
 *   put there by the write of a waiting step state and taken out by the sweep once nothing waits; a
 *   message's marker is written with its pending row and deleted in the transaction of its final
 *   status (a marker the sweep finds final is deleted then). The sweep claims an entry by moving its
 *   sort key, conditional on the one it read, so overlapping runs never handle one record twice.
 *   Per send this adds one item to the pending transaction and one to the final status's (no call).
 * - Later aggregates (subaccounts, brands, campaigns, numbers, messages, events) add rows to this
 *   table and document them here.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Epoch seconds; DynamoDB deletes the item some time after. Used by idempotency records. */
  ttlAttribute: 'expiresAt',
} as const;

export type TableDefinition = typeof TABLE;
