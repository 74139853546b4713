import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../domain/errors';
import { DELIVERY_LOG_TTL_DAYS, MAX_ENDPOINTS_PER_PARTNER, type DeliveryAttempt, type StoredWebhookEndpoint, type WebhookEndpointStore } from '../partner-webhooks/contract';
import { WEBHOOK_ENDPOINT_PREFIX, webhookDeliveriesPartition, webhookDeliveryKey, webhookEndpointKey, webhookEndpointsPartition } from './keys';
import { queryAll } from './query';
import { TABLE } from './table';

const BATCH_WRITE_SIZE = 25;
const BATCH_WRITE_ROUNDS = 5;

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/** The row without its keys: what the service works with. */
function endpointOf(item: Record<string, unknown>): StoredWebhookEndpoint {
  const { pk: _pk, sk: _sk, entity: _entity, ...endpoint } = item;
  return endpoint as unknown as StoredWebhookEndpoint;
}

/** Attempts one delivery-log row holds at most (25 attempts of about 400 bytes: ~10 KB, far under the item limit). */
const ATTEMPTS_PER_ROW = 25;
type StoredAttempt = Omit<DeliveryAttempt, 'partnerId' | 'endpointId'>;

/**
 * The attempts of a delivery-log row, newest first. A row holds the attempts of one endpoint
 * recorded together (`attempts`); rows written before rows held many hold one, inline.
 */
function attemptsOf(item: Record<string, unknown>, partnerId: string, endpointId: string): DeliveryAttempt[] {
  if (Array.isArray(item.attempts)) return (item.attempts as StoredAttempt[]).map((a) => ({ partnerId, endpointId, ...a }));
  const { pk: _pk, sk: _sk, entity: _entity, [TABLE.ttlAttribute]: _ttl, ...attempt } = item;
  return [attempt as unknown as DeliveryAttempt];
}

/**
 * A position in the delivery log: the sort key of the row a page ended in, and how many of that
 * row's attempts the pages so far returned (none left: the next page starts after the row).
 * Written `<sk>` or `<sk>~<taken>`; the service seals it into the partner's cursor.
 */
interface LogPosition {
  sk: string;
  /** Attempts of row `sk` already returned; undefined when all were. */
  taken?: number;
}
export const DELIVERY_LOG_POSITION = /^(\d{4}-\d\d-\d\dT[\d:.]+Z#evt_[A-Za-z0-9_]+#\d{2})(?:~([1-9]\d{0,2}))?$/;
const positionText = ({ sk, taken }: LogPosition) => (taken === undefined ? sk : `${sk}~${taken}`);
function parsePosition(text: string): LogPosition {
  const match = DELIVERY_LOG_POSITION.exec(text);
  if (!match) throw new ValidationError('cursor is not valid', [{ field: 'query.cursor', message: 'use the nextCursor of a previous page' }]);
  return { sk: match[1]!, ...(match[2] ? { taken: Number(match[2]) } : {}) };
}

/**
 * A partner's webhook endpoints, one partition per partner (fan-out reads them all with one
 * Query; there are at most {@link MAX_ENDPOINTS_PER_PARTNER}), and each endpoint's delivery log in
 * a partition of its own, newest first by a reverse Query, expiring through the TTL attribute.
 */
export function dynamoWebhookEndpointStore(db: DynamoDBDocumentClient, tableName: string): WebhookEndpointStore {
  const all = async (partnerId: string) =>
    (await queryAll(db, { TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': webhookEndpointsPartition(partnerId), ':prefix': WEBHOOK_ENDPOINT_PREFIX }, ConsistentRead: true })).map(endpointOf);

  return {
    all,

    async create(endpoint) {
      // The limit is checked on a consistent read; two creations racing past it leave at most one extra, which the next create refuses.
      if ((await all(endpoint.partnerId)).length >= MAX_ENDPOINTS_PER_PARTNER) throw new RangeError(`A partner has at most ${MAX_ENDPOINTS_PER_PARTNER} webhook endpoints`);
      await db.send(new PutCommand({ TableName: tableName, Item: { ...webhookEndpointKey(endpoint.partnerId, endpoint.id), entity: 'WebhookEndpoint', ...endpoint }, ConditionExpression: 'attribute_not_exists(pk)' }));
    },

    async get(partnerId, endpointId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: webhookEndpointKey(partnerId, endpointId), ConsistentRead: true }));
      return Item ? endpointOf(Item) : undefined;
    },

    async replace(next, expectedVersion) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...webhookEndpointKey(next.partnerId, next.id), entity: 'WebhookEndpoint', ...next },
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async delete(partnerId, endpointId) {
      try {
        await db.send(new DeleteCommand({ TableName: tableName, Key: webhookEndpointKey(partnerId, endpointId), ConditionExpression: 'attribute_exists(pk)' }));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async markFailure(partnerId, endpointId, at) {
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: webhookEndpointKey(partnerId, endpointId),
            UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :at), lastFailureAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? endpointOf(Attributes) : undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async markSuccess(partnerId, endpointId, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: webhookEndpointKey(partnerId, endpointId),
            UpdateExpression: 'REMOVE failingSince SET lastSuccessAt = :at',
            ConditionExpression: 'attribute_exists(failingSince)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async disable(partnerId, endpointId, reason, at) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: webhookEndpointKey(partnerId, endpointId),
            UpdateExpression: 'SET enabled = :false, disabledReason = :reason, disabledAt = :at, updatedAt = :at ADD #version :one',
            ConditionExpression: 'enabled = :true',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':false': false, ':true': true, ':reason': reason, ':at': at, ':one': 1 },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /**
     * The attempts recorded together go into as few rows as they can: one per endpoint (up to
     * 25 attempts each), keyed by its newest attempt, so a busy endpoint's log costs one write per
     * flush instead of one per attempt (DynamoDB bills a write per KB, not per attempt).
     */
    async recordAttempts(attempts) {
      const byEndpoint = new Map<string, DeliveryAttempt[]>();
      for (const a of attempts) {
        const key = webhookDeliveriesPartition(a.partnerId, a.endpointId);
        byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), a]);
      }
      const requests: unknown[] = [];
      for (const list of byEndpoint.values()) {
        const newestFirst = [...list].sort((x, y) => (x.attemptedAt < y.attemptedAt ? 1 : x.attemptedAt > y.attemptedAt ? -1 : 0));
        for (let i = 0; i < newestFirst.length; i += ATTEMPTS_PER_ROW) {
          const row = newestFirst.slice(i, i + ATTEMPTS_PER_ROW);
          const newest = row[0]!;
          requests.push({
            PutRequest: {
              Item: {
                ...webhookDeliveryKey(newest.partnerId, newest.endpointId, newest.attemptedAt, newest.eventId, newest.attempt),
                entity: 'WebhookDeliveries',
                attempts: row.map(({ partnerId: _p, endpointId: _e, ...attempt }) => attempt),
                [TABLE.ttlAttribute]: Math.floor(Date.parse(newest.attemptedAt) / 1000) + DELIVERY_LOG_TTL_DAYS * 24 * 60 * 60,
              },
            },
          });
        }
      }
      for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) {
        let pending: unknown[] = requests.slice(i, i + BATCH_WRITE_SIZE);
        for (let round = 0; pending.length > 0; round++) {
          if (round === BATCH_WRITE_ROUNDS) throw new Error(`${pending.length} delivery-log rows were still unprocessed after ${BATCH_WRITE_ROUNDS} rounds`);
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
          const reply = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
          pending = reply.UnprocessedItems?.[tableName] ?? [];
        }
      }
    },

    /**
     * Newest rows first, each row's attempts newest first. One row more than the page could need
     * is read, so a page says there is another only when there is (no empty last page).
     */
    async attempts(partnerId, endpointId, after, limit) {
      const pk = webhookDeliveriesPartition(partnerId, endpointId);
      const position = after ? parsePosition(after) : undefined;
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          // Part-way through a row: read it again (sk ≤ cursor) and skip what was returned.
          KeyConditionExpression: position?.taken ? 'pk = :pk AND sk <= :sk' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...(position?.taken ? { ':sk': position.sk } : {}) },
          ScanIndexForward: false,
          Limit: limit + 1,
          ...(position && !position.taken ? { ExclusiveStartKey: { pk, sk: position.sk } } : {}),
        }),
      );
      const data: DeliveryAttempt[] = [];
      let end: LogPosition | undefined;
      let more = false;
      for (const item of page.Items ?? []) {
        const rowAttempts = attemptsOf(item, partnerId, endpointId);
        const from = position?.taken && item.sk === position.sk ? position.taken : 0;
        if (data.length === limit) {
          more = from < rowAttempts.length;
          if (more) break;
          continue;
        }
        const taken = rowAttempts.slice(from, from + limit - data.length);
        data.push(...taken);
        const upTo = from + taken.length;
        end = { sk: item.sk as string, ...(upTo < rowAttempts.length ? { taken: upTo } : {}) };
        if (upTo < rowAttempts.length) more = true;
      }
      // Fewer rows than asked for and a LastEvaluatedKey: the Query stopped at 1 MB, there is more.
      if (page.LastEvaluatedKey) more = true;
      return { data, next: more && end ? positionText(end) : null };
    },
  };
}
