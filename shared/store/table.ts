/**
 * The single DynamoDB table: one definition used by the CDK stack and by the local runtime.
 *
 * Key design (every access pattern is a GetItem or a Query; there is no Scan anywhere):
 *
 * | Entity               | pk                        | sk                         | gsi1pk / gsi1sk                          |
 * |----------------------|---------------------------|----------------------------|------------------------------------------|
 * | Partner              | PARTNER#<partnerId>       | PARTNER                    | —                                        |
 * | API key              | APIKEY#<sha256(key)>      | APIKEY                     | PARTNER#<partnerId>#KEYS / <createdAt>#<keyId> |
 * | Customer             | PARTNER#<partnerId>       | CUSTOMER#<customerId>      | CUSTOMER#<customerId> / CUSTOMER         |
 * | Subaccount           | ACCOUNT#<accountSid>      | ACCOUNT                    | —                                        |
 * | Idempotency record   | IDEMPOTENCY               | <function>#<hash>          | —  (expires through the TTL attribute)   |
 *
 * - The customer lives in its partner's partition, so "customer by id" is a GetItem on
 *   (partner, id): another partner's id is simply absent — tenancy is enforced by the key itself.
 *   Customer ids are ULIDs, so the sort key orders a partner's customers by creation time and
 *   "newest first" is a reverse Query. gsi1 finds a customer by id alone (for webhooks and workflow
 *   tasks that start from a customer id, never for partner requests).
 * - API keys are found by the SHA-256 of the presented key (a GetItem; the key itself is never
 *   stored); gsi1 lists a partner's keys.
 * - A subaccount is keyed by its AccountSid, because webhooks arrive with only that: tenant and
 *   encrypted token in one GetItem. The partner path goes customer (partner-scoped GetItem) →
 *   `accountSid` → subaccount, and checks the row names the same partner and customer. The
 *   customer's `accountSid` and the subaccount row are written in one transaction.
 * - Later aggregates (subaccounts, brands, campaigns, numbers, messages, events) add rows to this
 *   table and document them here.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  /** Epoch seconds; DynamoDB deletes the item some time after. Used by idempotency records. */
  ttlAttribute: 'expiresAt',
} as const;

export type TableDefinition = typeof TABLE;
