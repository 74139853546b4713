import { decodeCursor } from '../services/partner-event-cursor';
import type { PartnerEventService } from '../services/partner-events';
import { PARTNER_EVENT_SHARDS } from '../store/keys';
import { subscribes, type ReplayTask, type WebhookEndpointStore } from './contract';
import type { DeliveryService } from './delivery-service';
import type { DeliveryQueues } from './enqueue';

/** Events one step reads; sent one after another, in log order. */
export const REPLAY_PAGE = 50;
/** A step takes at least this long (the next one is delayed by what is left): at most 50 events a second per replay. */
const STEP_MS = 1_000;

export interface ReplayDeps {
  events: Pick<PartnerEventService, 'list'>;
  endpoints: Pick<WebhookEndpointStore, 'get'>;
  delivery: Pick<DeliveryService, 'deliver'>;
  queues: Pick<DeliveryQueues, 'replay'>;
  monotonic?: () => number;
}

/** `evt_<shard>_<sequence>` → its place in the log. */
const positionOf = (eventId: string): { shard: number; sequence: number } => {
  const [, shard, sequence] = /^evt_(\d+)_(\d+)$/.exec(eventId) ?? [];
  return { shard: Number(shard), sequence: Number(sequence) };
};

/**
 * One step of a replay: the next page of the log after `after`, up to the head it had when the
 * replay was asked for, sent to the endpoint in order (each event's own retries take over when
 * it fails), then the next step queued. Ends when the endpoint is gone or disabled, or the page
 * reaches `until`.
 */
export function replayStep({ events, endpoints, delivery, queues, monotonic = () => performance.now() }: ReplayDeps) {
  return async function step(task: ReplayTask): Promise<{ sent: number; done: boolean }> {
    const started = monotonic();
    const endpoint = await endpoints.get(task.partnerId, task.endpointId);
    if (!endpoint || !endpoint.enabled) return { sent: task.sent, done: true };
    const until = decodeCursor(task.until, PARTNER_EVENT_SHARDS);
    const page = await events.list(task.partnerId, task.after, REPLAY_PAGE);
    let sent = task.sent;
    for (const event of page.data) {
      const { shard, sequence } = positionOf(event.id);
      if (sequence > (until[shard] ?? 0) || !subscribes(endpoint, event.type)) continue;
      await delivery.deliver({ partnerId: task.partnerId, endpointId: task.endpointId, event, attempt: 1, origin: 'replay', replayId: task.replayId }, { inline: true });
      sent++;
    }
    const next = page.nextCursor ? decodeCursor(page.nextCursor, PARTNER_EVENT_SHARDS) : undefined;
    const done = page.data.length === 0 || !next || next.every((position, shard) => position >= (until[shard] ?? 0));
    if (!done) await queues.replay({ ...task, after: page.nextCursor!, sent }, monotonic() - started < STEP_MS ? 1 : 0);
    return { sent, done };
  };
}
