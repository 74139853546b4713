import { TwilioError, invalidParameter, unauthenticated } from '../core/errors';
import { pageOf, rfc2822, v2010Page } from '../core/format';
import { filtersOf, str } from '../core/params';
import { created, ok, route, type ApiRequest, type Route, type SandboxContext } from '../core/context';
import type { AccountRecord, AccountStatus } from '../core/state';
import { API_HOST, accountUri, pathAccount } from './api-scope';

const SUBRESOURCES = [
  'addresses', 'available_phone_numbers', 'incoming_phone_numbers', 'keys', 'messages', 'signing_keys',
  'applications', 'calls', 'conferences', 'notifications', 'outgoing_caller_ids', 'queues', 'recordings', 'sip', 'usage', 'balance',
];

export function renderAccount(a: AccountRecord): Record<string, unknown> {
  const uri = accountUri(a.sid);
  return {
    auth_token: a.authToken,
    date_created: rfc2822(a.createdAt),
    date_updated: rfc2822(a.updatedAt),
    friendly_name: a.friendlyName,
    owner_account_sid: a.ownerAccountSid,
    sid: a.sid,
    status: a.status,
    subresource_uris: Object.fromEntries(SUBRESOURCES.map((name) => [name, `${uri}/${subresourcePath(name)}.json`])),
    type: a.type,
    uri: `${uri}.json`,
  };
}

function subresourcePath(name: string): string {
  if (name === 'sip') return 'SIP';
  return name.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

export function createAccountRecord(ctx: SandboxContext, input: { friendlyName: string; parentSid?: string; sid?: string; authToken?: string }): AccountRecord {
  const now = ctx.clock.now();
  const sid = input.sid ?? ctx.sids.next('AC');
  const record: AccountRecord = {
    sid,
    authToken: input.authToken ?? ctx.sids.secret('auth-token'),
    friendlyName: input.friendlyName,
    ownerAccountSid: input.parentSid ?? sid,
    parentSid: input.parentSid,
    status: 'active',
    suspendedByTwilio: false,
    type: 'Full',
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.accounts.set(sid, record);
  return record;
}

/** Twilio's status rules: closed is terminal, a Twilio suspension needs support, a suspended parent blocks its children. */
export function changeAccountStatus(ctx: SandboxContext, account: AccountRecord, status: AccountStatus): void {
  if (account.status === status) return;
  if (account.status === 'closed') throw new TwilioError(400, 21479, 'Cannot change the status of a closed account');
  if (status === 'active') {
    if (account.suspendedByTwilio) throw new TwilioError(400, 21478, 'Account was suspended by Twilio; contact support to reactivate it');
    const parent = account.parentSid ? ctx.state.accounts.get(account.parentSid) : undefined;
    if (parent && parent.status !== 'active') throw new TwilioError(400, 21476, 'Cannot reactivate a subaccount while its parent account is suspended');
  }
  account.status = status;
  account.updatedAt = ctx.clock.now();
  if (status !== 'active') {
    // Suspending or closing a parent takes every child with it.
    for (const child of ctx.state.accounts.values()) {
      if (child.parentSid === account.sid && child.status === 'active') {
        child.status = status === 'closed' ? 'closed' : 'suspended';
        child.updatedAt = account.updatedAt;
      }
    }
  }
}

function requireAuthToken(req: ApiRequest): void {
  if (req.credential !== 'auth-token') throw unauthenticated();
}

export const accountRoutes: Route[] = [
  route('POST', API_HOST, '/2010-04-01/Accounts.json', (req, ctx) => {
    requireAuthToken(req);
    if (req.account.parentSid) throw new TwilioError(403, 20403, 'Subaccounts cannot create subaccounts');
    const now = new Date(ctx.clock.now()).toISOString();
    const record = createAccountRecord(ctx, { friendlyName: str(req.params, 'FriendlyName') ?? `SubAccount Created at ${now}`, parentSid: req.account.sid });
    return created(renderAccount(record));
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts.json', (req, ctx) => {
    const friendlyName = str(req.params, 'FriendlyName');
    const status = str(req.params, 'Status');
    const visible = [...ctx.state.accounts.values()].filter(
      (a) => (a.sid === req.account.sid || a.parentSid === req.account.sid) && (!friendlyName || a.friendlyName === friendlyName) && (!status || a.status === status),
    );
    const body = v2010Page('accounts', '/2010-04-01/Accounts.json', visible.map(renderAccount), pageOf(req.params), filtersOf(req.params, ['FriendlyName', 'Status']));
    return ok(body);
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{Sid}.json', (req, ctx) => ok(renderAccount(pathAccount(req, ctx)))),
  route('POST', API_HOST, '/2010-04-01/Accounts/{Sid}.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    const friendlyName = str(req.params, 'FriendlyName');
    const status = str(req.params, 'Status');
    if (status !== undefined) {
      if (!['active', 'suspended', 'closed'].includes(status)) throw invalidParameter('Status', `'${status}' is not one of active, suspended, closed`);
      if (account.sid === req.account.sid) throw new TwilioError(403, 20403, 'An account cannot change its own status; use the parent account');
      changeAccountStatus(ctx, account, status as AccountStatus);
    }
    if (friendlyName !== undefined) {
      account.friendlyName = friendlyName;
      account.updatedAt = ctx.clock.now();
    }
    return ok(renderAccount(account));
  }),
];
