import type { DeliveryTask } from '../../shared/partner-webhooks/contract';
import { taskConsumer } from '../../shared/partner-webhooks/consumer';
import { delivery } from '../../shared/wiring/webhook-delivery';

/**
 * Partner webhook deliveries, one attempt per message, on both lanes: the healthy lane
 * (`partner-deliveries`) and the retry lane (`partner-deliveries-retry`) run this same module.
 * A failed attempt schedules its own retry and the message is deleted; only a crash (the attempt
 * could not be recorded or scheduled) leaves it to SQS's redelivery.
 */
export const handler = taskConsumer({
  queue: 'partner-deliveries',
  metricPrefix: 'WebhookDelivery',
  parse: (body) => JSON.parse(body) as DeliveryTask,
  run: (task) => delivery.deliver(task),
});
