import { config } from '../config';
import { deliveryQueues } from '../partner-webhooks/enqueue';
import { guardUrl } from '../partner-webhooks/url-guard';
import type { QueuePort } from '../queue';
import { queue } from '../queue/default';
import { systemClock, ulidIds } from '../services/support';
import { webhookEndpointService } from '../services/webhook-endpoints';
import { documentClient, tableName } from '../store/client';
import { dynamoWebhookEndpointStore } from '../store/webhook-endpoints';
import { partnerEvents } from './partner-events';

/**
 * The webhook endpoints service over the table and the given queue. The key service is loaded on
 * first use (a new endpoint's secret): the operator CLI, which only replays, has no key to load.
 */
export function webhookEndpointsWith(queuePort: QueuePort) {
  return webhookEndpointService({
    endpoints: dynamoWebhookEndpointStore(documentClient, tableName),
    encrypt: (plaintext, context) => (require('./keys') as typeof import('./keys')).keyService.encrypt(plaintext, context),
    events: partnerEvents,
    queues: deliveryQueues(queuePort),
    guard: (url) => guardUrl(url, { allowLoopback: config.PARTNER_WEBHOOKS_ALLOW_LOOPBACK }),
    clock: systemClock,
    ids: ulidIds,
  });
}

/** The webhook endpoints API's service: the table, the key service for new secrets, the delivery and replay queues. */
export const webhookEndpoints = webhookEndpointsWith(queue);
