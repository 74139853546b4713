import { GetCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Channel, Direction } from '../domain/message';
import { FINAL_STATUS_RANK } from '../messaging/status';
import { MESSAGE_SHARDS, contactMessagesPartition, messageIndexes, messageKey, messagePartition, messageReconcileIndex, messageReconcileKey, messageRequestKey } from './keys';
import { queryUpTo } from './query';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A message as stored (see table.ts for its keys). */
export interface MessageRecord {
  partnerId: string;
  customerId: string;
  messageId: string;
  /** Twilio's SID; absent while the message is pending. */
  sid?: string;
  accountSid: string;
  direction: Direction;
  channel: Channel;
  /** The other party: the recipient of an outbound message, the handset of an inbound one. */
  contact: string;
  from?: string;
  to?: string;
  body?: string;
  mediaUrls?: string[];
  /** WhatsApp template sends: the template (ours, when known), its Content SID and the values sent. */
  templateId?: string;
  contentSid?: string;
  contentVariables?: Record<string, string>;
  messagingServiceSid?: string;
  status: string;
  statusRank: number;
  /** When each status was first reported, keyed by status (kept even for a status that arrived late). */
  statusTimes: Record<string, string>;
  errorCode?: number;
  segments?: number;
  encoding?: 'GSM-7' | 'UCS-2';
  price?: string;
  priceUnit?: string;
  sendAt?: string;
  validityPeriodSeconds?: number;
  /** Hash of the request that created it (outbound through the API), for Idempotency-Key replays. */
  requestHash?: string;
  createdAt: string;
  updatedAt: string;
}

/** A status reported by Twilio (callback or API answer). */
export interface StatusChange {
  partnerId: string;
  customerId: string;
  messageId: string;
  sid: string;
  status: string;
  rank: number;
  at: string;
  errorCode?: number;
  messagingServiceSid?: string;
  from?: string;
  segments?: number;
  price?: string;
  priceUnit?: string;
}

export interface MessageListFilter {
  contact?: string;
  direction?: Direction;
  status?: string;
  channel?: Channel;
  /** Inclusive lower bound of createdAt (ISO). */
  createdAfter?: string;
  /** Exclusive upper bound of createdAt (ISO). */
  createdBefore?: string;
}

export interface MessagePage {
  items: MessageRecord[];
  /** The index sort key below which the next page starts; undefined at the end. */
  next?: string;
}

const FIELDS = [
  'partnerId', 'customerId', 'messageId', 'sid', 'accountSid', 'direction', 'channel', 'contact', 'from', 'to', 'body', 'mediaUrls',
  'messagingServiceSid', 'status', 'statusRank', 'statusTimes', 'errorCode', 'segments', 'encoding', 'price', 'priceUnit', 'sendAt',
  'validityPeriodSeconds', 'requestHash', 'templateId', 'contentSid', 'contentVariables', 'createdAt', 'updatedAt',
] as const;

export function messageFromItem(item: Record<string, unknown>): MessageRecord {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as MessageRecord;
}

/** Idempotency-Key rows of sends live a day, like API Idempotency-Key replays. */
const REQUEST_KEY_TTL_SECONDS = 24 * 60 * 60;
/** A filtered history page evaluates at most this many items per shard before answering with what it has. */
const MAX_PAGES_PER_SHARD = 5;

/**
 * The message rows. Writes are returned as transaction items, so the caller can commit a change
 * together with the partner events it causes (one transaction: the event exists exactly when the
 * change does, and a redelivered webhook whose change is already stored fails its condition instead
 * of appending the event twice). Reads are plain GetItem / Query.
 */
export function messageStore(db: DynamoDBDocumentClient, tableName: string) {
  const put = (m: MessageRecord, condition: string): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: { ...messageKey(m.partnerId, m.customerId, m.messageId), ...messageIndexes(m.partnerId, m.customerId, m.messageId, m.createdAt, m.contact), entity: 'Message', ...m },
      ConditionExpression: condition,
    },
  });

  const store = {
    /**
     * The pending row of a send, its reconciliation marker (the sweep asks Twilio about it if no
     * final status has come a while after it was sent, or due to be sent) and the Idempotency-Key
     * row pointing at it when the request had one.
     */
    pendingItems(m: MessageRecord, idempotencyKey: string | undefined, nowSeconds: number): TransactItem[] {
      const marker = {
        ...messageReconcileKey(m.partnerId, m.customerId, m.messageId), ...messageReconcileIndex(m.partnerId, m.customerId, m.messageId, m.sendAt ?? m.createdAt),
        entity: 'ReconcileMarker', partnerId: m.partnerId, customerId: m.customerId, messageId: m.messageId,
      };
      const items: TransactItem[] = [put(m, 'attribute_not_exists(pk)'), { Put: { TableName: tableName, Item: marker } }];
      if (idempotencyKey !== undefined) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...messageRequestKey(m.partnerId, m.customerId, idempotencyKey), entity: 'MessageRequest', partnerId: m.partnerId, customerId: m.customerId,
              messageId: m.messageId, requestHash: m.requestHash, expiresAt: nowSeconds + REQUEST_KEY_TTL_SECONDS,
            },
            // An expired row (TTL deletes lazily) counts as free.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          },
        });
      }
      return items;
    },

    /** A message first seen in a webhook (inbound, or adopted from a status callback): stored once. */
    newItem(m: MessageRecord): TransactItem {
      return put(m, 'attribute_not_exists(pk)');
    },

    /**
     * A status that moves the message forward. `requireSid` = the row must already carry a SID
     * (`true`: an ordinary callback) or must not (`false`: the first answer for a pending row, which
     * also stores the SID). Fails its condition for a duplicate, a late lower status, or a missing row.
     */
    forwardItem(c: StatusChange, requireSid: boolean): TransactItem {
      const names: Record<string, string> = { '#status': 'status', '#s': c.status };
      const values: Record<string, unknown> = { ':status': c.status, ':rank': c.rank, ':at': c.at, ':sid': c.sid };
      const sets = ['#status = :status', 'statusRank = :rank', 'updatedAt = :at', 'statusTimes.#s = if_not_exists(statusTimes.#s, :at)', 'sid = if_not_exists(sid, :sid)'];
      const optional: Array<[string, string, unknown]> = [
        ['errorCode', ':errorCode', c.errorCode], ['messagingServiceSid', ':ms', c.messagingServiceSid], ['segments', ':segments', c.segments],
        ['price', ':price', c.price], ['priceUnit', ':priceUnit', c.priceUnit],
      ];
      // Only what this change carries is named: DynamoDB refuses names and values an expression does not use.
      for (const [attribute, valueName, value] of optional) {
        if (value === undefined) continue;
        sets.push(`${attribute} = ${valueName}`);
        values[valueName] = value;
      }
      if (c.from !== undefined) {
        names['#from'] = 'from';
        sets.push('#from = if_not_exists(#from, :from)');
        values[':from'] = c.from;
      }
      return {
        Update: {
          TableName: tableName,
          Key: messageKey(c.partnerId, c.customerId, c.messageId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND statusRank < :rank AND ${requireSid ? 'attribute_exists(sid)' : 'attribute_not_exists(sid)'}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      };
    },

    /** Removes a message's reconciliation marker: its status is final, nothing is waited for. */
    reconcileDoneItem(m: Pick<MessageRecord, 'partnerId' | 'customerId' | 'messageId'>): TransactItem {
      return { Delete: { TableName: tableName, Key: messageReconcileKey(m.partnerId, m.customerId, m.messageId) } };
    },

    /** {@link forwardItem}, and for a final status the removal of the message's reconciliation marker in the same transaction. */
    forwardItems(c: StatusChange, requireSid: boolean): TransactItem[] {
      const items = [store.forwardItem(c, requireSid)];
      if (c.rank >= FINAL_STATUS_RANK) items.push(store.reconcileDoneItem(c));
      return items;
    },

    /** A status that arrived after a higher one: kept in the timeline only (and what it tells of price or SID). */
    lateItem(c: StatusChange): TransactItem {
      const values: Record<string, unknown> = { ':at': c.at, ':sid': c.sid };
      const sets = ['statusTimes.#s = if_not_exists(statusTimes.#s, :at)', 'sid = if_not_exists(sid, :sid)'];
      if (c.price !== undefined) {
        sets.push('price = :price', 'priceUnit = :priceUnit');
        values[':price'] = c.price;
        values[':priceUnit'] = c.priceUnit ?? 'USD';
      }
      return {
        Update: {
          TableName: tableName,
          Key: messageKey(c.partnerId, c.customerId, c.messageId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(statusTimes.#s)',
          ExpressionAttributeNames: { '#s': c.status },
          ExpressionAttributeValues: values,
        },
      };
    },

    /** Twilio refused the create: the pending row ends `failed` with the code (it never gets a SID). */
    refusedItem(m: Pick<MessageRecord, 'partnerId' | 'customerId' | 'messageId'>, errorCode: number | undefined, at: string): TransactItem {
      return {
        Update: {
          TableName: tableName,
          Key: messageKey(m.partnerId, m.customerId, m.messageId),
          UpdateExpression: `SET #status = :failed, statusRank = :rank, updatedAt = :at, statusTimes.#failed = :at${errorCode === undefined ? '' : ', errorCode = :code'}`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sid)',
          ExpressionAttributeNames: { '#status': 'status', '#failed': 'failed' },
          ExpressionAttributeValues: { ':failed': 'failed', ':rank': 4, ':at': at, ...(errorCode === undefined ? {} : { ':code': errorCode }) },
        },
      };
    },

    /** Removes a pending row that Twilio certainly never accepted (throttled), with its Idempotency-Key row. */
    abandonItems(m: Pick<MessageRecord, 'partnerId' | 'customerId' | 'messageId'>, idempotencyKey: string | undefined): TransactItem[] {
      const items: TransactItem[] = [
        { Delete: { TableName: tableName, Key: messageKey(m.partnerId, m.customerId, m.messageId), ConditionExpression: 'attribute_not_exists(sid)' } },
        store.reconcileDoneItem(m),
      ];
      if (idempotencyKey !== undefined) items.push({ Delete: { TableName: tableName, Key: messageRequestKey(m.partnerId, m.customerId, idempotencyKey) } });
      return items;
    },

    async get(partnerId: string, customerId: string, messageId: string, consistent = false): Promise<MessageRecord | undefined> {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: messageKey(partnerId, customerId, messageId), ConsistentRead: consistent }));
      return Item ? messageFromItem(Item) : undefined;
    },

    /** The message an Idempotency-Key created for the customer, if the key was used (and has not expired). */
    async byRequestKey(partnerId: string, customerId: string, idempotencyKey: string, nowSeconds: number): Promise<{ customerId: string; messageId: string; requestHash: string } | undefined> {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: messageRequestKey(partnerId, customerId, idempotencyKey), ConsistentRead: true }));
      if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt < nowSeconds)) return undefined;
      return { customerId: Item.customerId as string, messageId: Item.messageId as string, requestHash: Item.requestHash as string };
    },

    /**
     * A page of the customer's history, newest first. Without a contact it reads every shard's gsi1
     * partition and merges them on the shared sort key; a contact's conversation is one gsi2 Query.
     * Filters other than contact and time are applied by DynamoDB after the key range, so a page
     * evaluates a bounded number of items per shard and may hold fewer than `limit`; its cursor then
     * stops where the least-read shard stopped, so the next page never skips a message.
     */
    async list(partnerId: string, customerId: string, filter: MessageListFilter, cursor: string | undefined, limit: number): Promise<MessagePage> {
      const partitions = filter.contact
        ? [{ index: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: contactMessagesPartition(partnerId, customerId, filter.contact) }]
        : Array.from({ length: MESSAGE_SHARDS }, (_, shard) => ({ index: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: messagePartition(partnerId, customerId, shard) }));
      // Sort keys are `<createdAt>#<id>`: '#' sorts below every id character and '~' above them.
      const upper = [cursor, filter.createdBefore && `${filter.createdBefore}#`].filter((v): v is string => !!v).sort()[0] ?? '~';
      const lower = filter.createdAfter;
      if (lower !== undefined && lower > upper) return { items: [] };
      const filters: string[] = [];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':upper': upper, ...(lower !== undefined ? { ':lower': lower } : {}) };
      for (const [attribute, value] of [['direction', filter.direction], ['status', filter.status], ['channel', filter.channel]] as const) {
        if (value === undefined) continue;
        names[`#${attribute}`] = attribute;
        values[`:${attribute}`] = value;
        filters.push(`#${attribute} = :${attribute}`);
      }

      const shards = await Promise.all(
        partitions.map(async (p) => {
          const { items: found, stoppedAt: resume } = await queryUpTo(
            db,
            {
              TableName: tableName,
              IndexName: p.index,
              KeyConditionExpression: `${p.pk} = :pk AND ${lower !== undefined ? `${p.sk} BETWEEN :lower AND :upper` : `${p.sk} < :upper`}`,
              ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: { ...values, ':pk': p.value },
              ScanIndexForward: false,
            },
            limit + 1,
            { maxPages: MAX_PAGES_PER_SHARD },
          );
          // Where this shard's reading stopped (a selective filter ran out of pages) while more may remain below it.
          const stoppedAt = resume ? (resume[p.sk] as string) : undefined;
          return { found, stoppedAt, sk: p.sk };
        }),
      );

      // Every item above the highest point where some shard stopped reading is known in all shards.
      const floor = shards.map((s) => s.stoppedAt).filter((v): v is string => v !== undefined).sort().pop();
      const merged = shards
        .flatMap((s) => s.found.map((item) => ({ key: item[s.sk] as string, item })))
        .filter(({ key }) => key !== upper && (floor === undefined || key >= floor))
        .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      const items = merged.slice(0, limit);
      const more = merged.length > limit || floor !== undefined || shards.some((s) => s.found.length > limit);
      const next = !more ? undefined : items.length === limit ? items[items.length - 1]!.key : floor;
      return { items: items.map(({ item }) => messageFromItem(item)), next };
    },
  };
  return store;
}

export type MessageStore = ReturnType<typeof messageStore>;
