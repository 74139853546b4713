/**
 * The Twilio gateway port: every call the platform makes to Twilio, in domain terms.
 *
 * Inputs and outputs are camelCase and carry only what the platform uses. Calls for a customer
 * take that customer's subaccount credentials, because TrustHub, Messaging, Content and Events
 * derive the account from the credentials: parent credentials would silently create the
 * resources in the parent account. Failures surface as the typed errors of `./errors`.
 *
 * This module is types only, so services and tests can depend on it without loading the SDK.
 */
import type { TwilioUsageRecord } from '../domain/usage';

/** Basic-auth credentials of one Twilio account (a customer subaccount, or the ISV master). */
export interface SubaccountCredentials {
  accountSid: string;
  authToken: string;
}

/** The ISV master account's credentials take the same shape. */
export type MasterCredentials = SubaccountCredentials;

// --- Accounts ---------------------------------------------------------------------------------

export type AccountStatus = 'active' | 'suspended' | 'closed';

export interface Account {
  accountSid: string;
  friendlyName: string;
  status: AccountStatus;
  ownerAccountSid: string | null;
  /** Present when Twilio returns it (creation, and reads by the parent). Never log it. */
  authToken: string | null;
  dateCreated: string | null;
}

// --- Addresses --------------------------------------------------------------------------------

export interface AddressInput {
  customerName: string;
  street: string;
  streetSecondary?: string;
  city: string;
  region: string;
  postalCode: string;
  isoCountry: string;
  friendlyName?: string;
}

export interface Address {
  sid: string;
  customerName: string;
  isoCountry: string;
  validated: boolean | null;
  verified: boolean | null;
}

// --- TrustHub ---------------------------------------------------------------------------------

/** Secondary customer profiles and A2P trust products share one lifecycle and API shape. */
export type TrustBundleKind = 'customer-profile' | 'trust-product';

export type TrustBundleStatus = 'draft' | 'pending-review' | 'in-review' | 'twilio-rejected' | 'twilio-approved';

export interface TrustBundleInput {
  friendlyName: string;
  /** An ISV-owned inbox that receives Twilio's review notifications. */
  email: string;
  policySid: string;
  statusCallback?: string;
}

export interface TrustBundle {
  sid: string;
  kind: TrustBundleKind;
  friendlyName: string;
  status: TrustBundleStatus;
  policySid: string | null;
  /** Twilio's review findings when rejected, as returned. */
  errors: unknown[];
  validUntil: string | null;
}

export interface TrustHubItemInput {
  friendlyName: string;
  /** e.g. `customer_profile_business_information`, `customer_profile_address`. */
  type: string;
  /** Sent as the JSON `Attributes` string; keys are Twilio's snake_case attribute names. */
  attributes: Record<string, unknown>;
}

export interface TrustHubItem {
  sid: string;
  type: string;
  status?: string | null;
}

export interface EntityAssignment {
  sid: string;
  bundleSid: string;
  objectSid: string;
}

/** One field Twilio found missing or invalid, mapped to the form field at fault. */
export interface EvaluationFinding {
  requirement: string | null;
  objectType: string | null;
  passed: boolean;
  failureReason: string | null;
  errorCode: number | null;
  invalidFields: Array<{ field: string; friendlyName: string | null; failureReason: string | null; errorCode: number | null }>;
}

export interface Evaluation {
  sid: string;
  bundleSid: string;
  status: 'compliant' | 'noncompliant';
  results: EvaluationFinding[];
}

// --- A2P brand ------------------------------------------------------------------------------

export type BrandType = 'STANDARD' | 'SOLE_PROPRIETOR';

export type BrandStatus = 'PENDING' | 'APPROVED' | 'FAILED' | 'IN_REVIEW' | 'DELETION_PENDING' | 'DELETION_FAILED' | 'SUSPENDED';

export type BrandIdentityStatus = 'SELF_DECLARED' | 'UNVERIFIED' | 'VERIFIED' | 'VETTED_VERIFIED';

export interface BrandRegistrationInput {
  customerProfileBundleSid: string;
  a2pProfileBundleSid: string;
  brandType?: BrandType;
  /** Mock brands cost nothing and carry no traffic; for tests and demos. */
  mock?: boolean;
  /** Only for low-volume standard brands, 527 political organisations, or Campaign Verify. */
  skipAutomaticSecVet?: boolean;
}

export interface BrandRegistration {
  sid: string;
  status: BrandStatus;
  identityStatus: BrandIdentityStatus | null;
  brandType: string | null;
  tcrId: string | null;
  brandScore: number | null;
  mock: boolean;
  skipAutomaticSecVet: boolean;
  /** The bundles it was registered with: how a brand created by a crashed attempt is recognised. */
  customerProfileBundleSid: string | null;
  a2pProfileBundleSid: string | null;
  failureReason: string | null;
  /** Twilio's `errors[]` (code, description, fields), as returned. */
  errors: unknown[];
}

// --- Messaging services and campaigns -------------------------------------------------------

export interface MessagingServiceInput {
  friendlyName: string;
  inboundRequestUrl: string;
  statusCallback: string;
  fallbackUrl?: string;
  /** False so the service's inbound URL wins over whatever is set on the number. */
  useInboundWebhookOnNumber: boolean;
  usecase?: string;
}

export interface MessagingService {
  sid: string;
  friendlyName: string;
  inboundRequestUrl: string | null;
  statusCallback: string | null;
  useInboundWebhookOnNumber: boolean | null;
  usAppToPersonRegistered: boolean | null;
}

export interface CampaignUsecase {
  code: string;
  name: string;
  description: string;
  postApprovalRequired: boolean;
}

export interface CampaignInput {
  brandRegistrationSid: string;
  description: string;
  messageFlow: string;
  messageSamples: string[];
  usecase: string;
  hasEmbeddedLinks: boolean;
  hasEmbeddedPhone: boolean;
  optInMessage?: string;
  optOutMessage?: string;
  helpMessage?: string;
  optInKeywords?: string[];
  optOutKeywords?: string[];
  helpKeywords?: string[];
  subscriberOptIn?: boolean;
  ageGated?: boolean;
  directLending?: boolean;
  /** Public pages the campaign reviewers open: an unreachable privacy policy is a common rejection. */
  privacyPolicyUrl?: string;
  termsAndConditionsUrl?: string;
}

export interface Campaign {
  sid: string;
  messagingServiceSid: string;
  brandRegistrationSid: string;
  usecase: string;
  /** `IN_PROGRESS`, `VERIFIED`, `FAILED`, `PENDING`, … as Twilio reports it. */
  status: string | null;
  campaignId: string | null;
  mock: boolean;
  errors: unknown[];
}

// --- Phone numbers ----------------------------------------------------------------------------

export interface NumberSearch {
  countryCode: string;
  areaCode?: number;
  contains?: string;
  smsEnabled?: boolean;
  mmsEnabled?: boolean;
  inRegion?: string;
  inPostalCode?: string;
  limit?: number;
}

export interface NumberCapabilities {
  sms: boolean;
  mms: boolean;
  voice: boolean;
}

export interface AvailableNumber {
  phoneNumber: string;
  friendlyName: string | null;
  locality: string | null;
  region: string | null;
  postalCode: string | null;
  isoCountry: string | null;
  capabilities: NumberCapabilities;
}

export interface BuyNumberInput {
  phoneNumber: string;
  smsUrl: string;
  statusCallback?: string;
  friendlyName?: string;
  addressSid?: string;
  bundleSid?: string;
}

export interface IncomingNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string | null;
  smsUrl: string | null;
  statusCallback: string | null;
  capabilities: NumberCapabilities;
}

export interface ServiceNumber {
  sid: string;
  messagingServiceSid: string;
  phoneNumber: string | null;
}

// --- Event Streams ----------------------------------------------------------------------------

export interface EventSinkInput {
  description: string;
  /** The HTTPS URL Twilio posts CloudEvents to. */
  destination: string;
}

export interface EventSink {
  sid: string;
  description: string;
  status: 'initialized' | 'validating' | 'active' | 'failed' | null;
  destination: string | null;
}

export interface EventSubscriptionInput {
  description: string;
  sinkSid: string;
  types: Array<{ type: string; schemaVersion?: number }>;
}

export interface EventSubscription {
  sid: string;
  sinkSid: string;
  description: string;
}

// --- Messages ---------------------------------------------------------------------------------

export interface SendMessageInput {
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  mediaUrls?: string[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
  validityPeriodSeconds?: number;
  /** A fixed send time (through a messaging service only): Twilio holds the message as `scheduled` until then. */
  sendAt?: Date;
}

export interface Message {
  sid: string;
  status: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  direction: string | null;
  numSegments: number | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** What Twilio charged (a negative decimal string), once known. */
  price: string | null;
  priceUnit: string | null;
  dateCreated: string | null;
  dateSent: string | null;
}

// --- Usage records ----------------------------------------------------------------------------

/** One of Twilio's usage records: a category's totals over the period asked for. */
export interface UsageRecord extends TwilioUsageRecord {
  startDate: string | null;
  endDate: string | null;
}

/** A period of whole days (UTC), both ends included: how Twilio's usage records take dates. */
export interface UsagePeriod {
  /** YYYY-MM-DD. */
  startDate: string;
  /** YYYY-MM-DD. */
  endDate: string;
}

// --- WhatsApp senders (Senders API, messaging v2) -----------------------------------------

export interface WhatsAppProfile {
  /** The display name Meta reviews (required for WhatsApp). */
  name: string;
  about?: string;
  address?: string;
  description?: string;
  logoUrl?: string;
  vertical?: string;
  websites?: Array<{ website: string; label?: string }>;
  emails?: Array<{ email: string; label?: string }>;
}

export interface WhatsAppWebhook {
  callbackUrl: string;
  callbackMethod?: 'POST' | 'PUT';
  fallbackUrl?: string;
  statusCallbackUrl?: string;
}

export interface WhatsAppSenderInput {
  /** `whatsapp:+E164`. */
  senderId: string;
  wabaId: string;
  verificationMethod?: 'sms' | 'voice';
  profile: WhatsAppProfile;
  webhook: WhatsAppWebhook;
}

export interface WhatsAppSenderUpdate {
  verificationCode?: string;
  profile?: Partial<WhatsAppProfile>;
  webhook?: WhatsAppWebhook;
}

export interface WhatsAppSender {
  sid: string;
  senderId: string;
  /** `CREATING`, `PENDING_VERIFICATION`, `VERIFYING`, `TWILIO_REVIEW`, `ONLINE`, `ONLINE:UPDATING`, `OFFLINE`, … */
  status: string;
  offlineReasons: Array<{ code: string | null; message: string | null }>;
  qualityRating: string | null;
  messagingLimit: string | null;
  /** The WABA it was registered under, when Twilio returns it: how a sender created by a crashed attempt is recognised. */
  wabaId: string | null;
}

/** A sender attached to a messaging service (`/v1/Services/{MG}/ChannelSenders`). */
export interface ServiceChannelSender {
  sid: string;
  messagingServiceSid: string;
  sender: string | null;
}

// --- Content templates ------------------------------------------------------------------------

export interface ContentTemplateInput {
  friendlyName: string;
  /** ISO 639-1. */
  language: string;
  variables?: Record<string, string>;
  /**
   * Keyed by Twilio content type (`twilio/text`, `twilio/quick-reply`, `whatsapp/card`, …) with the
   * spec's snake_case fields, sent exactly as given.
   */
  types: Record<string, Record<string, unknown>>;
}

export interface ContentTemplate {
  sid: string;
  friendlyName: string | null;
  language: string | null;
}

export type WhatsAppTemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';

export interface ContentApproval {
  name: string | null;
  /** Meta's category once it decided (it may differ from the one submitted). */
  category: string | null;
  allowCategoryChange: boolean | null;
  /** `unsubmitted`, `received`, `pending`, `approved`, `rejected`, `paused`, `disabled`. */
  status: string | null;
  rejectionReason: string | null;
}

// --- The port -------------------------------------------------------------------------------

export interface TwilioGateway {
  // Master account (ISV parent credentials)
  createSubaccount(friendlyName: string): Promise<Account>;
  findSubaccountsByFriendlyName(friendlyName: string): Promise<Account[]>;
  fetchAccount(accountSid: string): Promise<Account>;
  updateAccountStatus(accountSid: string, status: AccountStatus): Promise<Account>;

  // Auth tokens (Accounts v1), always as the account itself: its own credentials
  /** Creates (or replaces) the account's secondary auth token and returns it. Never log it. */
  createSecondaryAuthToken(creds: SubaccountCredentials): Promise<string>;
  /** Makes the secondary the primary; the old primary stops authenticating at once (404 when there is no secondary). */
  promoteSecondaryAuthToken(creds: SubaccountCredentials): Promise<void>;
  deleteSecondaryAuthToken(creds: SubaccountCredentials): Promise<void>;
  /** Whether Twilio accepts these credentials (one read of the account itself); false only on 401/20003. */
  credentialsWork(creds: SubaccountCredentials): Promise<boolean>;

  // Addresses
  createAddress(creds: SubaccountCredentials, input: AddressInput): Promise<Address>;

  // TrustHub
  createTrustBundle(creds: SubaccountCredentials, kind: TrustBundleKind, input: TrustBundleInput): Promise<TrustBundle>;
  fetchTrustBundle(creds: SubaccountCredentials, kind: TrustBundleKind, bundleSid: string): Promise<TrustBundle>;
  updateTrustBundleStatus(creds: SubaccountCredentials, kind: TrustBundleKind, bundleSid: string, status: 'draft' | 'pending-review'): Promise<TrustBundle>;
  createEndUser(creds: SubaccountCredentials, input: TrustHubItemInput): Promise<TrustHubItem>;
  /** Replaces an end user's attributes, e.g. after the customer fixed data a review rejected. */
  updateEndUser(creds: SubaccountCredentials, endUserSid: string, attributes: Record<string, unknown>): Promise<TrustHubItem>;
  createSupportingDocument(creds: SubaccountCredentials, input: TrustHubItemInput): Promise<TrustHubItem>;
  assignToTrustBundle(creds: SubaccountCredentials, kind: TrustBundleKind, bundleSid: string, objectSid: string): Promise<EntityAssignment>;
  evaluateTrustBundle(creds: SubaccountCredentials, kind: TrustBundleKind, bundleSid: string, policySid: string): Promise<Evaluation>;

  // A2P brand
  createBrandRegistration(creds: SubaccountCredentials, input: BrandRegistrationInput): Promise<BrandRegistration>;
  fetchBrandRegistration(creds: SubaccountCredentials, brandSid: string): Promise<BrandRegistration>;
  /** The subaccount's brands (persist BN SIDs anyway: Twilio's list has been seen to omit some). */
  listBrandRegistrations(creds: SubaccountCredentials): Promise<BrandRegistration[]>;
  /** Asks Twilio to re-vet a FAILED brand after its bundles were fixed. */
  resubmitBrandRegistration(creds: SubaccountCredentials, brandSid: string): Promise<BrandRegistration>;
  /** Re-sends the sole-proprietor OTP text to the brand's mobile number. */
  sendBrandSmsOtp(creds: SubaccountCredentials, brandSid: string): Promise<void>;

  // Messaging services and campaigns
  createMessagingService(creds: SubaccountCredentials, input: MessagingServiceInput): Promise<MessagingService>;
  fetchMessagingService(creds: SubaccountCredentials, serviceSid: string): Promise<MessagingService>;
  deleteMessagingService(creds: SubaccountCredentials, serviceSid: string): Promise<void>;
  listCampaignUsecases(creds: SubaccountCredentials, serviceSid: string, brandSid: string): Promise<CampaignUsecase[]>;
  createCampaign(creds: SubaccountCredentials, serviceSid: string, input: CampaignInput): Promise<Campaign>;
  fetchCampaign(creds: SubaccountCredentials, serviceSid: string, campaignSid: string): Promise<Campaign>;
  listCampaigns(creds: SubaccountCredentials, serviceSid: string): Promise<Campaign[]>;
  deleteCampaign(creds: SubaccountCredentials, serviceSid: string, campaignSid: string): Promise<void>;

  // Numbers
  searchAvailableNumbers(creds: SubaccountCredentials, search: NumberSearch): Promise<AvailableNumber[]>;
  buyNumber(creds: SubaccountCredentials, input: BuyNumberInput): Promise<IncomingNumber>;
  fetchNumber(creds: SubaccountCredentials, numberSid: string): Promise<IncomingNumber>;
  releaseNumber(creds: SubaccountCredentials, numberSid: string): Promise<void>;
  attachNumberToService(creds: SubaccountCredentials, serviceSid: string, numberSid: string): Promise<ServiceNumber>;
  detachNumberFromService(creds: SubaccountCredentials, serviceSid: string, numberSid: string): Promise<void>;

  // Event Streams
  createEventSink(creds: SubaccountCredentials, input: EventSinkInput): Promise<EventSink>;
  listEventSinks(creds: SubaccountCredentials): Promise<EventSink[]>;
  createEventSubscription(creds: SubaccountCredentials, input: EventSubscriptionInput): Promise<EventSubscription>;
  listEventSubscriptions(creds: SubaccountCredentials, sinkSid?: string): Promise<EventSubscription[]>;

  // Messages
  sendMessage(creds: SubaccountCredentials, input: SendMessageInput): Promise<Message>;
  fetchMessage(creds: SubaccountCredentials, messageSid: string): Promise<Message>;
  /** Cancels a scheduled message (`Status=canceled`); Twilio refuses it once the message went out. */
  cancelMessage(creds: SubaccountCredentials, messageSid: string): Promise<Message>;

  // WhatsApp senders
  createWhatsAppSender(creds: SubaccountCredentials, input: WhatsAppSenderInput): Promise<WhatsAppSender>;
  fetchWhatsAppSender(creds: SubaccountCredentials, senderSid: string): Promise<WhatsAppSender>;
  updateWhatsAppSender(creds: SubaccountCredentials, senderSid: string, update: WhatsAppSenderUpdate): Promise<WhatsAppSender>;
  deleteWhatsAppSender(creds: SubaccountCredentials, senderSid: string): Promise<void>;
  /** The subaccount's WhatsApp senders (`Channel=whatsapp`). */
  listWhatsAppSenders(creds: SubaccountCredentials): Promise<WhatsAppSender[]>;
  /** Adds a sender to a messaging service, so one send API serves SMS and WhatsApp. */
  attachWhatsAppSenderToService(creds: SubaccountCredentials, serviceSid: string, senderSid: string): Promise<ServiceChannelSender>;
  detachWhatsAppSenderFromService(creds: SubaccountCredentials, serviceSid: string, senderSid: string): Promise<void>;

  // Usage records (master credentials on the subaccount's path: the route needs no token)
  /** Every usage record of the subaccount over the period, one per category, every page. */
  listUsageRecords(subaccountSid: string, period: UsagePeriod): Promise<UsageRecord[]>;

  // Content templates
  createContentTemplate(creds: SubaccountCredentials, input: ContentTemplateInput): Promise<ContentTemplate>;
  requestWhatsAppApproval(creds: SubaccountCredentials, contentSid: string, request: { name: string; category: WhatsAppTemplateCategory }): Promise<ContentApproval>;
  fetchContentApproval(creds: SubaccountCredentials, contentSid: string): Promise<ContentApproval>;
  /** The subaccount's Content resources (every page): how a create that crashed before storing its SID finds what it made. */
  listContentTemplates(creds: SubaccountCredentials): Promise<ContentTemplate[]>;
  /** Deletes the Content resource (and with it the WhatsApp template); an unknown SID is a not-found error. */
  deleteContentTemplate(creds: SubaccountCredentials, contentSid: string): Promise<void>;
}
