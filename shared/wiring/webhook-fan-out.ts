import { deliveryQueues } from '../partner-webhooks/enqueue';
import { fanOut } from '../partner-webhooks/fan-out';
import { queue } from '../queue/default';
import { documentClient, tableName } from '../store/client';
import { dynamoWebhookEndpointStore } from '../store/webhook-endpoints';

/** The stream consumer's fan-out: endpoints read from the table, delivery messages to the lanes (no key service here). */
export const fanOutEvents = fanOut({ endpoints: dynamoWebhookEndpointStore(documentClient, tableName), queues: deliveryQueues(queue) });
