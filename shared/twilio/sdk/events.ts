import type { EventSink, EventSubscription, SubaccountCredentials, TwilioGateway } from '../gateway';
import type V1 from 'twilio/lib/rest/events/V1';
import { SinkListInstance } from 'twilio/lib/rest/events/v1/sink';
import { SubscriptionListInstance } from 'twilio/lib/rest/events/v1/subscription';
import { sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';
import { str } from './values';

export type EventsPort = Pick<TwilioGateway, 'createEventSink' | 'listEventSinks' | 'createEventSubscription' | 'listEventSubscriptions'>;

function toSink(s: { sid: string; description: string; status?: string | null; sinkConfiguration?: unknown }): EventSink {
  const config = (s.sinkConfiguration ?? {}) as Record<string, unknown>;
  return { sid: s.sid, description: s.description, status: (str(s.status) as EventSink['status']) ?? null, destination: str(config.destination) };
}

function toSubscription(s: { sid: string; sinkSid: string; description: string }): EventSubscription {
  return { sid: s.sid, sinkSid: s.sinkSid, description: s.description };
}

const v1 = sdkVersion<V1>(TWILIO_HOSTS.events, 'v1');

/** Event Streams live per subaccount, so each customer gets its own sink and subscription. */
export function eventsAdapter(ctx: SdkContext): EventsPort {
  const sinks = (creds: SubaccountCredentials) => SinkListInstance(v1(ctx.client(creds)));
  const subscriptions = (creds: SubaccountCredentials) => SubscriptionListInstance(v1(ctx.client(creds)));
  return {
    async createEventSink(creds, input) {
      const created = await sinks(creds).create({
        description: input.description,
        sinkType: 'webhook',
        // One event per POST keeps a failed delivery from taking its neighbours with it.
        sinkConfiguration: { destination: input.destination, method: 'POST', batch_events: false },
      });
      return toSink(created);
    },
    async listEventSinks(creds) {
      return (await sinks(creds).list({ pageSize: 50, limit: 50 })).map(toSink);
    },
    async createEventSubscription(creds, input) {
      const created = await subscriptions(creds).create({
        description: input.description,
        sinkSid: input.sinkSid,
        types: input.types.map((t) => (t.schemaVersion === undefined ? { type: t.type } : { type: t.type, schema_version: t.schemaVersion })),
      });
      return toSubscription(created);
    },
    async listEventSubscriptions(creds, sinkSid) {
      const params = sinkSid ? { sinkSid, pageSize: 50, limit: 50 } : { pageSize: 50, limit: 50 };
      return (await subscriptions(creds).list(params)).map(toSubscription);
    },
  };
}
