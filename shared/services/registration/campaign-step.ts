import { CampaignOptionsSchema, type CampaignOptions } from '../../domain/onboarding';
import { stepErrorsFromTwilio } from '../../domain/registration';
import type { Campaign, CampaignInput } from '../../twilio/gateway';
import type { StepContext, StepModule } from './context';
import type { StepError, StepOutcome } from './contract';

/** Campaign events carry a CM… id, not the QE… of the resource: they are matched by messaging service. */
export const campaignWaitKey = (messagingServiceSid: string) => `campaign:${messagingServiceSid}`;

export function campaignOutcome(campaign: Campaign): StepOutcome {
  const sids = { campaignSid: campaign.sid, messagingServiceSid: campaign.messagingServiceSid };
  if (campaign.status === 'VERIFIED') return { status: 'succeeded', sids };
  if (campaign.status === 'FAILED' || campaign.status === 'SUSPENDED' || campaign.status === 'EXPIRED') {
    return { status: 'failed', errors: stepErrorsFromTwilio(campaign.errors, `The campaign is ${campaign.status}`), sids };
  }
  return { status: 'waiting', waitingFor: campaignWaitKey(campaign.messagingServiceSid), sids };
}

/** Zod issues of the stored campaign options as StepErrors under `campaign.`. */
export function campaignOptionErrors(raw: unknown): { options?: CampaignOptions; errors: StepError[] } {
  if (raw === undefined) return { errors: [{ code: 'missing-options', message: 'No campaign content was given', fields: ['campaign'] }] };
  const parsed = CampaignOptionsSchema.safeParse(raw);
  if (parsed.success) return { options: parsed.data, errors: [] };
  return {
    errors: parsed.error.issues.map((i) => ({
      code: 'invalid-options',
      message: i.message,
      fields: [['campaign', ...i.path.map(String)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]')],
    })),
  };
}

export function campaignInput(brandSid: string, c: CampaignOptions): CampaignInput {
  return {
    brandRegistrationSid: brandSid,
    description: c.description,
    messageFlow: c.messageFlow,
    messageSamples: c.messageSamples,
    usecase: c.useCase,
    hasEmbeddedLinks: c.hasEmbeddedLinks,
    hasEmbeddedPhone: c.hasEmbeddedPhone,
    optInKeywords: c.optInKeywords,
    optInMessage: c.optInMessage,
    optOutKeywords: c.optOutKeywords,
    optOutMessage: c.optOutMessage,
    helpKeywords: c.helpKeywords,
    helpMessage: c.helpMessage,
    subscriberOptIn: c.subscriberOptIn,
    ageGated: c.ageGated,
    directLending: c.directLending,
    privacyPolicyUrl: c.privacyPolicyUrl,
    termsAndConditionsUrl: c.termsAndConditionsUrl,
  };
}

async function check(ctx: StepContext): Promise<StepOutcome> {
  const { campaignSid, messagingServiceSid } = ctx.record.sids;
  if (!campaignSid || !messagingServiceSid) return { status: 'failed', errors: [{ code: 'not-started', message: 'No campaign has been submitted yet', fields: [] }], sids: {} };
  return campaignOutcome(await ctx.deps.twilio.fetchCampaign(await ctx.creds(), messagingServiceSid, campaignSid));
}

/**
 * Primary course: content valid → brand approved → use case offered for this brand → create the
 * campaign on the customer's service → wait for vetting. A stored campaign is checked, not
 * recreated; a FAILED one is deleted first and submitted again (a service holds one campaign).
 */
async function run(ctx: StepContext): Promise<StepOutcome> {
  const { options, errors } = campaignOptionErrors(ctx.record.options.campaign);
  if (!options) return { status: 'failed', errors, sids: {} };
  const { brandSid, messagingServiceSid } = ctx.record.sids;
  if (!brandSid || ctx.record.steps.brand?.status !== 'succeeded') {
    return { status: 'failed', errors: [{ code: 'step-order', message: 'The brand must be approved (and verified) before a campaign', fields: [] }], sids: {} };
  }
  if (!messagingServiceSid) return { status: 'failed', errors: [{ code: 'step-order', message: 'The messaging service step must succeed first', fields: [] }], sids: {} };
  const creds = await ctx.creds();

  // Adopt a campaign created by a run that crashed before storing its SID.
  const existing = ctx.record.sids.campaignSid
    ? await ctx.deps.twilio.fetchCampaign(creds, messagingServiceSid, ctx.record.sids.campaignSid)
    : (await ctx.deps.twilio.listCampaigns(creds, messagingServiceSid))[0];
  if (existing) {
    if (existing.status !== 'FAILED') {
      ctx.noteSids({ campaignSid: existing.sid });
      return campaignOutcome(existing);
    }
    await ctx.deps.twilio.deleteCampaign(creds, messagingServiceSid, existing.sid);
    await ctx.deps.onboarding.removeSid(ctx.input.partnerId, ctx.input.customerId, 'campaignSid', ctx.now());
    delete ctx.record.sids.campaignSid;
  }

  const offered = await ctx.deps.twilio.listCampaignUsecases(creds, messagingServiceSid, brandSid);
  if (!offered.some((u) => u.code === options.useCase)) {
    return {
      status: 'failed',
      errors: [{ code: 'usecase-not-offered', message: `Use case ${options.useCase} is not offered for this brand; offered: ${offered.map((u) => u.code).join(', ')}`, fields: ['campaign.useCase'] }],
      sids: { messagingServiceSid },
    };
  }
  const campaign = await ctx.deps.twilio.createCampaign(creds, messagingServiceSid, campaignInput(brandSid, options));
  // Found by the look-up above if the outcome is lost, so it is stored with the outcome.
  ctx.noteSids({ campaignSid: campaign.sid });
  return campaignOutcome(campaign);
}

export const campaignStep: StepModule = { run, check };
