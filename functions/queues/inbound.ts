import { consumers } from '../../shared/messaging/default';
import { createWebhookConsumer } from '../../shared/queue/consumer';

/** Inbound messages → stored per customer; opt-out / opt-in / help keywords recorded with evidence. */
export const handler = createWebhookConsumer({
  name: 'inbound-messages',
  // Named, not read from the ARN: deployed queues have generated names.
  queue: 'inbound-messages',
  // Each change commits with its partner event in one conditional transaction: a redelivery fails the condition.
  dedupe: 'by-apply',
  toWork: consumers.inboundWork,
  apply: consumers.receiveInbound,
});
