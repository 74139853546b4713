import { consumers } from '../../shared/messaging/default';
import { createWebhookConsumer } from '../../shared/queue/consumer';
import { resumeOnboarding } from '../../shared/wiring/workflow-resume';

/** Event Streams CloudEvents and TrustHub callbacks → the customer's registration event log (deduped on the event id). */
export const handler = createWebhookConsumer({
  name: 'twilio-events',
  // Named, not read from the ARN: deployed queues have generated names.
  queue: 'twilio-events',
  // The event row is a conditional put on the event id (a redelivery writes nothing), and resuming
  // is idempotent (a token is taken once; the check re-reads Twilio), so a redelivery — also one
  // after a crash between the two — has no second effect without an idempotency record.
  dedupe: 'by-apply',
  toWork: consumers.eventWork,
  // Recorded first, then the onboarding step waiting on it is resumed (its check re-reads Twilio).
  apply: async (work) => {
    await consumers.recordEvent(work);
    await resumeOnboarding(work.envelope, work.event);
  },
});
