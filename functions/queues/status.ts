import { consumers } from '../../shared/messaging/default';
import { createWebhookConsumer } from '../../shared/queue/consumer';

/** Status callbacks → the message's status, moved forward only (out-of-order and duplicates converge). */
export const handler = createWebhookConsumer({
  name: 'status-callbacks',
  // Named, not read from the ARN: deployed queues have generated names.
  queue: 'status-callbacks',
  // Each change commits with its partner event in one conditional transaction: a redelivery fails the condition.
  dedupe: 'by-apply',
  toWork: consumers.statusWork,
  apply: consumers.applyStatus,
});
