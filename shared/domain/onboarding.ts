import { z } from 'zod';
import { CAMPAIGN_USE_CASES } from './customer-values';
import type { Customer } from './customer';
import { BRAND_TYPES, ONBOARDING_STEPS, type OnboardingStep, type StepError } from '../services/registration/contract';

/**
 * What a partner chooses for a customer's A2P 10DLC registration, and the per-customer record of
 * how far it got. Campaign content is checked against Twilio's limits here, before any call:
 * a campaign create is billable and vetting takes days, so a too-short sample must never reach it.
 */

const KEYWORD = /^[A-Za-z0-9]+$/;
const keywords = z
  .array(z.string().regex(KEYWORD, 'keywords are alphanumeric, one word each').max(255))
  .min(1)
  .max(30)
  .refine((list) => list.join(',').length <= 255, { message: 'all keywords together must fit in 255 characters' });
const reply = z.string().trim().min(20).max(320);
const url = z.url({ protocol: /^https$/ }).max(2048);

export { CAMPAIGN_USE_CASES } from './customer-values';

export const CampaignOptionsSchema = z
  .strictObject({
    useCase: z.enum(CAMPAIGN_USE_CASES),
    description: z.string().trim().min(40).max(4096).describe('What the campaign sends and why (40–4096 characters)'),
    messageFlow: z.string().trim().min(40).max(2048).describe('How recipients opt in, every path, with URLs (40–2048 characters)'),
    messageSamples: z.array(z.string().trim().min(20).max(1024)).min(2).max(5).describe('2–5 realistic samples naming the brand, with opt-out language'),
    hasEmbeddedLinks: z.boolean(),
    hasEmbeddedPhone: z.boolean(),
    optInKeywords: keywords.optional(),
    optInMessage: reply.optional(),
    optOutKeywords: keywords.optional(),
    optOutMessage: reply.optional(),
    helpKeywords: keywords.optional(),
    helpMessage: reply.optional(),
    subscriberOptIn: z.boolean().optional(),
    ageGated: z.boolean().default(false),
    directLending: z.boolean().default(false),
    privacyPolicyUrl: url.optional(),
    termsAndConditionsUrl: url.optional(),
  })
  .superRefine((c, ctx) => {
    // Twilio needs the message whenever the keywords are self-managed, and vice versa.
    for (const kind of ['optIn', 'optOut', 'help'] as const) {
      const hasKeywords = c[`${kind}Keywords`] !== undefined;
      const hasMessage = c[`${kind}Message`] !== undefined;
      if (hasKeywords !== hasMessage) {
        ctx.addIssue({ code: 'custom', path: [hasKeywords ? `${kind}Message` : `${kind}Keywords`], message: `${kind}Keywords and ${kind}Message go together` });
      }
    }
  })
  .describe('Campaign (UsAppToPerson) content, validated against Twilio limits before submission');
export type CampaignOptions = z.infer<typeof CampaignOptionsSchema>;

export const NumberOptionsSchema = z
  .strictObject({
    country: z.literal('US').default('US'),
    count: z.number().int().min(1).max(5).default(1),
    areaCode: z.number().int().min(200).max(999).optional(),
    region: z.string().regex(/^[A-Z]{2}$/, 'a two-letter state code such as TX').optional().describe('InRegion'),
    contains: z.string().regex(/^[0-9A-Za-z*]{2,10}$/).optional(),
  })
  .describe('Which local numbers to buy');
export type NumberOptions = z.infer<typeof NumberOptionsSchema>;

export const BrandOptionsSchema = z.strictObject({
  brandType: z.enum(BRAND_TYPES).default('STANDARD'),
  /** Mock brands and campaigns cost nothing and carry no traffic. */
  mock: z.boolean().default(false),
});
export type BrandOptions = z.infer<typeof BrandOptionsSchema>;

export const OnboardingOptionsSchema = z
  .strictObject({
    brandType: z.enum(BRAND_TYPES).default('STANDARD'),
    mock: z.boolean().default(false),
    campaign: CampaignOptionsSchema.optional(),
    numbers: NumberOptionsSchema.optional(),
  })
  .describe('Registration choices for one customer');
export type OnboardingOptions = z.infer<typeof OnboardingOptionsSchema>;

/**
 * The body of an onboarding start or preflight: a JSON object, checked field by field only once
 * it is laid over the previous attempt's options (so that one answer lists every finding).
 */
export const OnboardingOptionsInputSchema = z
  .record(z.string(), z.unknown())
  .describe('Onboarding options (see OnboardingOptions); on a resume, only what changes');

/**
 * Rules that need the customer as well as the options. Returned as StepErrors so the same list
 * can fail a step or a request; `fields` name the customer or option field to fix.
 */
export function crossCheck(customer: Customer, options: OnboardingOptions): StepError[] {
  const errors: StepError[] = [];
  const add = (fields: string[], message: string) => errors.push({ code: 'invalid-options', message, fields });
  const soleProp = options.brandType === 'SOLE_PROPRIETOR';
  if (soleProp && customer.businessType !== 'Sole Proprietorship') {
    add(['businessType', 'brandType'], 'a SOLE_PROPRIETOR brand is for individuals without a tax id; the customer is a registered business');
  }
  if (soleProp && customer.registration) add(['registration'], 'sole proprietors have no EIN; a business with one registers a STANDARD or LOW_VOLUME_STANDARD brand');
  if (!soleProp && !customer.registration) {
    add(['registration', 'brandType'], 'STANDARD and LOW_VOLUME_STANDARD brands need the business registration number (EIN); without one, register a SOLE_PROPRIETOR brand');
  }
  if (customer.companyType === 'public' && (!customer.stockTicker || !customer.stockExchange || customer.stockExchange === 'NONE')) {
    add(['stockExchange', 'stockTicker'], 'a public company needs its stock exchange and ticker');
  }
  if (soleProp && options.mock) add(['mock'], 'mock sole-proprietor brands cannot get campaigns; register a real one');
  if (options.campaign) {
    const useCase = options.campaign.useCase;
    if (soleProp && useCase !== 'SOLE_PROPRIETOR') add(['campaign.useCase'], 'a sole-proprietor brand has exactly one campaign, of use case SOLE_PROPRIETOR');
    if (!soleProp && useCase === 'SOLE_PROPRIETOR') add(['campaign.useCase'], 'SOLE_PROPRIETOR is only for sole-proprietor brands');
  }
  if (options.numbers?.region && options.numbers.areaCode === undefined && customer.address.isoCountry !== 'US') {
    add(['numbers.region'], 'region search applies to US numbers');
  }
  return errors;
}

// --- The onboarding record -----------------------------------------------------------------

export const STEP_STATUSES = ['pending', 'running', 'waiting', 'succeeded', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * Status only moves forward within one run of a step: pending → running → waiting → succeeded |
 * failed. A retry after failure (or a brand resubmission) starts a new `run`, which may start
 * over at `running`; a stale writer from an older run can never overwrite a newer one.
 */
export const STEP_STATUS_RANK: Record<StepStatus, number> = { pending: 0, running: 1, waiting: 2, succeeded: 3, failed: 3 };

export interface StepState {
  status: StepStatus;
  /** Increases each time the step is started again after failing. */
  run: number;
  rank: number;
  startedAt?: string;
  updatedAt: string;
  completedAt?: string;
  waitingFor?: string;
  /** Since when it has waited for `waitingFor` (kept across status checks of the same wait). */
  waitingSince?: string;
  /** Status reads after waiting, in this run of the step. */
  checks?: number;
  /** The Twilio SIDs this step produced (also merged into the record's `sids`). */
  sids: Record<string, string>;
  errors: StepError[];
}

export interface OnboardingRecord {
  partnerId: string;
  customerId: string;
  attempt: number;
  options: OnboardingOptions;
  steps: Partial<Record<OnboardingStep, StepState>>;
  /**
   * Every Twilio SID, stored the moment it exists: the keys of {@link SID_KEYS}, plus
   * `assigned:<bundle>:<object>` → BV… for each entity assignment (Twilio refuses a second one).
   */
  sids: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** Names of the SIDs kept on the record. */
export const SID_KEYS = [
  'accountSid',
  'eventSinkSid',
  'eventSubscriptionSid',
  'customerProfileSid',
  'businessEndUserSid',
  'representativeEndUserSid',
  'addressSid',
  'addressDocumentSid',
  'trustProductSid',
  'messagingProfileEndUserSid',
  'brandSid',
  'messagingServiceSid',
  'campaignSid',
] as const;
export type SidKey = (typeof SID_KEYS)[number];

export const emptyRecord = (partnerId: string, customerId: string, options: OnboardingOptions, at: string): OnboardingRecord => ({
  partnerId,
  customerId,
  attempt: 1,
  options,
  steps: {},
  sids: {},
  createdAt: at,
  updatedAt: at,
});

export { ONBOARDING_STEPS };
