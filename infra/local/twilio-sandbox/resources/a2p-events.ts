import type { SandboxContext } from '../core/context';
import type { BrandRecord, CampaignRecord, PhoneNumberRecord } from '../core/state';

/** Event Streams payloads for A2P changes (TWILIO.md §10): lowercase keys, epoch-millisecond dates. */
const PREFIX = 'com.twilio.messaging.compliance';

export function emitBrandEvent(ctx: SandboxContext, brand: BrandRecord, name: string): Promise<void> {
  const failed = brand.status === 'FAILED';
  return ctx.hooks.emitEvent(
    brand.accountSid,
    `${PREFIX}.brand-registration.${name}`,
    {
      accountsid: brand.accountSid,
      brandsid: brand.sid,
      brandstatus: failed ? 'registration_failed' : 'registered',
      identitystatus: brand.identityStatus.toLowerCase(),
      externalbrandid: brand.tcrId,
      brandfeedback: failed ? 'TAX_ID' : undefined,
      brandregistrationerrors: brand.errors.map((e) => ({
        registrationerrorcode: e.code,
        registrationerrordescription: e.description,
        registrationerrorurl: `https://www.twilio.com/docs/errors/${e.code}`,
        registrationerrorfields: e.fields,
      })),
      brandscore: brand.brandScore,
      createddate: brand.createdAt,
      updateddate: brand.updatedAt,
    },
    `/v1/a2p/BrandRegistrations/${brand.sid}`,
    name === 'brand-failure' ? 'A2P.BrandRegistrationFailure' : 'A2P.BrandRegistration',
  );
}

export function emitCampaignEvent(ctx: SandboxContext, campaign: CampaignRecord, name: string, registrationStatus: string): Promise<void> {
  return ctx.hooks.emitEvent(
    campaign.accountSid,
    `${PREFIX}.campaign-registration.${name}`,
    {
      accountsid: campaign.accountSid,
      brandsid: campaign.brandRegistrationSid,
      campaignsid: campaign.eventCampaignSid,
      messagingservicesid: campaign.messagingServiceSid,
      externalcampaignid: campaign.campaignId,
      a2pusecase: campaign.fields.us_app_to_person_usecase,
      campaignregistrationstatus: registrationStatus,
      errorcode: campaign.errors[0]?.code,
      timestamp: ctx.clock.now(),
      createddate: campaign.createdAt,
      updateddate: campaign.updatedAt,
    },
    `/v1/Services/${campaign.messagingServiceSid}/Compliance/Usa2p/${campaign.sid}`,
    'A2P.CampaignRegistration',
  );
}

export function emitNumberEvent(ctx: SandboxContext, number: PhoneNumberRecord, campaign: CampaignRecord, name: string, externalStatus: string, failureReason?: string): Promise<void> {
  return ctx.hooks.emitEvent(
    number.accountSid,
    `${PREFIX}.number-registration.${name}`,
    {
      id: ctx.sids.next('NR'),
      accountsid: number.accountSid,
      phonenumber: number.phoneNumber,
      phonenumbersid: number.sid,
      campaignsid: campaign.eventCampaignSid,
      messagingservicesid: campaign.messagingServiceSid,
      externalstatus: externalStatus,
      failurereason: failureReason,
      timestamp: ctx.clock.now(),
      updateddate: ctx.clock.now(),
    },
    `/v1/PhoneNumbers/${number.sid}`,
    'A2P.NumberRegistration',
  );
}
