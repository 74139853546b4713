import type { TwilioGateway } from '../gateway';
import type V1 from 'twilio/lib/rest/accounts/V1';
import { AuthTokenPromotionListInstance } from 'twilio/lib/rest/accounts/v1/authTokenPromotion';
import { SecondaryAuthTokenListInstance } from 'twilio/lib/rest/accounts/v1/secondaryAuthToken';
import { toTwilioError, TwilioPermanentError } from '../errors';
import { requestJson, sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';

export type AuthTokensPort = Pick<TwilioGateway, 'createSecondaryAuthToken' | 'promoteSecondaryAuthToken' | 'deleteSecondaryAuthToken' | 'credentialsWork'>;

const v1 = sdkVersion<V1>(TWILIO_HOSTS.accounts, 'v1');

/**
 * Token rotation, on its own so that only the rotation's callers bundle it. Accounts v1 acts on
 * the account the credentials belong to, so every call uses the subaccount's own credentials:
 * the master's would rotate the master's token.
 */
export function authTokensAdapter(ctx: SdkContext): AuthTokensPort {
  return {
    async createSecondaryAuthToken(creds) {
      const created = await SecondaryAuthTokenListInstance(v1(ctx.client(creds)))().create();
      if (!created.secondaryAuthToken) throw new TwilioPermanentError({ code: null, status: 201, message: 'Twilio returned no secondary auth token', moreInfo: null });
      return created.secondaryAuthToken;
    },
    async promoteSecondaryAuthToken(creds) {
      await AuthTokenPromotionListInstance(v1(ctx.client(creds)))().update();
    },
    async deleteSecondaryAuthToken(creds) {
      await SecondaryAuthTokenListInstance(v1(ctx.client(creds)))().remove();
    },
    async credentialsWork(creds) {
      try {
        // A raw read of the account itself: the SDK's account resource would bring every API 2010 resource into the bundle.
        await requestJson(ctx.client(creds), 'get', `${TWILIO_HOSTS.api}/2010-04-01/Accounts/${creds.accountSid}.json`);
        return true;
      } catch (error) {
        const typed = toTwilioError(error);
        if (typed instanceof TwilioPermanentError && (typed.status === 401 || typed.code === 20003)) return false;
        throw error;
      }
    },
  };
}
