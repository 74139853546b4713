import { invalidParameter, missingParameter } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { jsonString, list, required, str } from '../core/params';
import { created, noContent, ok, route, type Route, type SandboxContext } from '../core/context';
import type { SinkRecord, SubscriptionRecord } from '../core/state';
import { hostUrl, ownedByCaller } from './v1-common';

const HOST = 'events.twilio.com';
const SINK_TYPES = ['kinesis', 'webhook', 'segment', 'email'];

function renderSink(s: SinkRecord): Record<string, unknown> {
  const url = hostUrl(HOST, `/v1/Sinks/${s.sid}`);
  return {
    date_created: iso8601(s.createdAt),
    date_updated: iso8601(s.updatedAt),
    description: s.description,
    sid: s.sid,
    sink_configuration: s.sinkConfiguration,
    sink_type: s.sinkType,
    status: s.status,
    url,
    links: { sink_test: `${url}/Test`, sink_validate: `${url}/Validate` },
  };
}

function renderSubscription(s: SubscriptionRecord): Record<string, unknown> {
  const url = hostUrl(HOST, `/v1/Subscriptions/${s.sid}`);
  return {
    account_sid: s.accountSid,
    sid: s.sid,
    date_created: iso8601(s.createdAt),
    date_updated: iso8601(s.updatedAt),
    description: s.description,
    sink_sid: s.sinkSid,
    url,
    links: { subscribed_events: `${url}/SubscribedEvents` },
  };
}

function parseTypes(raw: string[]): SubscriptionRecord['types'] {
  if (raw.length === 0) throw missingParameter('Types');
  return raw.map((entry) => {
    try {
      const parsed = JSON.parse(entry) as { type?: unknown; schema_version?: unknown };
      if (typeof parsed.type === 'string') return { type: parsed.type, schema_version: typeof parsed.schema_version === 'number' ? parsed.schema_version : 1 };
    } catch {
      // reported below
    }
    throw invalidParameter('Types', `'${entry}' is not a JSON object with a type`);
  });
}

/**
 * Delivers one CloudEvent to every active webhook sink of the account whose subscriptions include
 * the type. Bodies are arrays even for a single event, as Twilio sends them.
 */
export async function emitEvent(ctx: SandboxContext, accountSid: string, type: string, data: Record<string, unknown>, source: string, dataschema?: string): Promise<void> {
  const subscriptions = ctx.state.ownedBy(ctx.state.subscriptions, accountSid).filter((s) => s.types.some((t) => t.type === type));
  const sinkSids = [...new Set(subscriptions.map((s) => s.sinkSid))];
  for (const sinkSid of sinkSids) {
    const sink = ctx.state.sinks.get(sinkSid);
    const destination = sink?.sinkConfiguration.destination;
    if (!sink || sink.status !== 'active' || sink.sinkType !== 'webhook' || typeof destination !== 'string') continue;
    const version = subscriptions.find((s) => s.sinkSid === sinkSid)!.types.find((t) => t.type === type)!.schema_version;
    const event = {
      specversion: '1.0',
      type,
      source,
      id: ctx.sids.next('EV'),
      dataschema: dataschema ? `https://events-schemas.twilio.com/${dataschema}/${version}` : undefined,
      datacontenttype: 'application/json',
      time: iso8601(ctx.clock.now()),
      data,
    };
    await ctx.webhooks.sendJson('event-stream', accountSid, destination, [event]);
  }
}

export const eventRoutes: Route[] = [
  route('POST', HOST, '/v1/Sinks', (req, ctx) => {
    const description = required(req.params, 'Description');
    const sinkType = required(req.params, 'SinkType');
    if (!SINK_TYPES.includes(sinkType)) throw invalidParameter('SinkType', `'${sinkType}' is not one of ${SINK_TYPES.join(', ')}`);
    required(req.params, 'SinkConfiguration');
    const sinkConfiguration = jsonString(req.params, 'SinkConfiguration');
    if (sinkType === 'webhook' && typeof sinkConfiguration.destination !== 'string') throw invalidParameter('SinkConfiguration', 'a webhook sink needs a destination');
    const now = ctx.clock.now();
    const sink: SinkRecord = { sid: ctx.sids.next('DG'), accountSid: req.account.sid, description, sinkType, sinkConfiguration, status: 'active', createdAt: now, updatedAt: now };
    ctx.state.sinks.set(sink.sid, sink);
    return created(renderSink(sink));
  }),
  route('GET', HOST, '/v1/Sinks', (req, ctx) => {
    const status = str(req.params, 'Status');
    const items = ctx.state.ownedBy(ctx.state.sinks, req.account.sid).filter((s) => !status || s.status === status).map(renderSink);
    return ok(metaPage('sinks', hostUrl(HOST, '/v1/Sinks'), items, pageOf(req.params)));
  }),
  route('GET', HOST, '/v1/Sinks/{Sid}', (req, ctx) => ok(renderSink(ownedByCaller(ctx.state.sinks, req.pathParams.Sid, req)))),
  route('POST', HOST, '/v1/Sinks/{Sid}', (req, ctx) => {
    const sink = ownedByCaller(ctx.state.sinks, req.pathParams.Sid, req);
    sink.description = required(req.params, 'Description');
    sink.updatedAt = ctx.clock.now();
    return ok(renderSink(sink));
  }),
  route('DELETE', HOST, '/v1/Sinks/{Sid}', (req, ctx) => {
    const sink = ownedByCaller(ctx.state.sinks, req.pathParams.Sid, req);
    ctx.state.sinks.delete(sink.sid);
    for (const sub of [...ctx.state.subscriptions.values()]) if (sub.sinkSid === sink.sid) ctx.state.subscriptions.delete(sub.sid);
    return noContent();
  }),
  route('POST', HOST, '/v1/Sinks/{Sid}/Test', async (req, ctx) => {
    const sink = ownedByCaller(ctx.state.sinks, req.pathParams.Sid, req);
    const destination = sink.sinkConfiguration.destination;
    if (typeof destination === 'string') {
      const event = {
        specversion: '1.0', type: 'com.twilio.eventstreams.test-event', source: `/v1/Sinks/${sink.sid}`, id: ctx.sids.next('EV'),
        datacontenttype: 'application/json', time: iso8601(ctx.clock.now()), data: { test_id: ctx.sids.next('TI') },
      };
      await ctx.webhooks.sendJson('event-stream', sink.accountSid, destination, [event]);
    }
    return ok({ result: 'submitted' });
  }),
  route('POST', HOST, '/v1/Subscriptions', (req, ctx) => {
    const description = required(req.params, 'Description');
    const sinkSid = required(req.params, 'SinkSid');
    ownedByCaller(ctx.state.sinks, sinkSid, { ...req, path: `/v1/Sinks/${sinkSid}` });
    const now = ctx.clock.now();
    const subscription: SubscriptionRecord = {
      sid: ctx.sids.next('DF'), accountSid: req.account.sid, sinkSid, description, types: parseTypes(list(req.params, 'Types')), createdAt: now, updatedAt: now,
    };
    ctx.state.subscriptions.set(subscription.sid, subscription);
    return created(renderSubscription(subscription));
  }),
  route('GET', HOST, '/v1/Subscriptions', (req, ctx) => {
    const sinkSid = str(req.params, 'SinkSid');
    const items = ctx.state.ownedBy(ctx.state.subscriptions, req.account.sid).filter((s) => !sinkSid || s.sinkSid === sinkSid).map(renderSubscription);
    return ok(metaPage('subscriptions', hostUrl(HOST, '/v1/Subscriptions'), items, pageOf(req.params)));
  }),
  route('GET', HOST, '/v1/Subscriptions/{Sid}', (req, ctx) => ok(renderSubscription(ownedByCaller(ctx.state.subscriptions, req.pathParams.Sid, req)))),
  route('DELETE', HOST, '/v1/Subscriptions/{Sid}', (req, ctx) => {
    ctx.state.subscriptions.delete(ownedByCaller(ctx.state.subscriptions, req.pathParams.Sid, req).sid);
    return noContent();
  }),
  route('GET', HOST, '/v1/Subscriptions/{Sid}/SubscribedEvents', (req, ctx) => {
    const sub = ownedByCaller(ctx.state.subscriptions, req.pathParams.Sid, req);
    const items = sub.types.map((t) => ({ account_sid: sub.accountSid, type: t.type, schema_version: t.schema_version, subscription_sid: sub.sid, url: hostUrl(HOST, `/v1/Subscriptions/${sub.sid}/SubscribedEvents/${t.type}`) }));
    return ok(metaPage('types', hostUrl(HOST, `/v1/Subscriptions/${sub.sid}/SubscribedEvents`), items, pageOf(req.params)));
  }),
];
