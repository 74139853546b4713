import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { webhookRefusalKey, webhookRefusalsPartition } from './keys';
import { queryUpTo } from './query';
import { TABLE } from './table';

/** How long an hour's counter is kept: the status page looks back a day, an investigation a few more. */
export const WEBHOOK_REFUSAL_TTL_DAYS = 7;

/** One customer's refused webhooks of one UTC hour: a count and the last one's reason, never the request. */
export interface WebhookRefusalCounter {
  partnerId: string;
  customerId: string;
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  count: number;
  lastReason: string;
  /** The receiver that refused the last one (inbound, status, events, trusthub). */
  lastWebhook: string;
  lastAt: string;
}

export interface WebhookRefusalStore {
  /** Adds `count` refusals to the hour of `at` (one UpdateItem with ADD: no read, no condition). */
  add(refusal: { partnerId: string; customerId: string; webhook: string; reason: string; at: string; count: number }): Promise<void>;
  /** A partner's counters from the hour `sinceHour` on, oldest first, at most `limit`. */
  since(partnerId: string, sinceHour: string, limit: number): Promise<WebhookRefusalCounter[]>;
}

export const hourOf = (iso: string) => iso.slice(0, 13);

export function dynamoWebhookRefusalStore(db: DynamoDBDocumentClient, tableName: string): WebhookRefusalStore {
  return {
    async add({ partnerId, customerId, webhook, reason, at, count }) {
      const hour = hourOf(at);
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: webhookRefusalKey(partnerId, customerId, hour),
          UpdateExpression: 'ADD #count :count SET entity = :entity, partnerId = :partner, customerId = :customer, #hour = :hour, lastReason = :reason, lastWebhook = :webhook, lastAt = :at, #ttl = :ttl',
          ExpressionAttributeNames: { '#count': 'count', '#hour': 'hour', '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':count': count,
            ':entity': 'WebhookRefusalCounter',
            ':partner': partnerId,
            ':customer': customerId,
            ':hour': hour,
            ':reason': reason,
            ':webhook': webhook,
            ':at': at,
            ':ttl': Math.floor(Date.parse(at) / 1000) + WEBHOOK_REFUSAL_TTL_DAYS * 86_400,
          },
        }),
      );
    },

    async since(partnerId, sinceHour, limit) {
      const { items } = await queryUpTo(
        db,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': webhookRefusalsPartition(partnerId), ':from': sinceHour },
        },
        limit,
      );
      return items.map((item) => ({
        partnerId: String(item.partnerId),
        customerId: String(item.customerId),
        hour: String(item.hour),
        count: Number(item.count),
        lastReason: String(item.lastReason),
        lastWebhook: String(item.lastWebhook),
        lastAt: String(item.lastAt),
      }));
    },
  };
}
