import { iso8601, metaPage, pageOf } from '../core/format';
import { jsonString, required, str } from '../core/params';
import { created, noContent, ok, route, type Route } from '../core/context';
import type { TrustItemRecord } from '../core/state';
import { hostUrl, ownedByCaller } from './v1-common';
import { POLICIES, renderPolicy } from './trusthub-policies';
import { notFound } from '../core/errors';

export const TRUSTHUB_HOST = 'trusthub.twilio.com';

/** End users (IT…) and supporting documents (RD…) share a shape; each keeps its own path and prefix. */
function itemRoutes(kind: TrustItemRecord['kind'], basePath: string, prefix: string): Route[] {
  const render = (i: TrustItemRecord): Record<string, unknown> => ({
    sid: i.sid,
    account_sid: i.accountSid,
    friendly_name: i.friendlyName,
    ...(kind === 'supporting-document' ? { mime_type: null, status: 'DRAFT' } : {}),
    type: i.type,
    attributes: i.attributes,
    date_created: iso8601(i.createdAt),
    date_updated: iso8601(i.updatedAt),
    url: hostUrl(TRUSTHUB_HOST, `${basePath}/${i.sid}`),
  });
  const mine = (map: Map<string, TrustItemRecord>, accountSid: string) => [...map.values()].filter((i) => i.kind === kind && i.accountSid === accountSid);
  return [
    route('POST', TRUSTHUB_HOST, basePath, (req, ctx) => {
      const friendlyName = required(req.params, 'FriendlyName');
      const type = required(req.params, 'Type');
      const now = ctx.clock.now();
      const item: TrustItemRecord = { sid: ctx.sids.next(prefix), kind, accountSid: req.account.sid, friendlyName, type, attributes: jsonString(req.params, 'Attributes'), createdAt: now, updatedAt: now };
      ctx.state.trustItems.set(item.sid, item);
      return created(render(item));
    }),
    route('GET', TRUSTHUB_HOST, basePath, (req, ctx) =>
      ok(metaPage('results', hostUrl(TRUSTHUB_HOST, basePath), mine(ctx.state.trustItems, req.account.sid).map(render), pageOf(req.params))),
    ),
    route('GET', TRUSTHUB_HOST, `${basePath}/{Sid}`, (req, ctx) => ok(render(ownedByCaller(ctx.state.trustItems, req.pathParams.Sid, req)))),
    route('POST', TRUSTHUB_HOST, `${basePath}/{Sid}`, (req, ctx) => {
      const item = ownedByCaller(ctx.state.trustItems, req.pathParams.Sid, req);
      item.friendlyName = str(req.params, 'FriendlyName') ?? item.friendlyName;
      if (str(req.params, 'Attributes') !== undefined) item.attributes = jsonString(req.params, 'Attributes');
      item.updatedAt = ctx.clock.now();
      return ok(render(item));
    }),
    route('DELETE', TRUSTHUB_HOST, `${basePath}/{Sid}`, (req, ctx) => {
      ctx.state.trustItems.delete(ownedByCaller(ctx.state.trustItems, req.pathParams.Sid, req).sid);
      return noContent();
    }),
  ];
}

export const trustItemRoutes: Route[] = [
  ...itemRoutes('end-user', '/v1/EndUsers', 'IT'),
  ...itemRoutes('supporting-document', '/v1/SupportingDocuments', 'RD'),
  route('GET', TRUSTHUB_HOST, '/v1/Policies', (req) => {
    const items = Object.keys(POLICIES).map((sid) => renderPolicy(sid)!);
    return ok(metaPage('results', hostUrl(TRUSTHUB_HOST, '/v1/Policies'), items, pageOf(req.params)));
  }),
  route('GET', TRUSTHUB_HOST, '/v1/Policies/{Sid}', (req) => {
    const policy = renderPolicy(req.pathParams.Sid ?? '');
    if (!policy) throw notFound(req.path);
    return ok(policy);
  }),
];
