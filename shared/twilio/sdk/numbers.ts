import type { IncomingNumber, SubaccountCredentials, TwilioGateway } from '../gateway';
import type V2010 from 'twilio/lib/rest/api/V2010';
import { LocalListInstance } from 'twilio/lib/rest/api/v2010/account/availablePhoneNumberCountry/local';
import { IncomingPhoneNumberListInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber';
import { sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';
import { capabilities, defined, str } from './values';

export type NumbersPort = Pick<TwilioGateway, 'searchAvailableNumbers' | 'buyNumber' | 'fetchNumber' | 'releaseNumber'>;

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

const api = sdkVersion<V2010>(TWILIO_HOSTS.api, '2010-04-01');

/** Numbers are searched and bought inside the customer subaccount (billing and opt-outs stay isolated). */
export function numbersAdapter(ctx: SdkContext): NumbersPort {
  const incoming = (creds: SubaccountCredentials) => IncomingPhoneNumberListInstance(api(ctx.client(creds)), creds.accountSid);
  return {
    async searchAvailableNumbers(creds, search) {
      const limit = search.limit ?? 20;
      const found = await LocalListInstance(api(ctx.client(creds)), creds.accountSid, search.countryCode).list(
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
      const created = await incoming(creds).create(
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
      return toIncoming(await incoming(creds)(numberSid).fetch());
    },
    async releaseNumber(creds, numberSid) {
      await incoming(creds)(numberSid).remove();
    },
  };
}
