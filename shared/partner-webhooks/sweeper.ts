import type { Clock } from '../services/support';
import type { ScheduledRetryStore } from './contract';
import { MAX_QUEUE_DELAY_SECONDS, type DeliveryQueues } from './enqueue';

/** The sweeper runs every minute and moves what is due before the run after next: 14 minutes ahead keeps every delay under SQS's 15. */
const LOOKAHEAD_MS = 14 * 60_000;
/** Retries one run moves at most (a minute is never split, so a run may take a little more). */
const MAX_PER_RUN = 20_000;
const SEND_CHUNK = 500;

export interface SweeperDeps {
  retries: ScheduledRetryStore;
  queues: Pick<DeliveryQueues, 'retries'>;
  clock: Clock;
}

/**
 * Moves retries that wait in the table (due more than 15 minutes after their failure) to the
 * retry queue once they are due within the lookahead, each with the delay still left, so they
 * fire on time to the second. Sent, then removed, then the cursor moves: a crash in between sends
 * a retry twice (receivers deduplicate on `webhook-id`), never loses one.
 */
export function retrySweeper({ retries, queues, clock }: SweeperDeps) {
  return async function sweep(): Promise<{ moved: number; through?: string }> {
    const now = clock.now();
    const { retries: due, through } = await retries.due(new Date(now.getTime() + LOOKAHEAD_MS), MAX_PER_RUN);
    for (let i = 0; i < due.length; i += SEND_CHUNK) {
      const chunk = due.slice(i, i + SEND_CHUNK);
      await queues.retries(
        chunk.map(({ dueAt, task }) => ({ task, delaySeconds: Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, (Date.parse(dueAt) - now.getTime()) / 1000)) })),
      );
      await retries.remove(chunk);
    }
    if (through) await retries.sweptThrough(through);
    return { moved: due.length, ...(through ? { through: through.toISOString() } : {}) };
  };
}
