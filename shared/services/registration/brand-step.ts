import { stepErrorsFromTwilio } from '../../domain/registration';
import type { BrandRegistration } from '../../twilio/gateway';
import type { StepContext, StepModule } from './context';
import { sidsOf } from './context';
import type { StepOutcome } from './contract';

const SIDS = ['brandSid'];

export const brandWaitKey = (brandSid: string) => `brand:${brandSid}`;
export const brandOtpWaitKey = (brandSid: string) => `brand-otp:${brandSid}`;

/**
 * The brand's truth as a step outcome. A sole proprietor's brand is usable only once the owner
 * answered the OTP text (identity VERIFIED); until then it waits on `brand-otp:<BN>`. An OTP that
 * expired (30752) fails the step so the partner can resend it through resubmission.
 */
export function brandOutcome(brand: BrandRegistration, soleProprietor: boolean): StepOutcome {
  const sids = { brandSid: brand.sid };
  switch (brand.status) {
    case 'APPROVED': {
      const verified = brand.identityStatus === 'VERIFIED' || brand.identityStatus === 'VETTED_VERIFIED';
      if (!soleProprietor || verified) return { status: 'succeeded', sids };
      if (brand.errors.length > 0) return { status: 'failed', errors: stepErrorsFromTwilio(brand.errors, 'The OTP verification failed'), sids };
      return { status: 'waiting', waitingFor: brandOtpWaitKey(brand.sid), sids };
    }
    case 'FAILED':
    case 'SUSPENDED':
    case 'DELETION_PENDING':
    case 'DELETION_FAILED':
      return { status: 'failed', errors: stepErrorsFromTwilio(brand.errors, brand.failureReason ?? `The brand is ${brand.status}`), sids };
    default:
      return { status: 'waiting', waitingFor: brandWaitKey(brand.sid), sids };
  }
}

const isSoleProprietor = (ctx: StepContext) => ctx.record.options.brandType === 'SOLE_PROPRIETOR';

async function check(ctx: StepContext): Promise<StepOutcome> {
  const brandSid = ctx.record.sids.brandSid;
  if (!brandSid) return { status: 'failed', errors: [{ code: 'not-started', message: 'No brand has been registered yet', fields: [] }], sids: {} };
  return brandOutcome(await ctx.deps.twilio.fetchBrandRegistration(await ctx.creds(), brandSid), isSoleProprietor(ctx));
}

/** One brand per customer, ever: a stored BN is checked, never registered again (brands are billable). */
async function run(ctx: StepContext): Promise<StepOutcome> {
  if (ctx.record.sids.brandSid) return check(ctx);
  const { customerProfileSid, trustProductSid } = ctx.record.sids;
  if (!customerProfileSid || !trustProductSid) {
    return { status: 'failed', errors: [{ code: 'step-order', message: 'The customer profile and trust product steps must succeed first', fields: [] }], sids: {} };
  }
  const { brandType, mock } = ctx.record.options;
  const creds = await ctx.creds();
  // A brand an earlier attempt registered but never stored (its answer was lost) is adopted, not paid for twice.
  const earlier = (await ctx.deps.twilio.listBrandRegistrations(creds)).find(
    (b) => b.customerProfileBundleSid === customerProfileSid && b.a2pProfileBundleSid === trustProductSid,
  );
  if (earlier) {
    ctx.noteSids({ brandSid: earlier.sid });
    return brandOutcome(earlier, isSoleProprietor(ctx));
  }
  const brand = await ctx.deps.twilio.createBrandRegistration(creds, {
    customerProfileBundleSid: customerProfileSid,
    a2pProfileBundleSid: trustProductSid,
    brandType: brandType === 'SOLE_PROPRIETOR' ? 'SOLE_PROPRIETOR' : 'STANDARD',
    mock,
    // Only low-volume brands skip secondary vetting; a Standard brand needs its trust score.
    skipAutomaticSecVet: brandType === 'LOW_VOLUME_STANDARD',
  });
  // Found by the look-up above if the outcome is lost, so it is stored with the outcome.
  ctx.noteSids({ brandSid: brand.sid });
  return brandOutcome(brand, isSoleProprietor(ctx));
}

/**
 * After the partner fixed the customer, ask Twilio to review the same brand again: a FAILED brand
 * is resubmitted (`POST /BrandRegistrations/{BN}`), an expired sole-proprietor OTP is re-sent.
 * The bundles are corrected by the caller before this runs.
 */
export async function resubmitBrand(ctx: StepContext): Promise<StepOutcome> {
  const brandSid = ctx.record.sids.brandSid!;
  const creds = await ctx.creds();
  const brand = await ctx.deps.twilio.fetchBrandRegistration(creds, brandSid);
  if (brand.status === 'FAILED') return brandOutcome(await ctx.deps.twilio.resubmitBrandRegistration(creds, brandSid), isSoleProprietor(ctx));
  if (brand.status === 'APPROVED' && isSoleProprietor(ctx) && brand.identityStatus === 'UNVERIFIED') {
    await ctx.deps.twilio.sendBrandSmsOtp(creds, brandSid);
    return { status: 'waiting', waitingFor: brandOtpWaitKey(brandSid), sids: sidsOf(ctx.record, SIDS) };
  }
  return brandOutcome(brand, isSoleProprietor(ctx));
}

export const brandStep: StepModule = { run, check };
