import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { refreshLaneOf, type WhatsAppSenderRecord } from '../domain/whatsapp-sender';
import type { TransactWriteItem } from '../services/partner-events-contract';
import { WHATSAPP_SENDER_PREFIX, whatsAppNumberKey, whatsAppRefreshIndex, whatsAppRefreshPartition, whatsAppSenderKey, whatsAppSendersPartition } from './keys';
import { queryAll } from './query';
import { transactWrite } from './transact';

/** Which sender a refresh is due to look at. */
export interface SenderRef {
  partnerId: string;
  customerId: string;
  id: string;
}

export type SenderClaim = { outcome: 'claimed' } | { outcome: 'mine'; existing: WhatsAppSenderRecord } | { outcome: 'taken' };

/**
 * A customer's WhatsApp senders (see keys.ts and table.ts). A number is claimed platform-wide in
 * the transaction that writes its sender row, before Twilio is called; every later change names
 * the version it read, so a concurrent writer (a refresh, a retried request) never overwrites a
 * newer state, and a change and its partner event commit together.
 */
export interface WhatsAppSenderRepository {
  /** Claims the number and writes the new sender row (as its creator), both or neither. */
  claim(record: WhatsAppSenderRecord): Promise<SenderClaim>;
  get(partnerId: string, customerId: string, id: string): Promise<WhatsAppSenderRecord | undefined>;
  /** The customer whose sender holds the number's claim, if one does. */
  numberOwner(phoneNumber: string): Promise<{ partnerId: string; customerId: string } | undefined>;
  /** Every sender of the customer, deleted ones included, oldest first. */
  list(partnerId: string, customerId: string): Promise<WhatsAppSenderRecord[]>;
  /** Takes the right to create the sender at Twilio: it has no SID and no creator since `staleBefore`. */
  startCreating(ref: SenderRef, now: string, staleBefore: string): Promise<boolean>;
  /** Gives the right up after a failure that may be retried. */
  stopCreating(ref: SenderRef): Promise<void>;
  /** Drops a sender that never came to exist at Twilio, and its claim of the number. */
  abandon(record: WhatsAppSenderRecord): Promise<void>;
  /**
   * Writing `after` over `before` (which must still be the stored version), with the refresh
   * index its status calls for (`dueAt`: when a sender waiting for a person is looked at next);
   * a deleted sender also frees its number. For a caller that writes them with its partner event.
   */
  changeItems(before: WhatsAppSenderRecord, after: WhatsAppSenderRecord, dueAt: string): TransactWriteItem[];
  /** Senders the refresh should look at by `now`: every active one, and the waiting ones due. */
  dueForRefresh(now: string): Promise<SenderRef[]>;
}

const FIELDS = [
  'partnerId', 'customerId', 'id', 'phoneNumber', 'sid', 'status', 'wabaId', 'verificationMethod', 'profile', 'offlineReasons',
  'qualityRating', 'messagingLimit', 'messagingServiceSid', 'attached', 'version', 'creatingSince', 'createdAt', 'updatedAt',
] as const;

export function senderFromItem(item: Record<string, unknown>): WhatsAppSenderRecord {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as WhatsAppSenderRecord;
}

function itemOf(record: WhatsAppSenderRecord, dueAt: string): Record<string, unknown> {
  const lane = refreshLaneOf(record.status, record.attached);
  const clean = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
  return {
    ...whatsAppSenderKey(record.partnerId, record.customerId, record.id),
    entity: 'WhatsAppSender',
    ...clean,
    ...(lane === 'none' ? {} : whatsAppRefreshIndex(lane, dueAt, record.partnerId, record.customerId, record.id)),
  };
}

export function dynamoWhatsAppSenderRepository(db: DynamoDBDocumentClient, tableName: string): WhatsAppSenderRepository {
  const get = async (partnerId: string, customerId: string, id: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: whatsAppSenderKey(partnerId, customerId, id), ConsistentRead: true }));
    return Item ? senderFromItem(Item) : undefined;
  };
  const claimRow = (record: WhatsAppSenderRecord) => ({
    ...whatsAppNumberKey(record.phoneNumber),
    entity: 'WhatsAppNumber',
    partnerId: record.partnerId,
    customerId: record.customerId,
    senderId: record.id,
    phoneNumber: record.phoneNumber,
    claimedAt: record.createdAt,
  });
  const releaseClaim = (record: WhatsAppSenderRecord) => ({
    Delete: {
      TableName: tableName,
      Key: whatsAppNumberKey(record.phoneNumber),
      ConditionExpression: 'attribute_not_exists(pk) OR senderId = :id',
      ExpressionAttributeValues: { ':id': record.id },
    },
  });

  return {
    get,

    async numberOwner(phoneNumber) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: whatsAppNumberKey(phoneNumber), ConsistentRead: true }));
      return Item ? { partnerId: Item.partnerId as string, customerId: Item.customerId as string } : undefined;
    },

    async claim(record) {
      try {
        await transactWrite(db, tableName, [
          { Put: { Item: claimRow(record), ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { Item: itemOf(record, record.createdAt), ConditionExpression: 'attribute_not_exists(pk)' } },
        ]);
        return { outcome: 'claimed' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: whatsAppNumberKey(record.phoneNumber), ConsistentRead: true }));
        if (!Item || Item.partnerId !== record.partnerId || Item.customerId !== record.customerId) return { outcome: 'taken' };
        const existing = await get(record.partnerId, record.customerId, Item.senderId as string);
        return existing ? { outcome: 'mine', existing } : { outcome: 'taken' };
      }
    },

    async list(partnerId, customerId) {
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': whatsAppSendersPartition(partnerId, customerId), ':prefix': WHATSAPP_SENDER_PREFIX },
        ConsistentRead: true,
      });
      return items.map(senderFromItem);
    },

    async startCreating({ partnerId, customerId, id }, now, staleBefore) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: whatsAppSenderKey(partnerId, customerId, id),
            UpdateExpression: 'SET creatingSince = :now',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sid) AND (attribute_not_exists(creatingSince) OR creatingSince < :stale)',
            ExpressionAttributeValues: { ':now': now, ':stale': staleBefore },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async stopCreating({ partnerId, customerId, id }) {
      await db.send(new UpdateCommand({ TableName: tableName, Key: whatsAppSenderKey(partnerId, customerId, id), UpdateExpression: 'REMOVE creatingSince' }));
    },

    async abandon(record) {
      await transactWrite(db, tableName, [
        {
          Delete: {
            Key: whatsAppSenderKey(record.partnerId, record.customerId, record.id),
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(sid)',
          },
        },
        { Delete: { Key: whatsAppNumberKey(record.phoneNumber), ConditionExpression: 'attribute_not_exists(pk) OR senderId = :id', ExpressionAttributeValues: { ':id': record.id } } },
      ]);
    },

    changeItems(before, after, dueAt) {
      const put: TransactWriteItem = {
        Put: {
          TableName: tableName,
          Item: itemOf({ ...after, version: before.version + 1 }, dueAt),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': before.version },
        },
      };
      return after.status === 'DELETED' && before.status !== 'DELETED' ? [put, releaseClaim(before)] : [put];
    },

    async dueForRefresh(now) {
      const [active, waiting] = await Promise.all([
        queryAll(db, {
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': whatsAppRefreshPartition('active') },
        }),
        queryAll(db, {
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :due',
          ExpressionAttributeValues: { ':pk': whatsAppRefreshPartition('waiting'), ':due': `${now}#\uffff` },
        }),
      ]);
      return [...active, ...waiting].map((item) => ({ partnerId: item.partnerId as string, customerId: item.customerId as string, id: item.id as string }));
    },
  };
}
