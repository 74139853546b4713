import { GetCommand, PutCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  CONSENT_CHANNELS,
  CONSENT_SOURCES,
  CONSENT_STATES,
  type ChannelConsent,
  type ConsentChannel,
  type ConsentRecord,
} from '../domain/consent';
import { CONSENT_RECORD_PREFIX, consentRecordKey, consentStateKey, optedOutIndex, optedOutPartition } from './keys';
import { queryAll, queryUpTo } from './query';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The contact's state row: the folded state per channel, guarded by a version. */
export interface ConsentStateRecord {
  partnerId: string;
  customerId: string;
  contact: string;
  channels: Partial<Record<ConsentChannel, ChannelConsent>>;
  /** Bumped by every write; a write names the version it read (optimistic concurrency). */
  version: number;
  updatedAt: string;
}

/** Opted-out contacts, newest opt-out first, each with its gsi1 position. */
export type OptedOutItems = Array<{ state: ConsentStateRecord; position: string }>;

export interface ConsentRepository {
  /** Writes a ledger row unless one with its id exists (then nothing changes); true when it was new. */
  putRecord(record: ConsentRecord): Promise<boolean>;
  /** The state row, strongly consistent. */
  getState(partnerId: string, customerId: string, contact: string): Promise<ConsentStateRecord | undefined>;
  /** Every ledger row of the contact, strongly consistent, in no particular order. */
  records(partnerId: string, customerId: string, contact: string): Promise<ConsentRecord[]>;
  /** State row and ledger together (one partition, one Query). */
  read(partnerId: string, customerId: string, contact: string): Promise<{ state?: ConsentStateRecord; records: ConsentRecord[] }>;
  /** A transaction item that writes `next` if the stored version is still `expectedVersion` (undefined: no row yet). */
  stateWrite(next: ConsentStateRecord, expectedVersion: number | undefined): TransactItem;
  /** The same write on its own; false when the version moved. */
  writeState(next: ConsentStateRecord, expectedVersion: number | undefined): Promise<boolean>;
  /** Contacts opted out of any of `channels`, newest opt-out first, strictly before `before` (a position from a previous page). */
  /** Up to `wanted` opted-out contacts below `before` (a position), newest opt-out first. */
  listOptedOut(partnerId: string, customerId: string, options: { channel?: ConsentChannel; wanted: number; before?: string }): Promise<OptedOutItems>;
}

const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** One channel of a stored state row, or undefined when it is not a well-formed one. */
function channelFromItem(value: unknown): ChannelConsent | undefined {
  if (!isObject(value) || !(CONSENT_STATES as readonly unknown[]).includes(value.state)) return undefined;
  const source = (CONSENT_SOURCES as readonly unknown[]).includes(value.source) ? (value.source as ChannelConsent['source']) : undefined;
  const out: ChannelConsent = { state: value.state as ChannelConsent['state'] };
  if (optionalString(value.since)) out.since = value.since as string;
  if (source) out.source = source;
  if (optionalString(value.recordId)) out.recordId = value.recordId as string;
  if (optionalString(value.keyword)) out.keyword = value.keyword as string;
  if (optionalString(value.messageId)) out.messageId = value.messageId as string;
  if (typeof value.errorCode === 'number') out.errorCode = value.errorCode;
  if (value.reopenRequiresEvidence === true) out.reopenRequiresEvidence = true;
  return out;
}

/**
 * A raw state row (as GetItem / BatchGet return it) read defensively: the send path hands us
 * whatever it found under {@link consentStateKey}; anything not shaped like a state row is absent.
 */
export function stateFromItem(item: Record<string, unknown> | undefined): ConsentStateRecord | undefined {
  if (!item || item.entity !== 'ConsentState' || typeof item.contact !== 'string') return undefined;
  const channels: ConsentStateRecord['channels'] = {};
  const stored = isObject(item.channels) ? item.channels : {};
  for (const channel of CONSENT_CHANNELS) {
    const parsed = channelFromItem(stored[channel]);
    if (parsed) channels[channel] = parsed;
  }
  return {
    partnerId: String(item.partnerId ?? ''),
    customerId: String(item.customerId ?? ''),
    contact: item.contact,
    channels,
    version: typeof item.version === 'number' ? item.version : 0,
    updatedAt: String(item.updatedAt ?? ''),
  };
}

/** The channels a state is opted out of, and the latest of those opt-outs. */
export function optedOut(state: Pick<ConsentStateRecord, 'channels'>): { channels: ConsentChannel[]; latest?: string } {
  const channels = CONSENT_CHANNELS.filter((c) => state.channels[c]?.state === 'opted-out');
  const latest = channels.map((c) => state.channels[c]!.since ?? '').sort().at(-1);
  return { channels, ...(latest ? { latest } : {}) };
}

/** The state row as stored: keys, the opted-out index entry while opted out, and the state. */
export function toStateItem(s: ConsentStateRecord): Record<string, unknown> {
  const out = optedOut(s);
  return {
    ...consentStateKey(s.partnerId, s.customerId, s.contact),
    // Present only while opted out: a Put replaces the whole row, so opting back in drops the index entry.
    ...(out.latest ? optedOutIndex(s.partnerId, s.customerId, out.channels, out.latest, s.contact) : {}),
    entity: 'ConsentState',
    ...s,
  };
}

const RECORD_FIELDS = ['id', 'partnerId', 'customerId', 'contact', 'channel', 'action', 'source', 'at', 'recordedAt', 'keyword', 'messageId', 'messageSid', 'to', 'errorCode', 'evidence'] as const;
function recordFromItem(item: Record<string, unknown>): ConsentRecord {
  const out: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) if (item[field] !== undefined) out[field] = item[field];
  return out as unknown as ConsentRecord;
}

/** Positions are `<since>#<contact>`: the gsi1 sort key of an opted-out state row. */
const OPTED_OUT_SETS: Record<ConsentChannel | 'any', ConsentChannel[][]> = {
  sms: [['sms'], ['sms', 'whatsapp']],
  whatsapp: [['whatsapp'], ['sms', 'whatsapp']],
  any: [['sms'], ['whatsapp'], ['sms', 'whatsapp']],
};

export function dynamoConsentRepository(db: DynamoDBDocumentClient, tableName: string): ConsentRepository {
  const recordsOf = (partnerId: string, customerId: string, contact: string, recordsOnly: boolean) =>
    queryAll(db, {
      TableName: tableName,
      KeyConditionExpression: recordsOnly ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': consentStateKey(partnerId, customerId, contact).pk, ...(recordsOnly ? { ':prefix': CONSENT_RECORD_PREFIX } : {}) },
      ConsistentRead: true,
    });

  /** Up to `wanted` items of one gsi1 partition, newest first. */
  const readIndex = async (partition: string, wanted: number, before: string | undefined) =>
    (
      await queryUpTo(
        db,
        {
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: before ? 'gsi1pk = :pk AND gsi1sk < :before' : 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': partition, ...(before ? { ':before': before } : {}) },
          ScanIndexForward: false,
        },
        wanted,
      )
    ).items;

  const stateWrite = (next: ConsentStateRecord, expectedVersion: number | undefined) => ({
    Put: {
      TableName: tableName,
      Item: toStateItem(next),
      ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
      ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
    },
  });

  return {
    async putRecord(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...consentRecordKey(record.partnerId, record.customerId, record.contact, record.id), entity: 'ConsentRecord', ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async getState(partnerId, customerId, contact) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: consentStateKey(partnerId, customerId, contact), ConsistentRead: true }));
      return stateFromItem(Item);
    },

    async records(partnerId, customerId, contact) {
      return (await recordsOf(partnerId, customerId, contact, true)).map(recordFromItem);
    },

    async read(partnerId, customerId, contact) {
      const items = await recordsOf(partnerId, customerId, contact, false);
      const stateItem = items.find((i) => i.sk === consentStateKey(partnerId, customerId, contact).sk);
      const state = stateFromItem(stateItem);
      return {
        ...(state ? { state } : {}),
        records: items.filter((i) => String(i.sk).startsWith(CONSENT_RECORD_PREFIX)).map(recordFromItem),
      };
    },

    stateWrite,

    async writeState(next, expectedVersion) {
      try {
        await db.send(new PutCommand(stateWrite(next, expectedVersion).Put));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /**
     * One reverse Query per partition that can hold a matching contact, merged on the shared sort
     * key. gsi1 is eventually consistent: a contact moving between partitions may briefly show in
     * both, so the merge keeps its first (newest) appearance.
     */
    async listOptedOut(partnerId, customerId, { channel, wanted, before }) {
      const partitions = OPTED_OUT_SETS[channel ?? 'any'].map((set) => optedOutPartition(partnerId, customerId, set));
      const pages = await Promise.all(partitions.map((p) => readIndex(p, wanted, before)));
      const merged = pages.flat().sort((a, b) => (String(a.gsi1sk) < String(b.gsi1sk) ? 1 : String(a.gsi1sk) > String(b.gsi1sk) ? -1 : 0));
      const seen = new Set<string>();
      const items: OptedOutItems = [];
      for (const item of merged) {
        const state = stateFromItem(item);
        if (!state || seen.has(state.contact)) continue;
        seen.add(state.contact);
        items.push({ state, position: String(item.gsi1sk) });
      }
      return items.slice(0, wanted);
    },
  };
}
