import type { QueuePort } from '../queue/port';
import { laneOf, type DeliveryLane, type DeliveryTask, type ReplayTask, type StoredWebhookEndpoint } from './contract';

/** SQS delays stop at 15 minutes; a retry due later waits in the table (see contract.ts). */
export const MAX_QUEUE_DELAY_SECONDS = 900;

export interface DeliveryQueues {
  /** One message per task, each on its endpoint's lane ({@link laneOf}), sent in batches. */
  deliveries(items: ReadonlyArray<{ task: DeliveryTask; endpoint: Pick<StoredWebhookEndpoint, 'failingSince'> }>): Promise<void>;
  /** A retry on the retry lane, `delaySeconds` (0–900) from now. */
  retry(task: DeliveryTask, delaySeconds: number): Promise<void>;
  /** Many retries at once (the sweeper), each with its own delay. */
  retries(items: ReadonlyArray<{ task: DeliveryTask; delaySeconds: number }>): Promise<void>;
  replay(task: ReplayTask, delaySeconds?: number): Promise<void>;
}

/** Whole seconds, rounded up so a retry never fires early; outside 0–900 is a bug of the caller. */
function queueDelay(seconds: number): number {
  if (!(seconds >= 0 && seconds <= MAX_QUEUE_DELAY_SECONDS)) throw new RangeError(`A queue delay is 0–${MAX_QUEUE_DELAY_SECONDS} s, not ${seconds}`);
  return Math.ceil(seconds);
}

/** The message body: the task, stamped with the lane it goes to. */
const bodyOf = (task: DeliveryTask, lane: DeliveryLane): string => JSON.stringify({ ...task, lane } satisfies DeliveryTask);

/**
 * Delivery messages carry their endpoint as the message group: on SQS standard queues that is the
 * fair-queue tenant, so one endpoint's backlog does not hold back the others' messages.
 */
export function deliveryQueues(queue: QueuePort): DeliveryQueues {
  return {
    async deliveries(items) {
      const byLane = new Map<DeliveryLane, DeliveryTask[]>();
      for (const { task, endpoint } of items) {
        const lane = laneOf(endpoint, task.attempt);
        byLane.set(lane, [...(byLane.get(lane) ?? []), task]);
      }
      await Promise.all(
        [...byLane].map(([lane, tasks]) => queue.sendBatch(lane, tasks.map((task) => ({ body: bodyOf(task, lane), groupId: task.endpointId })))),
      );
    },
    async retry(task, delaySeconds) {
      await queue.send('partner-deliveries-retry', bodyOf(task, 'partner-deliveries-retry'), undefined, { delaySeconds: queueDelay(delaySeconds), groupId: task.endpointId });
    },
    async retries(items) {
      if (items.length === 0) return;
      await queue.sendBatch(
        'partner-deliveries-retry',
        items.map(({ task, delaySeconds }) => ({ body: bodyOf(task, 'partner-deliveries-retry'), delaySeconds: queueDelay(delaySeconds), groupId: task.endpointId })),
      );
    },
    async replay(task, delaySeconds = 0) {
      await queue.send('partner-replays', JSON.stringify(task), undefined, { delaySeconds, groupId: task.endpointId });
    },
  };
}

/** The default queues (SQS deployed, in-process locally), built on first use: importing this module reads no configuration. */
let defaults: DeliveryQueues | undefined;
const defaultQueues = (): DeliveryQueues =>
  (defaults ??= deliveryQueues((require('../queue/default') as typeof import('../queue/default')).queue));

export const enqueueDeliveries: DeliveryQueues['deliveries'] = (items) => defaultQueues().deliveries(items);
export const enqueueReplay: DeliveryQueues['replay'] = (task, delaySeconds) => defaultQueues().replay(task, delaySeconds);
