import { consumers } from '../../shared/messaging/default';
import { createWebhookConsumer } from '../../shared/queue/consumer';
import { createIdempotencyStore } from '../../shared/store/idempotency-store';

/** Inbound messages → stored per customer; opt-out / opt-in / help keywords recorded with evidence. */
export const handler = createWebhookConsumer({
  name: 'inbound-messages',
  persistenceStore: createIdempotencyStore(),
  toWork: consumers.inboundWork,
  apply: consumers.receiveInbound,
});
