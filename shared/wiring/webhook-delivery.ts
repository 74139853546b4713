import { config } from '../config';
import { attemptDelivery } from '../partner-webhooks/deliver';
import { deliveryService } from '../partner-webhooks/delivery-service';
import { deliveryQueues } from '../partner-webhooks/enqueue';
import { replayStep } from '../partner-webhooks/replay';
import { queue } from '../queue/default';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoWebhookEndpointStore } from '../store/webhook-endpoints';
import { dynamoScheduledRetryStore } from '../store/webhook-retries';
import { keyService } from './keys';
import { partnerEvents } from './partner-events';

const endpoints = dynamoWebhookEndpointStore(documentClient, tableName);
const queues = deliveryQueues(queue);

/** The delivery consumers' service: attempts, their records, retries and disabling. */
export const delivery = deliveryService({
  endpoints,
  retries: dynamoScheduledRetryStore(documentClient, tableName),
  queues,
  events: partnerEvents,
  decrypt: (ciphertext, context) => keyService.decrypt(ciphertext, context),
  attempt: attemptDelivery,
  allowLoopback: config.PARTNER_WEBHOOKS_ALLOW_LOOPBACK,
  endpointCacheMs: config.PARTNER_WEBHOOKS_ENDPOINT_CACHE_MS,
  clock: systemClock,
});

/** One step of a replay (the replay consumer). */
export const replay = replayStep({ events: partnerEvents, endpoints, delivery, queues });
