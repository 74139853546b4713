import type { Customer } from '../../domain/customer';
import type { StepContext, StepModule } from './context';
import { sidsOf } from './context';
import type { StepOutcome } from './contract';
import { POLICIES, checkBundle, ensureAddressDocument, ensureAssigned, ensureBundle, ensureEndUser, evaluateAndSubmit } from './trust-bundles';

const SIDS = ['customerProfileSid', 'businessEndUserSid', 'representativeEndUserSid', 'addressSid', 'addressDocumentSid'];

/** `customer_profile_business_information` with Twilio's attribute names (TWILIO.md §2.1, 1.2). */
export function businessInformation(c: Customer): Record<string, unknown> {
  return {
    business_name: c.legalName,
    business_type: c.businessType,
    business_industry: c.industry,
    business_registration_identifier: c.registration?.type,
    business_registration_number: c.registration?.number,
    // The customer is the business itself; the ISV's own identity is on the primary profile.
    business_identity: 'direct_customer',
    business_regions_of_operation: c.regionsOfOperation.join(','),
    website_url: c.website,
    ...(c.socialMediaProfileUrls?.length ? { social_media_profile_urls: c.socialMediaProfileUrls.join(',') } : {}),
  };
}

export function authorizedRepresentative(c: Customer): Record<string, unknown> {
  return {
    first_name: c.contact.firstName,
    last_name: c.contact.lastName,
    email: c.contact.email,
    phone_number: c.contact.phone,
    business_title: c.contact.businessTitle,
    job_position: c.contact.jobPosition,
  };
}

export function starterInformation(c: Customer): Record<string, unknown> {
  return { first_name: c.contact.firstName, last_name: c.contact.lastName, email: c.contact.email, phone_number: c.contact.phone };
}

const isSoleProprietor = (ctx: StepContext) => ctx.record.options.brandType === 'SOLE_PROPRIETOR';

/**
 * Secondary customer profile (Standard / LVS) or starter profile (sole proprietor): end users,
 * address document and the ISV primary profile assigned, evaluated, then submitted for review.
 */
async function run(ctx: StepContext): Promise<StepOutcome> {
  const soleProp = isSoleProprietor(ctx);
  const policySid = soleProp ? POLICIES.starterCustomerProfile : POLICIES.secondaryCustomerProfile;
  const bundleSid = await ensureBundle(ctx, 'customer-profile', 'customerProfileSid', `switchboard:${ctx.input.customerId} customer profile`, policySid);
  const objects = soleProp
    ? [await ensureEndUser(ctx, 'businessEndUserSid', 'starter_customer_profile_information', starterInformation(ctx.customer))]
    : [
        await ensureEndUser(ctx, 'businessEndUserSid', 'customer_profile_business_information', businessInformation(ctx.customer)),
        await ensureEndUser(ctx, 'representativeEndUserSid', 'authorized_representative_1', authorizedRepresentative(ctx.customer)),
      ];
  objects.push(await ensureAddressDocument(ctx), ctx.deps.settings.primaryProfileSid);
  for (const objectSid of objects) await ensureAssigned(ctx, 'customer-profile', bundleSid, objectSid);
  return evaluateAndSubmit(ctx, 'customer-profile', bundleSid, policySid, sidsOf(ctx.record, SIDS));
}

export const customerProfileStep: StepModule = {
  run,
  check: (ctx) => checkBundle(ctx, 'customer-profile', 'customerProfileSid', sidsOf(ctx.record, SIDS)),
};
