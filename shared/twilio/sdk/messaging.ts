import type { BrandRegistration, BrandIdentityStatus, BrandStatus, Campaign, MessagingService, SubaccountCredentials, TwilioGateway } from '../gateway';
import type V1 from 'twilio/lib/rest/messaging/V1';
import { BrandRegistrationListInstance } from 'twilio/lib/rest/messaging/v1/brandRegistration';
import { ServiceListInstance } from 'twilio/lib/rest/messaging/v1/service';
import { sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';
import { bool, defined, list, num, str } from './values';

export type MessagingPort = Pick<
  TwilioGateway,
  | 'createBrandRegistration'
  | 'fetchBrandRegistration'
  | 'listBrandRegistrations'
  | 'resubmitBrandRegistration'
  | 'sendBrandSmsOtp'
  | 'createMessagingService'
  | 'fetchMessagingService'
  | 'deleteMessagingService'
  | 'listCampaignUsecases'
  | 'createCampaign'
  | 'fetchCampaign'
  | 'listCampaigns'
  | 'deleteCampaign'
  | 'attachNumberToService'
  | 'detachNumberFromService'
>;

interface SdkBrand {
  sid: string;
  status: string;
  identityStatus?: string | null;
  brandType?: string | null;
  tcrId?: string | null;
  brandScore?: number | null;
  mock?: boolean | null;
  skipAutomaticSecVet?: boolean | null;
  customerProfileBundleSid?: string | null;
  // The SDK's typings say a2PProfileBundleSid; the instance it builds sets a2pProfileBundleSid.
  a2pProfileBundleSid?: string | null;
  failureReason?: string | null;
  errors?: unknown;
}

function toBrand(b: SdkBrand): BrandRegistration {
  return {
    sid: b.sid,
    status: b.status as BrandStatus,
    identityStatus: (str(b.identityStatus) as BrandIdentityStatus | null) ?? null,
    brandType: str(b.brandType),
    tcrId: str(b.tcrId),
    brandScore: num(b.brandScore),
    mock: b.mock === true,
    skipAutomaticSecVet: b.skipAutomaticSecVet === true,
    customerProfileBundleSid: str(b.customerProfileBundleSid),
    a2pProfileBundleSid: str(b.a2pProfileBundleSid),
    failureReason: str(b.failureReason),
    errors: list(b.errors),
  };
}

interface SdkService {
  sid: string;
  friendlyName: string;
  inboundRequestUrl?: string | null;
  statusCallback?: string | null;
  useInboundWebhookOnNumber?: boolean | null;
  usAppToPersonRegistered?: boolean | null;
}

function toService(s: SdkService): MessagingService {
  return {
    sid: s.sid,
    friendlyName: s.friendlyName,
    inboundRequestUrl: str(s.inboundRequestUrl),
    statusCallback: str(s.statusCallback),
    useInboundWebhookOnNumber: bool(s.useInboundWebhookOnNumber),
    usAppToPersonRegistered: bool(s.usAppToPersonRegistered),
  };
}

interface SdkCampaign {
  sid: string;
  messagingServiceSid: string;
  brandRegistrationSid: string;
  usAppToPersonUsecase: string;
  campaignStatus?: string | null;
  campaignId?: string | null;
  mock?: boolean | null;
  errors?: unknown;
}

function toCampaign(c: SdkCampaign): Campaign {
  return {
    sid: c.sid,
    messagingServiceSid: c.messagingServiceSid,
    brandRegistrationSid: c.brandRegistrationSid,
    usecase: c.usAppToPersonUsecase,
    status: str(c.campaignStatus),
    campaignId: str(c.campaignId),
    mock: c.mock === true,
    errors: list(c.errors),
  };
}

const v1 = sdkVersion<V1>(TWILIO_HOSTS.messaging, 'v1');

/** A2P brand, Messaging Service and campaign calls, always with the subaccount's credentials. */
export function messagingAdapter(ctx: SdkContext): MessagingPort {
  const brands = (creds: SubaccountCredentials) => BrandRegistrationListInstance(v1(ctx.client(creds)));
  const services = (creds: SubaccountCredentials) => ServiceListInstance(v1(ctx.client(creds)));
  return {
    async createBrandRegistration(creds, input) {
      const created = await brands(creds).create(
        defined({
          customerProfileBundleSid: input.customerProfileBundleSid,
          a2PProfileBundleSid: input.a2pProfileBundleSid,
          brandType: input.brandType,
          mock: input.mock,
          skipAutomaticSecVet: input.skipAutomaticSecVet,
        }),
      );
      return toBrand(created);
    },
    async fetchBrandRegistration(creds, brandSid) {
      return toBrand(await brands(creds)(brandSid).fetch());
    },
    async listBrandRegistrations(creds) {
      return (await brands(creds).list({ limit: 50 })).map(toBrand);
    },
    async resubmitBrandRegistration(creds, brandSid) {
      return toBrand(await brands(creds)(brandSid).update());
    },
    async sendBrandSmsOtp(creds, brandSid) {
      await brands(creds)(brandSid).brandRegistrationOtps.create();
    },
    async createMessagingService(creds, input) {
      const created = await services(creds).create(
        defined({
          friendlyName: input.friendlyName,
          inboundRequestUrl: input.inboundRequestUrl,
          statusCallback: input.statusCallback,
          fallbackUrl: input.fallbackUrl,
          useInboundWebhookOnNumber: input.useInboundWebhookOnNumber,
          usecase: input.usecase,
        }),
      );
      return toService(created);
    },
    async fetchMessagingService(creds, serviceSid) {
      return toService(await services(creds)(serviceSid).fetch());
    },
    async deleteMessagingService(creds, serviceSid) {
      await services(creds)(serviceSid).remove();
    },
    async listCampaignUsecases(creds, serviceSid, brandSid) {
      const found = await services(creds)(serviceSid).usAppToPersonUsecases.fetch({ brandRegistrationSid: brandSid });
      return list(found.usAppToPersonUsecases).map((raw) => {
        const u = (raw ?? {}) as Record<string, unknown>;
        return { code: String(u.code), name: str(u.name) ?? '', description: str(u.description) ?? '', postApprovalRequired: u.post_approval_required === true };
      });
    },
    async createCampaign(creds, serviceSid, input) {
      // Twilio returns the policy URLs on the campaign only under API version v1.2. It is asked for
      // only when they are sent, so every other campaign keeps the version the adapter was built on.
      const hasPolicyUrls = input.privacyPolicyUrl !== undefined || input.termsAndConditionsUrl !== undefined;
      const created = await services(creds)(serviceSid)
        .usAppToPerson.create(
          defined({
            brandRegistrationSid: input.brandRegistrationSid,
            description: input.description,
            messageFlow: input.messageFlow,
            messageSamples: input.messageSamples,
            usAppToPersonUsecase: input.usecase,
            hasEmbeddedLinks: input.hasEmbeddedLinks,
            hasEmbeddedPhone: input.hasEmbeddedPhone,
            optInMessage: input.optInMessage,
            optOutMessage: input.optOutMessage,
            helpMessage: input.helpMessage,
            optInKeywords: input.optInKeywords,
            optOutKeywords: input.optOutKeywords,
            helpKeywords: input.helpKeywords,
            subscriberOptIn: input.subscriberOptIn,
            ageGated: input.ageGated,
            directLending: input.directLending,
            privacyPolicyUrl: input.privacyPolicyUrl,
            termsAndConditionsUrl: input.termsAndConditionsUrl,
            xTwilioApiVersion: hasPolicyUrls ? 'v1.2' : undefined,
          }),
        );
      return toCampaign(created);
    },
    async fetchCampaign(creds, serviceSid, campaignSid) {
      return toCampaign(await services(creds)(serviceSid).usAppToPerson(campaignSid).fetch());
    },
    async listCampaigns(creds, serviceSid) {
      const found = await services(creds)(serviceSid).usAppToPerson.list({ pageSize: 50, limit: 50 });
      return found.map(toCampaign);
    },
    async deleteCampaign(creds, serviceSid, campaignSid) {
      await services(creds)(serviceSid).usAppToPerson(campaignSid).remove();
    },
    async attachNumberToService(creds, serviceSid, numberSid) {
      const created = await services(creds)(serviceSid).phoneNumbers.create({ phoneNumberSid: numberSid });
      return { sid: created.sid, messagingServiceSid: created.serviceSid, phoneNumber: str(created.phoneNumber) };
    },
    async detachNumberFromService(creds, serviceSid, numberSid) {
      await services(creds)(serviceSid).phoneNumbers(numberSid).remove();
    },
  };
}
