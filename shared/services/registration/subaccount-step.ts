import type { StepContext, StepModule } from './context';
import { sidsOf, webhookUrl } from './context';
import type { StepOutcome } from './contract';

/**
 * The event types the platform parses, with the schema version it parses them at (TWILIO.md §10;
 * without a version Twilio sends v1). Campaign and number events are asked for at v2, which carry
 * `errorcode` and `messagingservicesid` respectively.
 */
const PREFIX = 'com.twilio.messaging.compliance';
export const A2P_EVENT_TYPES: Array<{ type: string; schemaVersion: number }> = [
  ...['brand-registered', 'brand-failure', 'brand-verified', 'brand-unverified', 'brand-vetted-verified', 'brand-secondary-vetting-failure'].map((t) => ({
    type: `${PREFIX}.brand-registration.${t}`,
    schemaVersion: 1,
  })),
  ...['campaign-submitted', 'campaign-approved', 'campaign-failure', 'campaign-deleted'].map((t) => ({ type: `${PREFIX}.campaign-registration.${t}`, schemaVersion: 2 })),
  ...['pending', 'successful', 'failed'].map((t) => ({ type: `${PREFIX}.number-registration.${t}`, schemaVersion: 2 })),
];

export const EVENT_SINK_DESCRIPTION = 'switchboard-a2p';
export const EVENT_SUBSCRIPTION_DESCRIPTION = 'switchboard-a2p-registration';

const SIDS = ['accountSid', 'eventSinkSid', 'eventSubscriptionSid'];

/**
 * The customer's subaccount, plus an Event Streams sink and subscription inside it: Event Streams
 * is per account, so a sink on the parent would never hear about this customer's brand.
 * The destination names the account so the JSON webhook is attributable before its signature is
 * checked (the signature covers the URL, so the query cannot be forged).
 */
async function ensure(ctx: StepContext): Promise<StepOutcome> {
  const { deps, input } = ctx;
  const { subaccount } = await deps.subaccounts.create(input.partnerId, input.customerId);
  // The customer row holds the AccountSid already, and the sink and subscription are looked up
  // before they are created: all three are stored with the outcome.
  ctx.noteSids({ accountSid: subaccount.accountSid });
  const creds = await ctx.creds();
  const destination = `${await webhookUrl(deps.settings, 'events')}?accountSid=${subaccount.accountSid}`;

  // Look up before create: a sink made by a run that crashed before storing its SID is adopted.
  const sinks = await deps.twilio.listEventSinks(creds);
  const sink =
    sinks.find((s) => s.sid === ctx.record.sids.eventSinkSid) ??
    sinks.find((s) => s.destination === destination || s.description === EVENT_SINK_DESCRIPTION) ??
    (await deps.twilio.createEventSink(creds, { description: EVENT_SINK_DESCRIPTION, destination }));
  ctx.noteSids({ eventSinkSid: sink.sid });

  const subscriptions = await deps.twilio.listEventSubscriptions(creds, sink.sid);
  const subscription =
    subscriptions.find((s) => s.description === EVENT_SUBSCRIPTION_DESCRIPTION) ??
    (await deps.twilio.createEventSubscription(creds, { description: EVENT_SUBSCRIPTION_DESCRIPTION, sinkSid: sink.sid, types: A2P_EVENT_TYPES }));
  ctx.noteSids({ eventSubscriptionSid: subscription.sid });

  return { status: 'succeeded', sids: sidsOf(ctx.record, SIDS) };
}

export const subaccountStep: StepModule = { run: ensure, check: ensure };
