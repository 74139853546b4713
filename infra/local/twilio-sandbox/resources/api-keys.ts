import { unauthenticated } from '../core/errors';
import { pageOf, rfc2822, v2010Page } from '../core/format';
import { str } from '../core/params';
import { created, noContent, ok, route, type ApiRequest, type Route } from '../core/context';
import type { KeyRecord } from '../core/state';
import { API_HOST, accountUri, owned, pathAccount } from './api-scope';

const renderKey = (k: KeyRecord): Record<string, unknown> => ({
  sid: k.sid,
  friendly_name: k.friendlyName,
  date_created: rfc2822(k.createdAt),
  date_updated: rfc2822(k.updatedAt),
});

/** Standard keys cannot manage keys; only the auth token (or a main key) can. */
function requireAuthToken(req: ApiRequest): void {
  if (req.credential !== 'auth-token') throw unauthenticated();
}

export const keyRoutes: Route[] = [
  route('POST', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Keys.json', (req, ctx) => {
    requireAuthToken(req);
    const account = pathAccount(req, ctx);
    const now = ctx.clock.now();
    const key: KeyRecord = {
      sid: ctx.sids.next('SK'),
      accountSid: account.sid,
      friendlyName: str(req.params, 'FriendlyName') ?? '',
      secret: ctx.sids.secret('api-key-secret'),
      createdAt: now,
      updatedAt: now,
    };
    ctx.state.keys.set(key.sid, key);
    // The secret is shown only in this response, as on Twilio.
    return created({ ...renderKey(key), secret: key.secret });
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Keys.json', (req, ctx) => {
    requireAuthToken(req);
    const account = pathAccount(req, ctx);
    const keys = ctx.state.ownedBy(ctx.state.keys, account.sid).map(renderKey);
    return ok(v2010Page('keys', `${accountUri(account.sid)}/Keys.json`, keys, pageOf(req.params)));
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    return ok(renderKey(owned(ctx.state.keys, req.pathParams.Sid, account, req.path)));
  }),
  route('DELETE', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json', (req, ctx) => {
    requireAuthToken(req);
    const account = pathAccount(req, ctx);
    const key = owned(ctx.state.keys, req.pathParams.Sid, account, req.path);
    ctx.state.keys.delete(key.sid);
    return noContent();
  }),
];
