import type { IncomingNumber, SubaccountCredentials, TwilioGateway } from '../gateway';
import type { SdkContext } from './context';
import { capabilities, defined, str } from './values';

type NumbersPort = Pick<TwilioGateway, 'searchAvailableNumbers' | 'buyNumber' | 'fetchNumber' | 'releaseNumber'>;

interface SdkIncoming {
  sid: string;
  phoneNumber: string;
  friendlyName?: string | null;
  smsUrl?: string | null;
  statusCallback?: string | null;
  capabilities?: unknown;
}

function toIncoming(n: SdkIncoming): IncomingNumber {
  return {
    sid: n.sid,
    phoneNumber: n.phoneNumber,
    friendlyName: str(n.friendlyName),
    smsUrl: str(n.smsUrl),
    statusCallback: str(n.statusCallback),
    capabilities: capabilities(n.capabilities),
  };
}

/** Numbers are searched and bought inside the customer subaccount (billing and opt-outs stay isolated). */
export function numbersAdapter(ctx: SdkContext): NumbersPort {
  const account = (creds: SubaccountCredentials) => ctx.client(creds).api.v2010.accounts(creds.accountSid);
  return {
    async searchAvailableNumbers(creds, search) {
      const limit = search.limit ?? 20;
      const found = await account(creds)
        .availablePhoneNumbers(search.countryCode)
        .local.list(
          defined({
            areaCode: search.areaCode,
            contains: search.contains,
            smsEnabled: search.smsEnabled,
            mmsEnabled: search.mmsEnabled,
            inRegion: search.inRegion,
            inPostalCode: search.inPostalCode,
            pageSize: limit,
            limit,
          }),
        );
      return found.map((n) => ({
        phoneNumber: n.phoneNumber,
        friendlyName: str(n.friendlyName),
        locality: str(n.locality),
        region: str(n.region),
        postalCode: str(n.postalCode),
        isoCountry: str(n.isoCountry),
        capabilities: capabilities(n.capabilities),
      }));
    },
    async buyNumber(creds, input) {
      const created = await account(creds).incomingPhoneNumbers.create(
        defined({
          phoneNumber: input.phoneNumber,
          smsUrl: input.smsUrl,
          smsMethod: 'POST',
          statusCallback: input.statusCallback,
          friendlyName: input.friendlyName,
          addressSid: input.addressSid,
          bundleSid: input.bundleSid,
        }),
      );
      return toIncoming(created);
    },
    async fetchNumber(creds, numberSid) {
      return toIncoming(await account(creds).incomingPhoneNumbers(numberSid).fetch());
    },
    async releaseNumber(creds, numberSid) {
      await account(creds).incomingPhoneNumbers(numberSid).remove();
    },
  };
}
