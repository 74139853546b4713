import type { PartnerEvent } from '../services/partner-events-contract';
import { subscribes, type DeliveryTask, type StoredWebhookEndpoint, type WebhookEndpointStore } from './contract';
import type { DeliveryQueues } from './enqueue';

export interface FanOutDeps {
  endpoints: Pick<WebhookEndpointStore, 'all'>;
  queues: Pick<DeliveryQueues, 'deliveries'>;
}

/**
 * New events of one partner → one delivery message per (event, enabled endpoint that takes its
 * type), in log order. The endpoints are read once per call (one Query), never cached: an
 * endpoint registered a moment ago gets the next event.
 */
export function fanOut({ endpoints, queues }: FanOutDeps) {
  return async function deliver(partnerId: string, events: readonly PartnerEvent[]): Promise<number> {
    const enabled = (await endpoints.all(partnerId)).filter((e) => e.enabled);
    if (enabled.length === 0) return 0;
    const items: Array<{ task: DeliveryTask; endpoint: StoredWebhookEndpoint }> = [];
    for (const event of events) {
      for (const endpoint of enabled) {
        if (subscribes(endpoint, event.type)) items.push({ task: { partnerId, endpointId: endpoint.id, event, attempt: 1, origin: 'event' }, endpoint });
      }
    }
    if (items.length > 0) await queues.deliveries(items);
    return items.length;
  };
}
