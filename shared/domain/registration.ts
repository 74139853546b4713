import { z } from 'zod';
import { pageOf } from './page';
import type { StepError } from '../services/registration/contract';
import { STEP_STATUSES } from './onboarding';

/**
 * Registration resources as partners see them (brand, campaign, numbers), and the translation of
 * Twilio's field names back to the customer and option fields a partner can actually fix.
 */

/** Twilio attribute / parameter names → the customer or option field they are built from. */
const TWILIO_FIELD_TO_CUSTOMER: Record<string, string> = {
  business_name: 'legalName',
  business_type: 'businessType',
  business_industry: 'industry',
  business_registration_identifier: 'registration.type',
  business_registration_number: 'registration.number',
  business_regions_of_operation: 'regionsOfOperation',
  website_url: 'website',
  social_media_profile_urls: 'socialMediaProfileUrls',
  first_name: 'contact.firstName',
  last_name: 'contact.lastName',
  email: 'contact.email',
  phone_number: 'contact.phone',
  business_title: 'contact.businessTitle',
  job_position: 'contact.jobPosition',
  company_type: 'companyType',
  stock_exchange: 'stockExchange',
  stock_ticker: 'stockTicker',
  brand_contact_email: 'contact.email',
  brand_name: 'displayName',
  vertical: 'industry',
  mobile_phone_number: 'contact.phone',
  address_sids: 'address',
  customer_name: 'legalName',
  street: 'address.street',
  city: 'address.city',
  region: 'address.region',
  postal_code: 'address.postalCode',
  iso_country: 'address.isoCountry',
  // Campaign parameters (PascalCase in Twilio's errors).
  Description: 'campaign.description',
  MessageFlow: 'campaign.messageFlow',
  MessageSamples: 'campaign.messageSamples',
  UsAppToPersonUsecase: 'campaign.useCase',
  HasEmbeddedLinks: 'campaign.hasEmbeddedLinks',
  HasEmbeddedPhone: 'campaign.hasEmbeddedPhone',
  OptInKeywords: 'campaign.optInKeywords',
  OptInMessage: 'campaign.optInMessage',
  OptOutKeywords: 'campaign.optOutKeywords',
  OptOutMessage: 'campaign.optOutMessage',
  HelpKeywords: 'campaign.helpKeywords',
  HelpMessage: 'campaign.helpMessage',
  PrivacyPolicyUrl: 'campaign.privacyPolicyUrl',
  TermsAndConditionsUrl: 'campaign.termsAndConditionsUrl',
};

/** Brand error codes whose cause is known even when Twilio names no field. */
const FIELDS_BY_CODE: Record<number, string[]> = {
  30794: ['legalName', 'registration.number'],
  30751: ['contact.phone'],
  30752: ['contact.phone'],
  30889: ['campaign.hasEmbeddedPhone'],
  30893: ['campaign.messageSamples', 'campaign.useCase'],
  30900: ['campaign.useCase'],
};

export function customerFieldsFor(twilioFields: readonly string[]): string[] {
  return [...new Set(twilioFields.map((f) => TWILIO_FIELD_TO_CUSTOMER[f] ?? TWILIO_FIELD_TO_CUSTOMER[f.toLowerCase()] ?? f))];
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Twilio's `errors[]` on brands, campaigns and rejected bundles (`{code, description|message, fields}`)
 * as StepErrors pointing at the fields to fix.
 */
export function stepErrorsFromTwilio(raw: readonly unknown[], fallback: string): StepError[] {
  const errors = raw.map((item) => {
    const e = asRecord(item);
    const code = typeof e.code === 'number' || typeof e.code === 'string' ? e.code : 'unknown';
    const twilioFields = asStrings(e.fields);
    const mapped = customerFieldsFor(twilioFields);
    const byCode = typeof code === 'number' ? (FIELDS_BY_CODE[code] ?? []) : [];
    const message = typeof e.description === 'string' ? e.description : typeof e.message === 'string' ? e.message : fallback;
    return { code, message, fields: mapped.length > 0 ? mapped : byCode, ...(twilioFields.length ? { twilioFields } : {}) };
  });
  return errors.length > 0 ? errors : [{ code: 'unknown', message: fallback, fields: [] }];
}

// --- Numbers -------------------------------------------------------------------------------

/**
 * A number's life on the platform: claimed (unique row written, purchase under way) → purchased
 * → attached to the messaging service → registered with carriers (or registration-failed) →
 * released. Ranks keep a late or duplicated event from moving it back.
 */
export const NUMBER_STATUSES = ['claimed', 'purchased', 'attached', 'registration-pending', 'registered', 'registration-failed', 'released'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];
export const NUMBER_STATUS_RANK: Record<NumberStatus, number> = {
  claimed: 0,
  purchased: 1,
  attached: 2,
  'registration-pending': 3,
  registered: 4,
  'registration-failed': 4,
  released: 9,
};

export interface NumberRecord {
  partnerId: string;
  customerId: string;
  phoneNumber: string;
  /** PN…, once bought. */
  sid?: string;
  status: NumberStatus;
  messagingServiceSid?: string;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
}

// --- API views -----------------------------------------------------------------------------

const StepErrorSchema = z.object({
  code: z.union([z.number(), z.string()]),
  message: z.string(),
  fields: z.array(z.string()).describe('Customer or option fields to fix'),
  twilioFields: z.array(z.string()).optional(),
});

const StepViewFields = {
  status: z.enum(STEP_STATUSES),
  waitingFor: z.string().optional(),
  errors: z.array(StepErrorSchema),
  startedAt: z.string().optional(),
  updatedAt: z.string().optional(),
  completedAt: z.string().optional(),
};

export const BrandViewSchema = z
  .object({
    id: z.string().describe('The brand registration SID (BN…); use it in /resubmit'),
    brandType: z.string(),
    mock: z.boolean(),
    customerProfileSid: z.string().optional(),
    trustProductSid: z.string().optional(),
    ...StepViewFields,
  })
  .describe('The customer’s A2P brand and where its registration stands');
export type BrandView = z.infer<typeof BrandViewSchema>;

export const CampaignViewSchema = z
  .object({
    id: z.string().describe('The campaign SID (QE…)'),
    messagingServiceSid: z.string(),
    useCase: z.string().optional(),
    ...StepViewFields,
  })
  .describe('The customer’s A2P campaign');
export type CampaignView = z.infer<typeof CampaignViewSchema>;

export const NumberViewSchema = z
  .object({
    id: z.string().describe('The phone number SID (PN…); use it in DELETE /numbers/{numberId}'),
    phoneNumber: z.string(),
    status: z.enum(NUMBER_STATUSES),
    messagingServiceSid: z.string().optional(),
    failureReason: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('A phone number of the customer');
export type NumberView = z.infer<typeof NumberViewSchema>;

/** A page of registration items (brands, campaigns, numbers). */
export const listOf = <T extends z.ZodType>(item: T) => pageOf(item);
