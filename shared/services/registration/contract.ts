/**
 * The seam between the onboarding steps (registration services) and whatever drives them: the
 * Step Functions workflow, the resource endpoints partners call directly, and tests.
 *
 * Every step is idempotent: it looks up what an earlier run stored before creating anything, and
 * stores each Twilio SID the moment it exists, so a retried or re-run step never creates a
 * second Twilio resource. A step that has submitted something for review returns `waiting`; the
 * driver waits (task token resumed by the status event, with a polling fallback) and then calls
 * `check` for the truth.
 */

import type { StepState } from '../../domain/onboarding';
import type { PartnerEventInput, TransactWriteItem } from '../partner-events-contract';

export const ONBOARDING_STEPS = [
  'subaccount',
  'customerProfile',
  'trustProduct',
  'brand',
  'messagingService',
  'campaign',
  'numbers',
] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

/** STANDARD and LOW_VOLUME_STANDARD use the secondary customer profile; SOLE_PROPRIETOR the starter profile. */
export const BRAND_TYPES = ['STANDARD', 'LOW_VOLUME_STANDARD', 'SOLE_PROPRIETOR'] as const;
export type OnboardingBrandType = (typeof BRAND_TYPES)[number];

export interface StepInput {
  partnerId: string;
  customerId: string;
  /** Onboarding attempt number: part of the execution name; a resumed onboarding is a new attempt. */
  attempt: number;
}

/** One thing Twilio (or our pre-submission validation) says is wrong, pointing at the field to fix. */
export interface StepError {
  code: number | string;
  message: string;
  /** Customer / onboarding-option fields at fault, e.g. `legalName`, `registration.number`, `campaign.messageSamples[1]`. */
  fields: string[];
  /** Twilio's own field names when they differ, e.g. `business_name`. */
  twilioFields?: string[];
}

export type StepOutcome =
  | { status: 'succeeded'; sids: Record<string, string> }
  /** Submitted and under review; `waitingFor` names the event that resumes it, e.g. `brand-registration:BN…`. */
  | { status: 'waiting'; waitingFor: string; sids: Record<string, string> }
  | { status: 'failed'; errors: StepError[]; sids: Record<string, string> };

/**
 * What the driver keeps beside a step's outcome (the workflow's run timeline, the run's end and
 * its event), built from the step state being stored and the SIDs of every step so far, and
 * written in the same transaction as the state: one write per outcome instead of three, and
 * never one without the other.
 */
export type StepJournal = (state: StepState, stepSids: Record<string, string>) => { items: TransactWriteItem[]; events?: PartnerEventInput[] };

export interface OnboardingSteps {
  /** Does (or resumes) the step's work. A `journal` is written with the step's outcome when the outcome is stored. */
  run(step: OnboardingStep, input: StepInput, journal?: StepJournal): Promise<StepOutcome>;
  /** Re-reads Twilio for a waiting step (events are hints; the GET is the truth). */
  check(step: OnboardingStep, input: StepInput, journal?: StepJournal): Promise<StepOutcome>;
}
