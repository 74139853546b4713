import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerStatus } from '../domain/customer';
import type { SubaccountRecord, SubaccountStatus } from '../domain/subaccount';
import { ConflictError } from '../domain/errors';
import type { TransactWriteItem } from '../services/partner-events-contract';
import { accountKey, customerKey } from './keys';
import { transactWrite } from './transact';

export interface SubaccountRepository {
  /**
   * Marks the customer as being provisioned by `claimId` unless it already has a subaccount or
   * another fresh claim holds it. Returns false when the claim was not taken.
   */
  claim(partnerId: string, customerId: string, claimId: string, now: string, staleBefore: string): Promise<boolean>;
  /** Gives up a claim after a failed attempt, so a retry need not wait for it to go stale. */
  release(partnerId: string, customerId: string, claimId: string): Promise<void>;
  /** Stores the subaccount and points the customer at it, if the claim is still ours. */
  commit(record: SubaccountRecord, claimId: string): Promise<void>;
  get(accountSid: string): Promise<SubaccountRecord | undefined>;
  /** Moves the subaccount and its customer's status together. */
  setStatus(record: SubaccountRecord, status: SubaccountStatus, customerStatus: CustomerStatus, at: string): Promise<void>;
  /** The items of {@link setStatus}, for a caller that writes them in its own transaction (with the partner event). */
  statusItems(record: SubaccountRecord, status: SubaccountStatus, customerStatus: CustomerStatus, at: string): TransactWriteItem[];
  /** The first write of a close: the customer is closed (every change refused) before its numbers are released. */
  markCustomerClosed(record: SubaccountRecord, at: string): Promise<void>;
}

const FIELDS = ['customerId', 'accountSid', 'friendlyName', 'status', 'createdAt', 'updatedAt', 'partnerId', 'encryptedAuthToken'] as const;

/** A stored subaccount item as the record (exported for reads that fetch it with other rows). */
export function subaccountFromItem(item: Record<string, unknown>): SubaccountRecord {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) out[f] = item[f];
  return out as unknown as SubaccountRecord;
}

/**
 * The subaccount row by AccountSid, on its own so that the webhook receivers, which need only this
 * read, do not bundle the rest of the repository.
 */
export async function getSubaccount(db: DynamoDBDocumentClient, tableName: string, accountSid: string): Promise<SubaccountRecord | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: accountKey(accountSid) }));
  return Item ? subaccountFromItem(Item) : undefined;
}

export function dynamoSubaccountRepository(db: DynamoDBDocumentClient, tableName: string): SubaccountRepository {
  const repository: SubaccountRepository = {
    async claim(partnerId, customerId, claimId, now, staleBefore) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: customerKey(partnerId, customerId),
            UpdateExpression: 'SET provisioningClaim = :claim, provisioningAt = :now',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(accountSid) AND (attribute_not_exists(provisioningClaim) OR provisioningAt < :stale)',
            ExpressionAttributeValues: { ':claim': claimId, ':now': now, ':stale': staleBefore },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async release(partnerId, customerId, claimId) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: customerKey(partnerId, customerId),
            UpdateExpression: 'REMOVE provisioningClaim, provisioningAt',
            ConditionExpression: 'provisioningClaim = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        );
      } catch (error) {
        // Someone else's claim by now (ours went stale): nothing of ours to release.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async commit(record, claimId) {
      await transactWrite(
        db,
        tableName,
        [
          {
            Update: {
              Key: customerKey(record.partnerId, record.customerId),
              UpdateExpression: 'SET accountSid = :sid, updatedAt = :at, version = version + :one REMOVE provisioningClaim, provisioningAt',
              ConditionExpression: 'provisioningClaim = :claim AND attribute_not_exists(accountSid)',
              ExpressionAttributeValues: { ':sid': record.accountSid, ':at': record.updatedAt, ':one': 1, ':claim': claimId },
            },
          },
          { Put: { Item: { ...accountKey(record.accountSid), entity: 'Subaccount', ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
        () => new ConflictError('The subaccount was provisioned concurrently; fetch it and retry if needed'),
      );
    },

    get: (accountSid) => getSubaccount(db, tableName, accountSid),

    async setStatus(record, status, customerStatus, at) {
      await db.send(new TransactWriteCommand({ TransactItems: repository.statusItems(record, status, customerStatus, at) }));
    },

    statusItems(record, status, customerStatus, at) {
      return [
        {
          Update: {
            TableName: tableName,
            Key: accountKey(record.accountSid),
            UpdateExpression: 'SET #status = :status, updatedAt = :at',
            // Only from the status the caller read: a concurrent change (a close, which is terminal, or
            // the same change, whose event is already written) refuses this one, so no event is written twice.
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status, ':at': at, ':from': record.status },
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: customerKey(record.partnerId, record.customerId),
            UpdateExpression: 'SET #status = :status, updatedAt = :at, version = version + :one',
            // A closing customer (marked closed before its numbers are released) is never reopened by a suspend or reactivate.
            ConditionExpression: customerStatus === 'closed' ? 'accountSid = :sid' : 'accountSid = :sid AND #status <> :closed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': customerStatus, ':at': at, ':one': 1, ':sid': record.accountSid, ...(customerStatus === 'closed' ? {} : { ':closed': 'closed' }) },
          },
        },
      ];
    },

    async markCustomerClosed(record, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: customerKey(record.partnerId, record.customerId),
          UpdateExpression: 'SET #status = :closed, updatedAt = :at, version = version + :one',
          ConditionExpression: 'accountSid = :sid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':at': at, ':one': 1, ':sid': record.accountSid },
        }),
      );
    },
  };
  return repository;
}
