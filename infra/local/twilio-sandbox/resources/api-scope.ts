import { notFound } from '../core/errors';
import type { ApiRequest, SandboxContext } from '../core/context';
import type { AccountRecord } from '../core/state';

export const API_HOST = 'api.twilio.com';

/**
 * The `{AccountSid}` of a v2010 path: the caller's own account, or one of its subaccounts when the
 * caller holds the parent's credentials. Anything else answers 404, like a missing resource.
 */
export function pathAccount(req: ApiRequest, ctx: SandboxContext): AccountRecord {
  const sid = req.pathParams.AccountSid ?? req.pathParams.Sid;
  const account = sid ? ctx.state.accounts.get(sid) : undefined;
  if (!account || !canActOn(req.account, account)) throw notFound(req.path);
  return account;
}

export function canActOn(caller: AccountRecord, target: AccountRecord): boolean {
  return caller.sid === target.sid || target.parentSid === caller.sid;
}

/** A resource of the path account, or 404. */
export function owned<T extends { accountSid: string }>(map: Map<string, T>, sid: string | undefined, account: AccountRecord, path: string): T {
  const record = sid ? map.get(sid) : undefined;
  if (!record || record.accountSid !== account.sid) throw notFound(path);
  return record;
}

export const accountUri = (accountSid: string): string => `/2010-04-01/Accounts/${accountSid}`;
