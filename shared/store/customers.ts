import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors';
import type { Customer } from '../domain/customer';
import { CUSTOMER_PREFIX, customerKey } from './keys';
import { queryUpTo } from './query';

/** A customer as stored: the API shape plus its owner and an optimistic-locking version. */
export interface CustomerRecord extends Customer {
  partnerId: string;
  version: number;
}

export interface CustomerRepository {
  create(customer: CustomerRecord): Promise<void>;
  /** Only the owning partner's customer is found: another partner's id reads as missing. */
  get(partnerId: string, customerId: string): Promise<CustomerRecord | undefined>;
  /** Up to `wanted` customers, newest first, after `afterId` (the last id of the previous page). */
  list(partnerId: string, wanted: number, afterId?: string): Promise<CustomerRecord[]>;
  /** Replaces the mutable fields if the stored version is still `expectedVersion`. */
  replace(customer: CustomerRecord, expectedVersion: number): Promise<void>;
}

/**
 * Storage keys and the subaccount provisioning claim are never part of the customer. Rows written
 * before customers stopped carrying index attributes (nothing queried them) still have gsi1pk/sk.
 */
const INTERNAL = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity', 'provisioningClaim', 'provisioningAt']);

/** A stored customer item as the customer (exported for reads that fetch it with other rows). */
export function customerFromItem(item: Record<string, unknown>): CustomerRecord {
  const out: Record<string, unknown> = {};
  for (const k in item) if (!INTERNAL.has(k)) out[k] = item[k];
  return out as unknown as CustomerRecord;
}

function toItem(customer: CustomerRecord): Record<string, unknown> {
  // No index attributes: every read is by (partner, id) or a partner's list, so an index entry
  // would only cost a second write per change.
  return { ...customerKey(customer.partnerId, customer.id), entity: 'Customer', ...customer };
}

export function dynamoCustomerRepository(db: DynamoDBDocumentClient, tableName: string): CustomerRepository {
  return {
    async create(customer) {
      await db.send(
        new PutCommand({ TableName: tableName, Item: toItem(customer), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    },

    async get(partnerId, customerId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: customerKey(partnerId, customerId) }));
      return Item ? customerFromItem(Item) : undefined;
    },

    async list(partnerId, wanted, afterId) {
      const { pk } = customerKey(partnerId, '');
      const { items } = await queryUpTo(
        db,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': CUSTOMER_PREFIX },
          ScanIndexForward: false,
        },
        wanted,
        // Rebuilt from the partner's own partition: a cursor can never point into another tenant.
        { start: afterId ? customerKey(partnerId, afterId) : undefined },
      );
      return items.map(customerFromItem);
    },

    async replace(customer, expectedVersion) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(customer),
            ConditionExpression: 'attribute_exists(pk) AND version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          throw new ConflictError(`Customer ${customer.id} was changed concurrently; fetch it and retry`);
        }
        throw error;
      }
    },
  };
}

