import { config } from '../config';
import { deliveryQueues } from '../partner-webhooks/enqueue';
import { guardUrl } from '../partner-webhooks/url-guard';
import { queue } from '../queue/default';
import { systemClock, ulidIds } from '../services/support';
import { webhookEndpointService } from '../services/webhook-endpoints';
import { documentClient, tableName } from '../store/client';
import { dynamoWebhookEndpointStore } from '../store/webhook-endpoints';
import { keyService } from './keys';
import { partnerEvents } from './partner-events';

/** The webhook endpoints API's service: the table, the key service for new secrets, the delivery and replay queues. */
export const webhookEndpoints = webhookEndpointService({
  endpoints: dynamoWebhookEndpointStore(documentClient, tableName),
  encrypt: (plaintext, context) => keyService.encrypt(plaintext, context),
  events: partnerEvents,
  queues: deliveryQueues(queue),
  guard: (url) => guardUrl(url, { allowLoopback: config.PARTNER_WEBHOOKS_ALLOW_LOOPBACK }),
  clock: systemClock,
  ids: ulidIds,
});
