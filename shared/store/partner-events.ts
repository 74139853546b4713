import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ShardEvent } from '../services/partner-event-cursor';
import type { PartnerEvent, PartnerEventInput, TransactWriteItem } from '../services/partner-events-contract';
import { TABLE } from './table';
import { PARTNER_EVENT_PREFIX, PARTNER_EVENT_SHARDS, partnerEventCounterKey, partnerEventKey, partnerEventShardOf } from './keys';

/**
 * How long an event stays readable and replayable (then DynamoDB's TTL removes it): long enough for
 * a partner to recover from an outage of weeks, as payment platforms keep theirs; short enough that
 * personal data in events (a received message's body) does not outlive its purpose.
 */
export const PARTNER_EVENT_RETENTION_DAYS = 30;

/** An event about to be written: its append time is fixed before the first attempt. */
export interface EventDraft {
  event: PartnerEventInput;
  occurredAt: string;
  /** Microseconds, strictly increasing within the process. */
  ts: number;
}

/** Events for one shard, to be numbered `expected + 1, expected + 2, …` in this order. */
export interface ShardAppend {
  shard: number;
  expected: number;
  events: EventDraft[];
}

/** How one transaction ended. */
export type AppendAttempt =
  /** Everything written; `events[i]` is `appends`' events flattened in order. */
  | { outcome: 'committed'; events: PartnerEvent[] }
  /** One of the caller's items failed its condition (indexes into the caller's items): nothing written. */
  | { outcome: 'refused'; failed: number[] }
  /** A shard's counter had moved: where it stands now (`undefined`: unknown, read it again). */
  | { outcome: 'conflict'; heads: Map<number, number | undefined> }
  /** Another transaction held an item, or DynamoDB throttled: nothing written, try again later. */
  | { outcome: 'contended' };

export interface PartnerEventRepository {
  readonly shards: number;
  shardOf(subject: string): number;
  /** Each shard's counter (eventually consistent: may lag, never runs ahead of a committed event). */
  heads(partnerId: string): Promise<number[]>;
  /** The table and key an item of a transaction writes (two operations on one item cannot share a transaction). */
  keyOf(item: TransactWriteItem): string;
  /** One shard's counter, strongly consistent (0 when the shard is empty). */
  head(partnerId: string, shard: number): Promise<number>;
  /** One TransactWriteItems: the caller's items first, then per shard its counter and its events. */
  write(partnerId: string, appends: ShardAppend[], items: TransactWriteItem[]): Promise<AppendAttempt>;
  /** One event by its id (`evt_<shard>_<sequence>`); undefined when there is none (or the id is not one of ours). */
  get(partnerId: string, eventId: string): Promise<PartnerEvent | undefined>;
  /** Up to `limit` events of a shard after sequence `after`, oldest first (eventually consistent). */
  read(partnerId: string, shard: number, after: number, limit: number): Promise<ShardEvent[]>;
}

const eventId = (shard: number, sequence: number) => `evt_${String(shard).padStart(2, '0')}_${sequence}`;
const sequenceOf = (sk: string) => Number(sk.slice(PARTNER_EVENT_PREFIX.length));
const EVENT_ID = /^evt_(\d{2})_([1-9]\d{0,11})$/;

/** The partner whose log an event row belongs to, from its key (`PARTNER#<p>#EVENTS#<shard>`). */
const EVENT_PARTITION = /^PARTNER#(.+)#EVENTS#\d{2}$/;

/**
 * An event row as the table's change stream carries it (unmarshalled new image) → its partner
 * and the event as readers see it; undefined for any other row.
 */
export function streamedEvent(item: Record<string, unknown>): { partnerId: string; event: PartnerEvent } | undefined {
  const partnerId = item.entity === 'PartnerEvent' ? EVENT_PARTITION.exec(String(item.pk))?.[1] : undefined;
  return partnerId ? { partnerId, event: eventOf(item) } : undefined;
}

/** The event as readers see it (without the row's keys and append timestamp). */
function eventOf(item: Record<string, unknown>): PartnerEvent {
  return {
    id: item.id as string,
    type: item.type,
    occurredAt: item.occurredAt as string,
    ...(item.customerId ? { customerId: item.customerId as string } : {}),
    data: item.data,
  } as PartnerEvent;
}

/** Codes in CancellationReasons that mean "someone else was busy with an item": try again. */
const TRANSIENT = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** The counter value in a cancellation reason's item (raw attribute values: exceptions are not unmarshalled). */
function counterIn(item: Record<string, unknown> | undefined): number {
  const attribute = item?.sequence as { N?: string } | number | undefined;
  if (typeof attribute === 'number') return attribute;
  return attribute?.N === undefined ? 0 : Number(attribute.N);
}

export function dynamoPartnerEventRepository(db: DynamoDBDocumentClient, tableName: string): PartnerEventRepository {
  return {
    shards: PARTNER_EVENT_SHARDS,
    shardOf: partnerEventShardOf,

    keyOf(item) {
      const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
      const key = (item.Put ? item.Put.Item : (op as { Key?: Record<string, unknown> } | undefined)?.Key) ?? {};
      return JSON.stringify([op?.TableName, key[TABLE.partitionKey], key[TABLE.sortKey]]);
    },

    async heads(partnerId) {
      const heads = new Array<number>(PARTNER_EVENT_SHARDS).fill(0);
      const shardOfPk = new Map(heads.map((_, shard) => [partnerEventCounterKey(partnerId, shard).pk, shard]));
      let keys: Record<string, unknown>[] = heads.map((_, shard) => partnerEventCounterKey(partnerId, shard));
      // Keys DynamoDB leaves unprocessed are read again twice; after that they count as "nothing
      // new" for this page, which only delays those shards.
      for (let round = 0; round < 3 && keys.length > 0; round++) {
        const reply = await db.send(
          new BatchGetCommand({
            RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'pk, #sequence', ExpressionAttributeNames: { '#sequence': 'sequence' } } },
          }),
        );
        for (const item of reply.Responses?.[tableName] ?? []) {
          const shard = shardOfPk.get(item.pk as string);
          if (shard !== undefined && typeof item.sequence === 'number') heads[shard] = item.sequence;
        }
        keys = (reply.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
      return heads;
    },

    async head(partnerId, shard) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerEventCounterKey(partnerId, shard), ConsistentRead: true }));
      return typeof Item?.sequence === 'number' ? Item.sequence : 0;
    },

    async write(partnerId, appends, items) {
      const stored: PartnerEvent[] = [];
      const writes: TransactWriteItem[] = [...items];
      const counterAt = new Map<number, number>();
      const putsAt = new Map<number, number>();
      for (const { shard, expected, events } of appends) {
        counterAt.set(writes.length, shard);
        const next = expected + events.length;
        writes.push({
          Update: {
            TableName: tableName,
            Key: partnerEventCounterKey(partnerId, shard),
            UpdateExpression: 'SET #sequence = :next',
            ConditionExpression: expected === 0 ? 'attribute_not_exists(#sequence)' : '#sequence = :expected',
            ExpressionAttributeNames: { '#sequence': 'sequence' },
            ExpressionAttributeValues: expected === 0 ? { ':next': next } : { ':next': next, ':expected': expected },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        });
        events.forEach(({ event, occurredAt, ts }, i) => {
          const sequence = expected + i + 1;
          const view = { id: eventId(shard, sequence), occurredAt, ...event } as PartnerEvent;
          stored.push(view);
          putsAt.set(writes.length, shard);
          writes.push({
            Put: {
              TableName: tableName,
              Item: {
                ...partnerEventKey(partnerId, shard, sequence), entity: 'PartnerEvent', ...view, ts,
                [TABLE.ttlAttribute]: Math.floor(Date.parse(occurredAt) / 1000) + PARTNER_EVENT_RETENTION_DAYS * 86_400,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          });
        });
      }
      if (writes.length === 0) return { outcome: 'committed', events: [] };
      try {
        await db.send(new TransactWriteCommand({ TransactItems: writes }));
        return { outcome: 'committed', events: stored };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.flatMap((r, i) => (i < items.length && r.Code === 'ConditionalCheckFailed' ? [i] : []));
        if (failed.length > 0) return { outcome: 'refused', failed };
        const heads = new Map<number, number | undefined>();
        reasons.forEach((r, i) => {
          if (r.Code !== 'ConditionalCheckFailed') return;
          if (counterAt.has(i)) heads.set(counterAt.get(i)!, counterIn(r.Item as Record<string, unknown> | undefined));
          else if (putsAt.has(i) && !heads.has(putsAt.get(i)!)) heads.set(putsAt.get(i)!, undefined);
        });
        if (heads.size > 0) return { outcome: 'conflict', heads };
        if (reasons.some((r) => TRANSIENT.has(r.Code ?? ''))) return { outcome: 'contended' };
        throw error;
      }
    },

    async read(partnerId, shard, after, limit) {
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': partnerEventCounterKey(partnerId, shard).pk, ':after': partnerEventKey(partnerId, shard, after).sk },
          Limit: limit,
        }),
      );
      return (page.Items ?? []).map((item) => ({ sequence: sequenceOf(item.sk as string), ts: item.ts as number, event: eventOf(item) }));
    },

    async get(partnerId, eventId) {
      const match = EVENT_ID.exec(eventId);
      if (!match || Number(match[1]) >= PARTNER_EVENT_SHARDS) return undefined;
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: partnerEventKey(partnerId, Number(match[1]), Number(match[2])) }));
      return Item ? eventOf(Item) : undefined;
    },
  };
}
