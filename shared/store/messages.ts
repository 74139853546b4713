import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { messageIndex, messageKey, messagesIndexPartition } from './keys';

export interface StoredMessage {
  partnerId: string;
  customerId: string;
  accountSid: string;
  messageSid: string;
  direction: 'inbound' | 'outbound';
  /** The other party: the handset for inbound, the recipient for outbound. */
  contact?: string;
  from?: string;
  to?: string;
  body?: string;
  numMedia?: number;
  mediaUrls?: string[];
  messagingServiceSid?: string;
  status: string;
  statusRank: number;
  errorCode?: string;
  createdAt: string;
  updatedAt: string;
}

export interface StatusUpdate {
  partnerId: string;
  customerId: string;
  accountSid: string;
  messageSid: string;
  status: string;
  rank: number;
  errorCode?: string;
  from?: string;
  to?: string;
  messagingServiceSid?: string;
  at: string;
}

export interface MessageRepository {
  /** Stores the status if it ranks above the stored one (the check is in the condition); false when it did not. */
  applyStatus(update: StatusUpdate): Promise<boolean>;
  /** Stores an inbound message once; false when it was already stored. */
  putInbound(message: StoredMessage): Promise<boolean>;
  get(partnerId: string, customerId: string, messageSid: string): Promise<StoredMessage | undefined>;
  /** A customer's messages, newest first. */
  list(partnerId: string, customerId: string, limit: number): Promise<StoredMessage[]>;
}

const FIELDS = [
  'partnerId', 'customerId', 'accountSid', 'messageSid', 'direction', 'contact', 'from', 'to', 'body', 'numMedia', 'mediaUrls',
  'messagingServiceSid', 'status', 'statusRank', 'errorCode', 'createdAt', 'updatedAt',
] as const;

function fromItem(item: Record<string, unknown>): StoredMessage {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as StoredMessage;
}

const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

export function dynamoMessageRepository(db: DynamoDBDocumentClient, tableName: string): MessageRepository {
  return {
    async applyStatus(u) {
      // Fields known only from callbacks are set if absent: the send path may have written them first.
      const names: Record<string, string> = { '#status': 'status', '#from': 'from', '#to': 'to' };
      const values: Record<string, unknown> = {
        ':status': u.status, ':rank': u.rank, ':at': u.at, ':entity': 'Message', ':outbound': 'outbound',
        ':partnerId': u.partnerId, ':customerId': u.customerId, ':accountSid': u.accountSid, ':sid': u.messageSid,
        ...Object.fromEntries(Object.entries(messageIndex(u.partnerId, u.customerId, u.at, u.messageSid)).map(([k, v]) => [`:${k}`, v])),
      };
      const sets = [
        '#status = :status', 'statusRank = :rank', 'updatedAt = :at', 'entity = if_not_exists(entity, :entity)',
        'direction = if_not_exists(direction, :outbound)', 'partnerId = :partnerId', 'customerId = :customerId', 'accountSid = :accountSid',
        'messageSid = :sid', 'createdAt = if_not_exists(createdAt, :at)', 'gsi1pk = if_not_exists(gsi1pk, :gsi1pk)', 'gsi1sk = if_not_exists(gsi1sk, :gsi1sk)',
      ];
      const optional: Array<[string, string, string | undefined]> = [
        ['#from', ':from', u.from], ['#to', ':to', u.to], ['messagingServiceSid', ':ms', u.messagingServiceSid], ['contact', ':contact', u.to],
      ];
      for (const [name, value, v] of optional) {
        if (v) {
          sets.push(`${name} = if_not_exists(${name}, ${value})`);
          values[value] = v;
        }
      }
      // Twilio sends ErrorCode with failed/undelivered; a later callback without one must not erase it.
      if (u.errorCode) {
        sets.push('errorCode = :errorCode');
        values[':errorCode'] = u.errorCode;
      }
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: messageKey(u.partnerId, u.customerId, u.messageSid),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_not_exists(statusRank) OR statusRank < :rank',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async putInbound(m) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...messageKey(m.partnerId, m.customerId, m.messageSid), ...messageIndex(m.partnerId, m.customerId, m.createdAt, m.messageSid), entity: 'Message', ...m },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async get(partnerId, customerId, messageSid) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: messageKey(partnerId, customerId, messageSid) }));
      return Item ? fromItem(Item) : undefined;
    },

    async list(partnerId, customerId, limit) {
      const { Items = [] } = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': messagesIndexPartition(partnerId, customerId) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return Items.map(fromItem);
    },
  };
}
