import type { Account, AccountStatus, Address, TwilioGateway } from '../gateway';
import type { SdkContext } from './context';
import { bool, date, defined, str } from './values';

type AccountsPort = Pick<TwilioGateway, 'createSubaccount' | 'findSubaccountsByFriendlyName' | 'fetchAccount' | 'updateAccountStatus' | 'createAddress'>;

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

/** Subaccount lifecycle runs on the master credentials; addresses on the subaccount's own. */
export function accountsAdapter(ctx: SdkContext): AccountsPort {
  return {
    async createSubaccount(friendlyName) {
      const master = await ctx.master();
      return toAccount(await master.api.v2010.accounts.create({ friendlyName }));
    },
    async findSubaccountsByFriendlyName(friendlyName) {
      const master = await ctx.master();
      const found = await master.api.v2010.accounts.list({ friendlyName, pageSize: 50, limit: 50 });
      // The parent appears in its own listing; a subaccount is anything it owns.
      return found.filter((a) => a.sid !== master.accountSid).map(toAccount);
    },
    async fetchAccount(accountSid) {
      const master = await ctx.master();
      return toAccount(await master.api.v2010.accounts(accountSid).fetch());
    },
    async updateAccountStatus(accountSid, status) {
      const master = await ctx.master();
      return toAccount(await master.api.v2010.accounts(accountSid).update({ status }));
    },
    async createAddress(creds, input): Promise<Address> {
      const created = await ctx
        .client(creds)
        .api.v2010.accounts(creds.accountSid)
        .addresses.create(
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
