import type { EventSink, EventSubscription, TwilioGateway } from '../gateway';
import type { SdkContext } from './context';
import { str } from './values';

type EventsPort = Pick<TwilioGateway, 'createEventSink' | 'listEventSinks' | 'createEventSubscription' | 'listEventSubscriptions'>;

function toSink(s: { sid: string; description: string; status?: string | null; sinkConfiguration?: unknown }): EventSink {
  const config = (s.sinkConfiguration ?? {}) as Record<string, unknown>;
  return { sid: s.sid, description: s.description, status: (str(s.status) as EventSink['status']) ?? null, destination: str(config.destination) };
}

function toSubscription(s: { sid: string; sinkSid: string; description: string }): EventSubscription {
  return { sid: s.sid, sinkSid: s.sinkSid, description: s.description };
}

/** Event Streams live per subaccount, so each customer gets its own sink and subscription. */
export function eventsAdapter(ctx: SdkContext): EventsPort {
  return {
    async createEventSink(creds, input) {
      const created = await ctx.client(creds).events.v1.sinks.create({
        description: input.description,
        sinkType: 'webhook',
        // One event per POST keeps a failed delivery from taking its neighbours with it.
        sinkConfiguration: { destination: input.destination, method: 'POST', batch_events: false },
      });
      return toSink(created);
    },
    async listEventSinks(creds) {
      return (await ctx.client(creds).events.v1.sinks.list({ pageSize: 50, limit: 50 })).map(toSink);
    },
    async createEventSubscription(creds, input) {
      const created = await ctx.client(creds).events.v1.subscriptions.create({
        description: input.description,
        sinkSid: input.sinkSid,
        types: input.types.map((t) => (t.schemaVersion === undefined ? { type: t.type } : { type: t.type, schema_version: t.schemaVersion })),
      });
      return toSubscription(created);
    },
    async listEventSubscriptions(creds, sinkSid) {
      const params = sinkSid ? { sinkSid, pageSize: 50, limit: 50 } : { pageSize: 50, limit: 50 };
      return (await ctx.client(creds).events.v1.subscriptions.list(params)).map(toSubscription);
    },
  };
}
