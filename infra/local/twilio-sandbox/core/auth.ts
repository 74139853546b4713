import { TwilioError, unauthenticated } from './errors';
import type { SandboxState, AccountRecord } from './state';

export interface Caller {
  account: AccountRecord;
  credential: 'auth-token' | 'api-key';
}

/** Basic auth as Twilio does it: `AccountSid:AuthToken`, or `KeySid:KeySecret` of a key inside the account. */
export function authenticate(state: SandboxState, header: string | undefined): Caller {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) throw unauthenticated();
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthenticated();
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  let caller: Caller | undefined;
  if (username.startsWith('AC')) {
    const account = state.accounts.get(username);
    // The secondary token authenticates exactly like the primary until it is promoted or deleted.
    if (account && (account.authToken === password || (account.secondaryAuthToken !== undefined && account.secondaryAuthToken === password))) caller = { account, credential: 'auth-token' };
  } else if (username.startsWith('SK')) {
    const key = state.keys.get(username);
    const account = key && key.secret === password ? state.accounts.get(key.accountSid) : undefined;
    if (account) caller = { account, credential: 'api-key' };
  }
  if (!caller || caller.account.status === 'closed') throw unauthenticated();
  if (caller.account.status === 'suspended') throw new TwilioError(403, 20403, `Account ${caller.account.sid} is not active`);
  return caller;
}
