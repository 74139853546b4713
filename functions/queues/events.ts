import { consumers } from '../../shared/messaging/default';
import { createWebhookConsumer } from '../../shared/queue/consumer';
import { createIdempotencyStore } from '../../shared/store/idempotency-store';
import { resumeOnboarding } from '../../shared/wiring/workflow-resume';

/** Event Streams CloudEvents and TrustHub callbacks → the customer's registration event log (deduped on the event id). */
export const handler = createWebhookConsumer({
  name: 'twilio-events',
  // Named, not read from the ARN: deployed queues have generated names.
  queue: 'twilio-events',
  persistenceStore: createIdempotencyStore(),
  toWork: consumers.eventWork,
  // Recorded first, then the onboarding step waiting on it is resumed (its check re-reads Twilio).
  apply: async (work) => {
    await consumers.recordEvent(work);
    await resumeOnboarding(work.envelope, work.event);
  },
});
