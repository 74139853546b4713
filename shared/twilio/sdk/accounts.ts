import type { Account, AccountStatus, Address, TwilioGateway } from '../gateway';
import type V2010 from 'twilio/lib/rest/api/V2010';
import { AccountListInstance } from 'twilio/lib/rest/api/v2010/account';
import { AddressListInstance } from 'twilio/lib/rest/api/v2010/account/address';
import { sdkVersion, TWILIO_HOSTS, type SdkClient, type SdkContext } from './context';
import { bool, date, defined, str } from './values';

export type AccountsPort = Pick<TwilioGateway, 'createSubaccount' | 'findSubaccountsByFriendlyName' | 'fetchAccount' | 'updateAccountStatus' | 'createAddress'>;

interface SdkAccount {
  sid: string;
  friendlyName: string;
  status: string;
  ownerAccountSid?: string | null;
  authToken?: string | null;
  dateCreated?: Date | null;
}

function toAccount(a: SdkAccount): Account {
  return {
    accountSid: a.sid,
    friendlyName: a.friendlyName,
    status: a.status as AccountStatus,
    ownerAccountSid: str(a.ownerAccountSid),
    authToken: str(a.authToken),
    dateCreated: date(a.dateCreated),
  };
}

const api = sdkVersion<V2010>(TWILIO_HOSTS.api, '2010-04-01');
const accounts = (client: SdkClient) => AccountListInstance(api(client));

/** Subaccount lifecycle runs on the master credentials; addresses on the subaccount's own. */
export function accountsAdapter(ctx: SdkContext): AccountsPort {
  return {
    async createSubaccount(friendlyName) {
      return toAccount(await accounts(await ctx.master()).create({ friendlyName }));
    },
    async findSubaccountsByFriendlyName(friendlyName) {
      const master = await ctx.master();
      const found = await accounts(master).list({ friendlyName, pageSize: 50, limit: 50 });
      // The parent appears in its own listing; a subaccount is anything it owns.
      return found.filter((a) => a.sid !== master.accountSid).map(toAccount);
    },
    async fetchAccount(accountSid) {
      return toAccount(await accounts(await ctx.master())(accountSid).fetch());
    },
    async updateAccountStatus(accountSid, status) {
      return toAccount(await accounts(await ctx.master())(accountSid).update({ status }));
    },
    async createAddress(creds, input): Promise<Address> {
      const created = await AddressListInstance(api(ctx.client(creds)), creds.accountSid).create(
        defined({
          customerName: input.customerName,
          street: input.street,
          streetSecondary: input.streetSecondary,
          city: input.city,
          region: input.region,
          postalCode: input.postalCode,
          isoCountry: input.isoCountry,
          friendlyName: input.friendlyName,
        }),
      );
      return {
        sid: created.sid,
        customerName: created.customerName,
        isoCountry: created.isoCountry,
        validated: bool(created.validated),
        verified: bool(created.verified),
      };
    },
  };
}
