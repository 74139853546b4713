import { TwilioError, invalidParameter, missingParameter, notFound } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { bool, list, required, requiredBool, str } from '../core/params';
import { created, noContent, ok, route, type ApiRequest, type Params, type Route, type SandboxContext } from '../core/context';
import type { CampaignRecord, PhoneNumberRecord, RegistrationError } from '../core/state';
import { ownedByCaller } from './v1-common';
import { MESSAGING_HOST, serviceUrl } from './messaging-services';
import { emitCampaignEvent, emitNumberEvent } from './a2p-events';
import { isTenDlc } from './number-plan';
import { bundleTexts } from './trusthub-bundles';

const USECASES: Array<{ code: string; name: string; description: string; post_approval_required: boolean }> = [
  { code: '2FA', name: 'Two-Factor authentication (2FA)', description: 'Two-Factor authentication, one-time use password, password reset', post_approval_required: false },
  { code: 'ACCOUNT_NOTIFICATION', name: 'Account Notification', description: 'All reminders, alerts, and notifications.', post_approval_required: false },
  { code: 'CUSTOMER_CARE', name: 'Customer Care', description: 'All customer care messaging, including account management and support', post_approval_required: false },
  { code: 'DELIVERY_NOTIFICATION', name: 'Delivery Notification', description: 'Information about the status of the delivery of a product or service', post_approval_required: false },
  { code: 'FRAUD_ALERT', name: 'Fraud Alert Messaging', description: 'Messaging about potential fraudulent activity', post_approval_required: false },
  { code: 'HIGHER_EDUCATION', name: 'Higher Education', description: 'Messaging created on behalf of Colleges or Universities', post_approval_required: false },
  { code: 'LOW_VOLUME', name: 'Low Volume Mixed', description: 'Low throughput, any combination of use-cases', post_approval_required: false },
  { code: 'MARKETING', name: 'Marketing', description: 'Any communication with marketing and/or promotional content', post_approval_required: false },
  { code: 'MIXED', name: 'Mixed', description: 'Mixed messaging reserved for specific consumer service industry', post_approval_required: false },
  { code: 'POLLING_VOTING', name: 'Polling and voting', description: 'Requesting surveys and voting', post_approval_required: false },
  { code: 'PUBLIC_SERVICE_ANNOUNCEMENT', name: 'Public Service Announcement', description: 'An informational message meant to raise awareness', post_approval_required: false },
  { code: 'SECURITY_ALERT', name: 'Security Alert', description: 'A notification that the security of a system has been compromised', post_approval_required: false },
  { code: 'AGENTS_FRANCHISES', name: 'Agents and Franchises', description: 'Brands with multiple agents, franchises or offices', post_approval_required: true },
  { code: 'EMERGENCY', name: 'Emergency', description: 'Notification services designed to support public safety', post_approval_required: true },
];
const SOLE_PROPRIETOR_USECASE = { code: 'SOLE_PROPRIETOR', name: 'Sole Proprietor', description: 'Messaging by a sole proprietor', post_approval_required: false };
const DEFAULT_CAMPAIGN_ERRORS: RegistrationError[] = [
  { code: 30893, description: 'The message samples do not match the declared use case.', fields: ['MessageSamples', 'UsAppToPersonUsecase'] },
];

/** The campaign as `req` sees it: like Twilio, the policy URLs only under `X-Twilio-Api-Version: v1.2`. */
function renderCampaign(c: CampaignRecord, req: ApiRequest): Record<string, unknown> {
  const { privacy_policy_url: privacy = null, terms_and_conditions_url: terms = null, ...fields } = c.fields;
  const policyUrls = req.headers['x-twilio-api-version'] === 'v1.2' ? { privacy_policy_url: privacy, terms_and_conditions_url: terms } : {};
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    brand_registration_sid: c.brandRegistrationSid,
    messaging_service_sid: c.messagingServiceSid,
    ...fields,
    ...policyUrls,
    campaign_status: c.status,
    campaign_id: c.campaignId,
    is_externally_registered: false,
    rate_limits: { att: { scope: 'CAMPAIGN', message_class: 'T' }, tmobile: { brand_tier: 'TOP' } },
    date_created: iso8601(c.createdAt),
    date_updated: iso8601(c.updatedAt),
    url: `${serviceUrl(c.messagingServiceSid)}/Compliance/Usa2p/${c.sid}`,
    mock: c.mock,
    errors: c.errors,
  };
}

function lengthBetween(name: string, value: string, min: number, max: number): string {
  if (value.length < min || value.length > max) throw invalidParameter(name, `must be ${min}–${max} characters`);
  return value;
}

/** Reviewers must be able to open the page, so only an absolute http(s) URL is accepted. */
function policyUrl(p: Params, name: string): string | null {
  const value = str(p, name);
  if (value === undefined) return null;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw invalidParameter(name, `'${value}' is not a valid URL`);
  return value;
}

function campaignFields(req: ApiRequest): Record<string, unknown> {
  const p = req.params;
  const samples = list(p, 'MessageSamples');
  if (samples.length === 0) throw missingParameter('MessageSamples');
  if (samples.length < 2 || samples.length > 5) throw invalidParameter('MessageSamples', 'between 2 and 5 samples are required');
  samples.forEach((s) => lengthBetween('MessageSamples', s, 20, 1024));
  const optional = (name: string) => str(p, name) ?? null;
  const keywords = (name: string) => (list(p, name).length ? list(p, name) : null);
  return {
    description: lengthBetween('Description', required(p, 'Description'), 40, 4096),
    message_flow: lengthBetween('MessageFlow', required(p, 'MessageFlow'), 40, 2048),
    message_samples: samples,
    us_app_to_person_usecase: required(p, 'UsAppToPersonUsecase'),
    has_embedded_links: requiredBool(p, 'HasEmbeddedLinks'),
    has_embedded_phone: requiredBool(p, 'HasEmbeddedPhone'),
    subscriber_opt_in: bool(p, 'SubscriberOptIn') ?? false,
    age_gated: bool(p, 'AgeGated') ?? false,
    direct_lending: bool(p, 'DirectLending') ?? false,
    opt_in_message: optional('OptInMessage'),
    opt_out_message: optional('OptOutMessage'),
    help_message: optional('HelpMessage'),
    opt_in_keywords: keywords('OptInKeywords'),
    opt_out_keywords: keywords('OptOutKeywords'),
    help_keywords: keywords('HelpKeywords'),
    privacy_policy_url: policyUrl(p, 'PrivacyPolicyUrl'),
    terms_and_conditions_url: policyUrl(p, 'TermsAndConditionsUrl'),
  };
}

/** Registers a 10DLC number of a VERIFIED campaign's service with carriers: pending → successful | failed. */
export function registerNumber(ctx: SandboxContext, numberSid: string): void {
  const number = ctx.state.phoneNumbers.get(numberSid);
  const campaign = number && [...ctx.state.campaigns.values()].find((c) => c.messagingServiceSid === number.messagingServiceSid && c.status === 'VERIFIED');
  if (!number || !campaign || !isTenDlc(number.phoneNumber) || number.a2pRegistration !== 'none') return;
  number.a2pRegistration = 'pending';
  ctx.clock.schedule(0, `number ${number.sid} registration pending`, () => emitNumberEvent(ctx, number, campaign, 'pending', 'pending_registration'));
  scheduleNumberDecision(ctx, number, campaign);
}

/** After a restart: a number whose carrier registration was pending gets its decision. */
export function resumeNumberRegistration(ctx: SandboxContext, number: PhoneNumberRecord): void {
  const campaign = [...ctx.state.campaigns.values()].find((c) => c.messagingServiceSid === number.messagingServiceSid && c.status === 'VERIFIED');
  if (campaign && number.a2pRegistration === 'pending') scheduleNumberDecision(ctx, number, campaign);
}

function scheduleNumberDecision(ctx: SandboxContext, number: PhoneNumberRecord, campaign: CampaignRecord): void {
  const decision = ctx.rules.decide('number-registration', number.accountSid, [number.friendlyName]);
  if (decision.outcome === 'stall') return;
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `number ${number.sid} registration decided`, () => {
    if (number.a2pRegistration !== 'pending') return;
    if (decision.outcome === 'fail') {
      number.a2pRegistration = 'failed';
      return emitNumberEvent(ctx, number, campaign, 'failed', 'failure', decision.errors?.[0]?.description ?? 'Carrier rejected the number registration');
    }
    number.a2pRegistration = 'registered';
    return emitNumberEvent(ctx, number, campaign, 'successful', 'registered');
  });
}

/** IN_PROGRESS → VERIFIED | FAILED after a review delay; a stall leaves it IN_PROGRESS. */
function scheduleCampaignDecision(ctx: SandboxContext, campaign: CampaignRecord): void {
  const brand = ctx.state.brands.get(campaign.brandRegistrationSid);
  const brandBundles = brand ? [brand.customerProfileBundleSid, brand.a2pProfileBundleSid].map((sid) => ctx.state.bundles.get(sid)).filter((b) => b !== undefined) : [];
  const decision = ctx.rules.decide('campaign', campaign.accountSid, [String(campaign.fields.description), ...brandBundles.flatMap((b) => bundleTexts(ctx, b))]);
  if (decision.outcome === 'stall') return;
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `campaign ${campaign.sid} → decided`, () => decideCampaign(ctx, campaign, decision));
}

/** After a restart: a campaign still in review gets its decision. */
export function resumeCampaign(ctx: SandboxContext, campaign: CampaignRecord): void {
  if (campaign.status === 'IN_PROGRESS') scheduleCampaignDecision(ctx, campaign);
}

async function decideCampaign(ctx: SandboxContext, campaign: CampaignRecord, decision: ReturnType<SandboxContext['rules']['decide']>): Promise<void> {
  const brand = ctx.state.brands.get(campaign.brandRegistrationSid);
  campaign.updatedAt = ctx.clock.now();
  let errors: RegistrationError[] | undefined;
  if (decision.outcome === 'fail') errors = decision.errors ?? DEFAULT_CAMPAIGN_ERRORS;
  else if (brand && brand.identityStatus !== 'VERIFIED' && brand.identityStatus !== 'VETTED_VERIFIED') {
    errors = [{ code: 30991, description: 'The brand identity is not verified.', fields: [] }];
  }
  if (errors) {
    campaign.status = 'FAILED';
    campaign.errors = errors;
    return emitCampaignEvent(ctx, campaign, 'campaign-failure', 'failure');
  }
  campaign.status = 'VERIFIED';
  campaign.campaignId = `C${ctx.sids.secret('tcr-campaign', 6).toUpperCase()}`;
  const service = ctx.state.services.get(campaign.messagingServiceSid);
  if (service) service.settings.us_app_to_person_registered = true;
  await emitCampaignEvent(ctx, campaign, 'campaign-approved', 'success');
  for (const n of ctx.state.phoneNumbers.values()) if (n.messagingServiceSid === campaign.messagingServiceSid) registerNumber(ctx, n.sid);
}

function brandForCampaign(ctx: SandboxContext, req: ApiRequest, brandSid: string) {
  const brand = ctx.state.brands.get(brandSid);
  if (!brand || brand.accountSid !== req.account.sid) throw invalidParameter('BrandRegistrationSid', `${brandSid} was not found in this account`);
  if (brand.status !== 'APPROVED') throw new TwilioError(400, 21717, `Brand ${brandSid} is ${brand.status}; campaigns need an APPROVED brand`);
  return brand;
}

export const campaignRoutes: Route[] = [
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/Compliance/Usa2p/Usecases', (req, ctx) => {
    ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const brand = brandForCampaign(ctx, req, required(req.params, 'BrandRegistrationSid'));
    return ok({ us_app_to_person_usecases: brand.brandType === 'SOLE_PROPRIETOR' ? [SOLE_PROPRIETOR_USECASE] : USECASES });
  }),
  route('POST', MESSAGING_HOST, '/v1/Services/{ServiceSid}/Compliance/Usa2p', async (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const brand = brandForCampaign(ctx, req, required(req.params, 'BrandRegistrationSid'));
    const fields = campaignFields(req);
    const usecase = String(fields.us_app_to_person_usecase);
    const known = brand.brandType === 'SOLE_PROPRIETOR' ? [SOLE_PROPRIETOR_USECASE.code] : USECASES.map((u) => u.code);
    if (!known.includes(usecase)) throw invalidParameter('UsAppToPersonUsecase', `'${usecase}' is not available for this brand`);
    if ([...ctx.state.campaigns.values()].some((c) => c.messagingServiceSid === service.sid)) {
      throw invalidParameter('MessagingServiceSid', `${service.sid} already has an A2P campaign`);
    }
    const now = ctx.clock.now();
    const campaign: CampaignRecord = {
      sid: ctx.sids.next('QE'), accountSid: req.account.sid, messagingServiceSid: service.sid, brandRegistrationSid: brand.sid, fields,
      status: 'IN_PROGRESS', campaignId: null, eventCampaignSid: ctx.sids.next('CM'), errors: [], mock: brand.mock, createdAt: now, updatedAt: now,
    };
    ctx.state.campaigns.set(campaign.sid, campaign);
    await emitCampaignEvent(ctx, campaign, 'campaign-submitted', 'pending');
    scheduleCampaignDecision(ctx, campaign);
    return created(renderCampaign(campaign, req));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/Compliance/Usa2p', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const items = [...ctx.state.campaigns.values()].filter((c) => c.messagingServiceSid === service.sid).map((c) => renderCampaign(c, req));
    return ok(metaPage('compliance', `${serviceUrl(service.sid)}/Compliance/Usa2p`, items, pageOf(req.params)));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/Compliance/Usa2p/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const campaign = ctx.state.campaigns.get(req.pathParams.Sid ?? '');
    if (!campaign || campaign.messagingServiceSid !== service.sid) throw notFound(req.path);
    return ok(renderCampaign(campaign, req));
  }),
  route('DELETE', MESSAGING_HOST, '/v1/Services/{ServiceSid}/Compliance/Usa2p/{Sid}', async (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const campaign = ctx.state.campaigns.get(req.pathParams.Sid ?? '');
    if (!campaign || campaign.messagingServiceSid !== service.sid) throw notFound(req.path);
    ctx.state.campaigns.delete(campaign.sid);
    service.settings.us_app_to_person_registered = false;
    // Deleting the campaign stops A2P traffic on the service's numbers.
    for (const n of ctx.state.phoneNumbers.values()) if (n.messagingServiceSid === service.sid) n.a2pRegistration = 'none';
    await emitCampaignEvent(ctx, campaign, 'campaign-deleted', 'deleted');
    return noContent();
  }),
];

