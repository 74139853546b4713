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

function attemptOf(item: Record<string, unknown>): DeliveryAttempt {
  const { pk: _pk, sk: _sk, entity: _entity, [TABLE.ttlAttribute]: _ttl, ...attempt } = item;
  return attempt as unknown as DeliveryAttempt;
}

/** An opaque cursor over the delivery log: the sort key of the last attempt of the page. */
const encodeCursor = (sk: string) => Buffer.from(sk, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z#evt_[A-Za-z0-9_]+#\d{2}$/.test(sk)) {
    throw new ValidationError('cursor is not valid', [{ field: 'query.cursor', message: 'use the nextCursor of a previous page' }]);
  }
  return sk;
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

    async recordAttempts(attempts) {
      const requests = attempts.map((a) => ({
        PutRequest: {
          Item: {
            ...webhookDeliveryKey(a.partnerId, a.endpointId, a.attemptedAt, a.eventId, a.attempt),
            entity: 'WebhookDelivery',
            ...a,
            [TABLE.ttlAttribute]: Math.floor(Date.parse(a.attemptedAt) / 1000) + DELIVERY_LOG_TTL_DAYS * 24 * 60 * 60,
          },
        },
      }));
      for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) {
        let pending: unknown[] = requests.slice(i, i + BATCH_WRITE_SIZE);
        for (let round = 0; pending.length > 0; round++) {
          if (round === BATCH_WRITE_ROUNDS) throw new Error(`${pending.length} delivery attempts were still unprocessed after ${BATCH_WRITE_ROUNDS} rounds`);
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
          const reply = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
          pending = reply.UnprocessedItems?.[tableName] ?? [];
        }
      }
    },

    async attempts(partnerId, endpointId, after, limit) {
      const pk = webhookDeliveriesPartition(partnerId, endpointId);
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: limit,
          ...(after ? { ExclusiveStartKey: { pk, sk: decodeCursor(after) } } : {}),
        }),
      );
      const items = page.Items ?? [];
      const last = page.LastEvaluatedKey?.sk as string | undefined;
      return { data: items.map(attemptOf), next: last && items.length === limit ? encodeCursor(last) : null };
    },
  };
}
