import { consumers } from '../../shared/messaging/default';
import { createWebhookConsumer } from '../../shared/queue/consumer';
import { createIdempotencyStore } from '../../shared/store/idempotency-store';

/** Status callbacks → the message's status, moved forward only (out-of-order and duplicates converge). */
export const handler = createWebhookConsumer({
  name: 'status-callbacks',
  persistenceStore: createIdempotencyStore(),
  toWork: consumers.statusWork,
  apply: consumers.applyStatus,
});
