import type { Customer } from '../../domain/customer';
import type { StepContext, StepModule } from './context';
import { sidsOf } from './context';
import type { StepOutcome } from './contract';
import { POLICIES, checkBundle, ensureAssigned, ensureBundle, ensureEndUser, evaluateAndSubmit } from './trust-bundles';

const SIDS = ['trustProductSid', 'messagingProfileEndUserSid'];

/** `us_a2p_messaging_profile_information`: ticker only for public companies (TWILIO.md §2.1, 2.2). */
export function messagingProfile(c: Customer): Record<string, unknown> {
  return {
    company_type: c.companyType,
    ...(c.companyType === 'public' ? { stock_exchange: c.stockExchange, stock_ticker: c.stockTicker } : {}),
    // Public for-profit brands get Authentication+ mail here; it must be on the business's domain.
    brand_contact_email: c.contact.email,
  };
}

export function soleProprietorInformation(c: Customer): Record<string, unknown> {
  return { brand_name: c.displayName, vertical: c.industry, mobile_phone_number: c.contact.phone };
}

/** The A2P trust product: its end user and the customer profile assigned, evaluated, submitted. */
async function run(ctx: StepContext): Promise<StepOutcome> {
  const profileSid = ctx.record.sids.customerProfileSid;
  if (!profileSid) return { status: 'failed', errors: [{ code: 'step-order', message: 'The customer profile step must succeed first', fields: [] }], sids: {} };
  const soleProp = ctx.record.options.brandType === 'SOLE_PROPRIETOR';
  const policySid = soleProp ? POLICIES.soleProprietorTrustProduct : POLICIES.a2pTrustProduct;
  const bundleSid = await ensureBundle(ctx, 'trust-product', 'trustProductSid', `switchboard:${ctx.input.customerId} A2P messaging profile`, policySid);
  const endUser = soleProp
    ? await ensureEndUser(ctx, 'messagingProfileEndUserSid', 'sole_proprietor_information', soleProprietorInformation(ctx.customer))
    : await ensureEndUser(ctx, 'messagingProfileEndUserSid', 'us_a2p_messaging_profile_information', messagingProfile(ctx.customer));
  for (const objectSid of [endUser, profileSid]) await ensureAssigned(ctx, 'trust-product', bundleSid, objectSid);
  return evaluateAndSubmit(ctx, 'trust-product', bundleSid, policySid, sidsOf(ctx.record, SIDS));
}

export const trustProductStep: StepModule = {
  run,
  check: (ctx) => checkBundle(ctx, 'trust-product', 'trustProductSid', sidsOf(ctx.record, SIDS)),
};
