import { TwilioError, notFound } from '../core/errors';
import { iso8601 } from '../core/format';
import { created, noContent, ok, route, type ApiRequest, type Route } from '../core/context';
import { hostUrl } from './v1-common';

export const ACCOUNTS_HOST = 'accounts.twilio.com';
const SECONDARY = '/v1/AuthTokens/Secondary';
const PROMOTE = '/v1/AuthTokens/Promote';

/** Tokens are managed with the account's own auth token, never an API key (as on Twilio). */
function requireAuthToken(req: ApiRequest): void {
  if (req.credential !== 'auth-token') throw new TwilioError(401, 20003, 'Authenticate');
}

/**
 * Accounts v1 auth-token rotation, on the account the credentials belong to: one secondary at a
 * time (creating another replaces it), accepted by the API until promoted or deleted; a promote
 * makes it the primary and the old primary is refused at once, while webhooks keep being signed
 * with the old one for `tokenPropagationSeconds`.
 */
export const authTokenRoutes: Route[] = [
  route('POST', ACCOUNTS_HOST, SECONDARY, (req, ctx) => {
    requireAuthToken(req);
    const account = req.account;
    const now = ctx.clock.now();
    account.secondaryAuthToken = ctx.sids.secret('auth-token');
    account.secondaryCreatedAt = now;
    return created({
      account_sid: account.sid,
      date_created: iso8601(now),
      date_updated: iso8601(now),
      secondary_auth_token: account.secondaryAuthToken,
      url: hostUrl(ACCOUNTS_HOST, SECONDARY),
    });
  }),
  route('DELETE', ACCOUNTS_HOST, SECONDARY, (req) => {
    requireAuthToken(req);
    if (req.account.secondaryAuthToken === undefined) throw notFound(req.path);
    delete req.account.secondaryAuthToken;
    delete req.account.secondaryCreatedAt;
    return noContent();
  }),
  route('POST', ACCOUNTS_HOST, PROMOTE, (req, ctx) => {
    requireAuthToken(req);
    const account = req.account;
    if (account.secondaryAuthToken === undefined) throw notFound(req.path);
    const now = ctx.clock.now();
    const createdAt = account.secondaryCreatedAt ?? now;
    account.previousSigningToken = account.authToken;
    account.previousSigningUntil = now + ctx.settings.tokenPropagationSeconds * 1000;
    account.authToken = account.secondaryAuthToken;
    delete account.secondaryAuthToken;
    delete account.secondaryCreatedAt;
    account.updatedAt = now;
    return ok({ account_sid: account.sid, auth_token: account.authToken, date_created: iso8601(createdAt), date_updated: iso8601(now), url: hostUrl(ACCOUNTS_HOST, PROMOTE) });
  }),
];

/** The token Twilio signs an account's webhooks with: the old primary while a promote propagates, then the primary. */
export function signingTokenOf(account: { authToken: string; previousSigningToken?: string; previousSigningUntil?: number }, now: number): string {
  return account.previousSigningToken !== undefined && account.previousSigningUntil !== undefined && now < account.previousSigningUntil
    ? account.previousSigningToken
    : account.authToken;
}
