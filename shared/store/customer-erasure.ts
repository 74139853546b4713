import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteItem } from '../services/partner-events-contract';
import { accountKey, customerErasablePartitions, customerKey, whatsAppWindowKey } from './keys';
import { onboardingRunKey } from './onboarding-runs';
import { TABLE } from './table';

/** Rows read (and then deleted) per Query: small enough that a page always fits the time budget. */
const PAGE = 100;
/** BatchWriteItem's limit. */
const BATCH = 25;
const BATCH_ATTEMPTS = 5;

type Key = Record<string, unknown>;

/**
 * Removes a customer's rows from the table (see `customerErasablePartitions`): each partition is
 * read a page at a time and the page deleted, until it is empty, so a run cut short by its time
 * budget simply continues where the next run finds rows. A message's contact also loses its
 * WhatsApp window row, which sits in the contact's consent partition (whose ledger is kept).
 */
export function customerErasureStore(db: DynamoDBDocumentClient, tableName: string) {
  async function deleteKeys(keys: Key[]): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      let pending: Array<{ DeleteRequest: { Key: Key } }> | undefined = keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } }));
      // A batch may come back partly unprocessed (throttling): send what is left again.
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt === BATCH_ATTEMPTS) throw new Error('DynamoDB left deletes of a customer erasure unprocessed after 5 attempts');
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = out.UnprocessedItems?.[tableName] as typeof pending;
      }
    }
  }

  return {
    /** Deletes pages of the customer's rows (at least one) while `keepGoing()` says so; true once none is left. */
    async eraseRows(partnerId: string, customerId: string, keepGoing: () => boolean): Promise<boolean> {
      for (const pk of customerErasablePartitions(partnerId, customerId)) {
        for (;;) {
          const { Items = [] } = await db.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
              ExpressionAttributeValues: { ':pk': pk },
              ProjectionExpression: '#pk, #sk, contact',
              // Consistent: the next page must not see the rows this one deleted.
              ConsistentRead: true,
              Limit: PAGE,
            }),
          );
          if (Items.length === 0) break;
          const contacts = new Set(Items.map((i) => i.contact).filter((c): c is string => typeof c === 'string'));
          await deleteKeys([
            ...Items.map((i) => ({ [TABLE.partitionKey]: i[TABLE.partitionKey], [TABLE.sortKey]: i[TABLE.sortKey] })),
            ...[...contacts].map((contact) => whatsAppWindowKey(partnerId, customerId, contact)),
          ]);
          // Asked after a page is gone, so every call makes progress however short its budget.
          if (!keepGoing()) return false;
        }
      }
      return true;
    },

    /** The last writes, for one transaction with the `customer.deleted` event: the customer row, its onboarding run and its account row. */
    finalItems(partnerId: string, customerId: string, accountSid: string | undefined): TransactWriteItem[] {
      return [
        { Delete: { TableName: tableName, Key: customerKey(partnerId, customerId), ConditionExpression: 'attribute_exists(pk)' } },
        { Delete: { TableName: tableName, Key: onboardingRunKey(partnerId, customerId) } },
        ...(accountSid ? [{ Delete: { TableName: tableName, Key: accountKey(accountSid) } }] : []),
      ];
    },
  };
}

export type CustomerErasureStore = ReturnType<typeof customerErasureStore>;
