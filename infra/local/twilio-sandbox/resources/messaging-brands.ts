import { TwilioError, invalidParameter } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { bool, required, str } from '../core/params';
import { accepted, created, ok, route, type Route, type SandboxContext } from '../core/context';
import type { BrandRecord, BundleKind, RegistrationError } from '../core/state';
import { hostUrl, ownedByCaller } from './v1-common';
import { MESSAGING_HOST } from './messaging-services';
import { bundleTexts } from './trusthub-bundles';
import { emitBrandEvent } from './a2p-events';
import { notFound } from '../core/errors';

const BRAND_TYPES = ['STANDARD', 'SOLE_PROPRIETOR'];
const DEFAULT_BRAND_ERRORS: RegistrationError[] = [
  { code: 30794, description: 'The legal business name and EIN do not match the IRS records.', fields: ['business_name', 'business_registration_number'] },
];
const brandUrl = (sid: string): string => hostUrl(MESSAGING_HOST, `/v1/a2p/BrandRegistrations/${sid}`);

export function renderBrand(b: BrandRecord): Record<string, unknown> {
  const url = brandUrl(b.sid);
  return {
    sid: b.sid,
    account_sid: b.accountSid,
    customer_profile_bundle_sid: b.customerProfileBundleSid,
    a2p_profile_bundle_sid: b.a2pProfileBundleSid,
    date_created: iso8601(b.createdAt),
    date_updated: iso8601(b.updatedAt),
    brand_type: b.brandType,
    status: b.status,
    tcr_id: b.tcrId,
    failure_reason: b.failureReason,
    errors: b.errors,
    url,
    brand_score: b.brandScore,
    brand_feedback: b.status === 'FAILED' ? ['TAX_ID'] : null,
    identity_status: b.identityStatus,
    russell_3000: false,
    government_entity: false,
    tax_exempt_status: null,
    skip_automatic_sec_vet: b.skipAutomaticSecVet,
    mock: b.mock,
    links: { brand_vettings: `${url}/Vettings`, brand_registration_otps: `${url}/SmsOtp` },
  };
}

function bundleFor(ctx: SandboxContext, accountSid: string, sid: string, kind: BundleKind, param: string) {
  const bundle = ctx.state.bundles.get(sid);
  if (!bundle || bundle.accountSid !== accountSid || bundle.kind !== kind) throw invalidParameter(param, `${sid} is not a ${kind} of this account`);
  if (bundle.status === 'draft' || bundle.status === 'twilio-rejected') throw invalidParameter(param, `${sid} is ${bundle.status}; submit it for review first`);
  return bundle;
}

function brandTexts(ctx: SandboxContext, brand: BrandRecord): string[] {
  return [brand.customerProfileBundleSid, brand.a2pProfileBundleSid].flatMap((sid) => {
    const bundle = ctx.state.bundles.get(sid);
    return bundle ? bundleTexts(ctx, bundle) : [];
  });
}

/** Sole proprietor brands wait for the owner's OTP reply; it expires after 24 h (30752). */
function startOtpWindow(ctx: SandboxContext, brand: BrandRecord): void {
  scheduleOtpExpiry(ctx, brand, ctx.clock.now() + ctx.settings.otpValiditySeconds * 1000);
}

/** The OTP fails at `expiresAt` unless confirmed first (which cancels this task). */
function scheduleOtpExpiry(ctx: SandboxContext, brand: BrandRecord, expiresAt: number): void {
  if (brand.otpTaskId !== null) ctx.clock.cancel(brand.otpTaskId);
  brand.otpExpiresAt = expiresAt;
  brand.otpTaskId = ctx.clock.scheduleAt(expiresAt, `brand ${brand.sid} OTP expiry`, async () => {
    brand.otpTaskId = null;
    brand.otpExpiresAt = null;
    brand.errors = [{ code: 30752, description: 'The sole proprietor OTP verification expired or was answered incorrectly.', fields: ['mobile_phone_number'] }];
    brand.updatedAt = ctx.clock.now();
    await emitBrandEvent(ctx, brand, 'brand-unverified');
  });
}

export async function confirmBrandOtp(ctx: SandboxContext, brandSid: string): Promise<BrandRecord> {
  const brand = ctx.state.brands.get(brandSid);
  if (!brand) throw notFound(`/v1/a2p/BrandRegistrations/${brandSid}`);
  if (brand.brandType !== 'SOLE_PROPRIETOR' || brand.identityStatus !== 'UNVERIFIED' || brand.otpExpiresAt === null) {
    throw new TwilioError(400, 30752, 'There is no pending OTP verification for this brand');
  }
  if (brand.otpTaskId !== null) ctx.clock.cancel(brand.otpTaskId);
  brand.otpTaskId = null;
  brand.otpExpiresAt = null;
  brand.identityStatus = 'VERIFIED';
  brand.errors = [];
  brand.updatedAt = ctx.clock.now();
  await emitBrandEvent(ctx, brand, 'brand-verified');
  return brand;
}

async function decideBrand(ctx: SandboxContext, brand: BrandRecord, decision: ReturnType<SandboxContext['rules']['decide']>): Promise<void> {
  brand.updatedAt = ctx.clock.now();
  if (decision.outcome === 'fail') {
    brand.status = 'FAILED';
    brand.errors = decision.errors ?? DEFAULT_BRAND_ERRORS;
    brand.failureReason = brand.errors.map((e) => e.description).join('; ');
    await emitBrandEvent(ctx, brand, 'brand-failure');
    return;
  }
  brand.status = 'APPROVED';
  brand.tcrId = brand.tcrId ?? `B${ctx.sids.secret('tcr-brand', 6).toUpperCase()}`;
  brand.brandScore = brand.brandType === 'STANDARD' && !brand.skipAutomaticSecVet ? 77 : null;
  const needsOtp = brand.brandType === 'SOLE_PROPRIETOR' && !brand.mock;
  brand.identityStatus = needsOtp ? 'UNVERIFIED' : 'VERIFIED';
  await emitBrandEvent(ctx, brand, 'brand-registered');
  if (needsOtp) startOtpWindow(ctx, brand);
  else await emitBrandEvent(ctx, brand, 'brand-verified');
}

/** PENDING → IN_REVIEW → APPROVED | FAILED, a review delay apart; a stall leaves it PENDING. */
function scheduleReview(ctx: SandboxContext, brand: BrandRecord, from: 'PENDING' | 'IN_REVIEW' = 'PENDING'): void {
  const decision = ctx.rules.decide('brand', brand.accountSid, brandTexts(ctx, brand));
  if (decision.outcome === 'stall') return;
  const decide = () => ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `brand ${brand.sid} → decided`, () => decideBrand(ctx, brand, decision));
  if (from === 'IN_REVIEW') return void decide();
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `brand ${brand.sid} → IN_REVIEW`, () => {
    brand.status = 'IN_REVIEW';
    brand.updatedAt = ctx.clock.now();
    decide();
  });
}

/**
 * After a restart: a brand still under review continues from where it stood; an OTP still awaited
 * (its expiry time is kept, cleared once confirmed or expired) expires when it would have.
 */
export function resumeBrand(ctx: SandboxContext, brand: BrandRecord): void {
  brand.otpTaskId = null;
  if (brand.status === 'PENDING' || brand.status === 'IN_REVIEW') scheduleReview(ctx, brand, brand.status);
  else if (brand.otpExpiresAt !== null) scheduleOtpExpiry(ctx, brand, brand.otpExpiresAt);
}

export const brandRoutes: Route[] = [
  route('POST', MESSAGING_HOST, '/v1/a2p/BrandRegistrations', (req, ctx) => {
    const customerProfile = bundleFor(ctx, req.account.sid, required(req.params, 'CustomerProfileBundleSid'), 'customer-profile', 'CustomerProfileBundleSid');
    const trustProduct = bundleFor(ctx, req.account.sid, required(req.params, 'A2PProfileBundleSid'), 'trust-product', 'A2PProfileBundleSid');
    const brandType = str(req.params, 'BrandType') ?? 'STANDARD';
    if (!BRAND_TYPES.includes(brandType)) throw invalidParameter('BrandType', `'${brandType}' is not one of ${BRAND_TYPES.join(', ')}`);
    const now = ctx.clock.now();
    const brand: BrandRecord = {
      sid: ctx.sids.next('BN'),
      accountSid: req.account.sid,
      customerProfileBundleSid: customerProfile.sid,
      a2pProfileBundleSid: trustProduct.sid,
      brandType,
      mock: bool(req.params, 'Mock') ?? false,
      skipAutomaticSecVet: bool(req.params, 'SkipAutomaticSecVet') ?? false,
      status: 'PENDING',
      identityStatus: 'SELF_DECLARED',
      tcrId: null,
      brandScore: null,
      errors: [],
      failureReason: null,
      otpExpiresAt: null,
      otpTaskId: null,
      resubmissions: 0,
      createdAt: now,
      updatedAt: now,
    };
    ctx.state.brands.set(brand.sid, brand);
    scheduleReview(ctx, brand);
    return created(renderBrand(brand));
  }),
  route('GET', MESSAGING_HOST, '/v1/a2p/BrandRegistrations', (req, ctx) =>
    ok(metaPage('data', hostUrl(MESSAGING_HOST, '/v1/a2p/BrandRegistrations'), ctx.state.ownedBy(ctx.state.brands, req.account.sid).map(renderBrand), pageOf(req.params))),
  ),
  route('GET', MESSAGING_HOST, '/v1/a2p/BrandRegistrations/{Sid}', (req, ctx) => ok(renderBrand(ownedByCaller(ctx.state.brands, req.pathParams.Sid, req)))),
  route('POST', MESSAGING_HOST, '/v1/a2p/BrandRegistrations/{Sid}', (req, ctx) => {
    const brand = ownedByCaller(ctx.state.brands, req.pathParams.Sid, req);
    if (brand.status !== 'FAILED') throw invalidParameter('Sid', `brand ${brand.sid} is ${brand.status}; only FAILED brands can be resubmitted`);
    brand.status = 'PENDING';
    brand.errors = [];
    brand.failureReason = null;
    brand.resubmissions += 1;
    brand.updatedAt = ctx.clock.now();
    scheduleReview(ctx, brand);
    return accepted(renderBrand(brand));
  }),
  route('POST', MESSAGING_HOST, '/v1/a2p/BrandRegistrations/{BrandSid}/SmsOtp', (req, ctx) => {
    const brand = ownedByCaller(ctx.state.brands, req.pathParams.BrandSid, req);
    if (brand.brandType !== 'SOLE_PROPRIETOR') throw invalidParameter('BrandRegistrationSid', 'OTP applies to SOLE_PROPRIETOR brands only');
    if (brand.status !== 'APPROVED' || brand.identityStatus !== 'UNVERIFIED') throw invalidParameter('BrandRegistrationSid', `brand identity is ${brand.identityStatus}; no OTP is pending`);
    brand.errors = [];
    startOtpWindow(ctx, brand);
    return created({ account_sid: brand.accountSid, brand_registration_sid: brand.sid });
  }),
];
