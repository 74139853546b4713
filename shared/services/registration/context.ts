import type { Customer } from '../../domain/customer';
import type { OnboardingRecord } from '../../domain/onboarding';
import type { CustomerRepository } from '../../store/customers';
import type { OnboardingRepository } from '../../store/onboarding';
import type { SubaccountCredentials, TwilioGateway } from '../../twilio/gateway';
import type { PartnerEventLog } from '../partner-events-contract';
import type { SubaccountService } from '../subaccounts';
import type { Clock } from '../support';
import type { StepInput, StepOutcome } from './contract';

/** The fixed Twilio-side settings of the ISV. */
export interface RegistrationSettings {
  /** The ISV's approved Primary Customer Profile (BU…), assigned to every customer profile. */
  primaryProfileSid: string;
  /** ISV-owned inbox for TrustHub review mail. */
  notificationEmail: string;
  /** Public base of the webhook receivers (`/inbound`, `/status`, `/events`, `/trusthub`); resolved when a step needs it. */
  webhookBaseUrl: () => Promise<string>;
}

/** Twilio calls no step makes, left out so the step functions' gateway carries none of their SDK resources. */
type NotUsedByTheSteps =
  | 'sendMessage'
  | 'fetchMessage'
  | 'cancelMessage'
  | 'createWhatsAppSender'
  | 'fetchWhatsAppSender'
  | 'updateWhatsAppSender'
  | 'deleteWhatsAppSender'
  | 'listWhatsAppSenders'
  | 'attachWhatsAppSenderToService'
  | 'detachWhatsAppSenderFromService'
  | 'createContentTemplate'
  | 'requestWhatsAppApproval'
  | 'fetchContentApproval'
  | 'listContentTemplates'
  | 'deleteContentTemplate'
  | 'listUsageRecords'
  | 'createSecondaryAuthToken'
  | 'promoteSecondaryAuthToken'
  | 'deleteSecondaryAuthToken'
  | 'credentialsWork';

export interface StepDeps {
  twilio: Omit<TwilioGateway, NotUsedByTheSteps>;
  onboarding: OnboardingRepository;
  customers: CustomerRepository;
  subaccounts: Pick<SubaccountService, 'create' | 'credentials'>;
  events: PartnerEventLog;
  clock: Clock;
  settings: RegistrationSettings;
}

/** What one run or check of one step works with. */
export interface StepContext {
  deps: StepDeps;
  input: StepInput;
  customer: Customer;
  record: OnboardingRecord;
  /** True when re-run to carry fixed customer data into Twilio (brand resubmission). */
  refresh: boolean;
  /** The subaccount's credentials (every TrustHub/Messaging/Events call uses them). */
  creds(): Promise<SubaccountCredentials>;
  /** Stores SIDs right away (and in `record.sids`), so a crash after a create never repeats it. */
  saveSids(sids: Record<string, string>): Promise<void>;
  /**
   * Keeps SIDs in `record.sids` and stores them with the step's outcome, one write fewer each:
   * only for resources the step looks up before creating, so a crash before the outcome is
   * stored adopts them on the re-run instead of creating them twice.
   */
  noteSids(sids: Record<string, string>): void;
  now(): string;
}

export interface StepModule {
  run(ctx: StepContext): Promise<StepOutcome>;
  check(ctx: StepContext): Promise<StepOutcome>;
}

export const webhookUrl = async (settings: RegistrationSettings, receiver: 'inbound' | 'status' | 'events' | 'trusthub') =>
  `${(await settings.webhookBaseUrl()).replace(/\/+$/, '')}/${receiver}`;

/** The SIDs of `record` under the given keys, for a step outcome. */
export function sidsOf(record: OnboardingRecord, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (record.sids[k]) out[k] = record.sids[k]!;
  return out;
}
