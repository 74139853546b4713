/**
 * Everything the sandbox knows, in memory. Records keep the fields Twilio shows plus the owning
 * account and the timestamps the renderers need; each resource module owns its record's rendering.
 */
export type AccountStatus = 'active' | 'suspended' | 'closed';

export interface AccountRecord {
  sid: string;
  /** The primary: what webhooks are signed with (after propagation) and what the API accepts. */
  authToken: string;
  /** Accepted by the API next to the primary until promoted or deleted; never signs a webhook. */
  secondaryAuthToken?: string;
  secondaryCreatedAt?: number;
  /** The primary a promote replaced: Twilio keeps signing with it while the promote propagates (API refuses it at once). */
  previousSigningToken?: string;
  previousSigningUntil?: number;
  friendlyName: string;
  ownerAccountSid: string;
  parentSid?: string;
  status: AccountStatus;
  /** Set when Twilio (the control API) suspended the account: only support may lift it (21478). */
  suspendedByTwilio: boolean;
  type: 'Trial' | 'Full';
  createdAt: number;
  updatedAt: number;
}

export interface KeyRecord {
  sid: string;
  accountSid: string;
  friendlyName: string;
  secret: string;
  createdAt: number;
  updatedAt: number;
}

export interface AddressRecord {
  sid: string;
  accountSid: string;
  customerName: string;
  friendlyName: string;
  street: string;
  streetSecondary: string | null;
  city: string;
  region: string;
  postalCode: string;
  isoCountry: string;
  emergencyEnabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Capabilities {
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
}

export interface PhoneNumberRecord {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  isoCountry: string;
  friendlyName: string;
  capabilities: Capabilities;
  config: Record<string, string | null>;
  addressSid: string | null;
  bundleSid: string | null;
  messagingServiceSid: string | null;
  /** Carrier registration of a 10DLC number once its service's campaign is VERIFIED. */
  a2pRegistration: 'none' | 'pending' | 'registered' | 'failed';
  createdAt: number;
  updatedAt: number;
}

export type MessageStatus =
  | 'queued' | 'sending' | 'sent' | 'failed' | 'delivered' | 'undelivered' | 'receiving' | 'received'
  | 'accepted' | 'scheduled' | 'read' | 'partially_delivered' | 'canceled';

export interface MessageRecord {
  sid: string;
  accountSid: string;
  direction: 'inbound' | 'outbound-api';
  from: string | null;
  to: string;
  body: string;
  mediaUrls: string[];
  messagingServiceSid: string | null;
  status: MessageStatus;
  statusCallback: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
  /** A scheduled message's send time (epoch ms), kept so that a restarted sandbox still sends it then. */
  sendAt: number | null;
  /** The template it was sent with, if any: a scheduled message is judged when it goes out, and a template needs no open WhatsApp conversation. */
  contentSid: string | null;
  pendingTaskIds: number[];
}

export type BundleKind = 'customer-profile' | 'trust-product';
export type BundleStatus = 'draft' | 'pending-review' | 'in-review' | 'twilio-rejected' | 'twilio-approved';

export interface BundleRecord {
  sid: string;
  kind: BundleKind;
  accountSid: string;
  policySid: string;
  friendlyName: string;
  email: string;
  statusCallback: string | null;
  status: BundleStatus;
  errors: Array<Record<string, unknown>>;
  validUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface TrustItemRecord {
  sid: string;
  kind: 'end-user' | 'supporting-document';
  accountSid: string;
  friendlyName: string;
  type: string;
  attributes: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface EntityAssignmentRecord {
  sid: string;
  bundleSid: string;
  accountSid: string;
  objectSid: string;
  createdAt: number;
}

export interface EvaluationRecord {
  sid: string;
  bundleSid: string;
  accountSid: string;
  policySid: string;
  status: 'compliant' | 'noncompliant';
  results: Array<Record<string, unknown>>;
  createdAt: number;
}

export interface MessagingServiceRecord {
  sid: string;
  accountSid: string;
  friendlyName: string;
  settings: Record<string, string | boolean | number | null>;
  createdAt: number;
  updatedAt: number;
}

export type BrandStatus = 'PENDING' | 'IN_REVIEW' | 'APPROVED' | 'FAILED' | 'SUSPENDED' | 'DELETION_PENDING' | 'DELETION_FAILED';
export type IdentityStatus = 'SELF_DECLARED' | 'UNVERIFIED' | 'VERIFIED' | 'VETTED_VERIFIED';

export interface RegistrationError {
  code: number;
  description: string;
  fields: string[];
}

export interface BrandRecord {
  sid: string;
  accountSid: string;
  customerProfileBundleSid: string;
  a2pProfileBundleSid: string;
  brandType: string;
  mock: boolean;
  skipAutomaticSecVet: boolean;
  status: BrandStatus;
  identityStatus: IdentityStatus;
  tcrId: string | null;
  brandScore: number | null;
  errors: RegistrationError[];
  failureReason: string | null;
  /** Sole proprietor brands: when the current OTP expires (epoch ms), while unconfirmed. */
  otpExpiresAt: number | null;
  otpTaskId: number | null;
  resubmissions: number;
  createdAt: number;
  updatedAt: number;
}

export type CampaignStatus = 'IN_PROGRESS' | 'VERIFIED' | 'FAILED';

export interface CampaignRecord {
  sid: string;
  accountSid: string;
  messagingServiceSid: string;
  brandRegistrationSid: string;
  fields: Record<string, unknown>;
  status: CampaignStatus;
  campaignId: string | null;
  /** The CM… id Event Streams reports, distinct from the QE… resource sid. */
  eventCampaignSid: string;
  errors: RegistrationError[];
  mock: boolean;
  createdAt: number;
  updatedAt: number;
}

export type SenderStatus =
  | 'CREATING' | 'ONLINE' | 'OFFLINE' | 'PENDING_VERIFICATION' | 'VERIFYING' | 'ONLINE:UPDATING' | 'TWILIO_REVIEW' | 'DRAFT' | 'STUBBED';

export interface SenderRecord {
  sid: string;
  accountSid: string;
  senderId: string;
  status: SenderStatus;
  configuration: Record<string, unknown>;
  webhook: Record<string, unknown>;
  profile: Record<string, unknown>;
  offlineReasons: Array<{ code: string; message: string; more_info: string }>;
  /** The one-time code Meta sent the number (by SMS or voice) while the sender is PENDING_VERIFICATION. */
  verificationCode?: string | null;
  /** The messaging service the sender is attached to (`/v1/Services/{MG}/ChannelSenders`), if any. */
  messagingServiceSid?: string | null;
  createdAt: number;
  updatedAt: number;
}

export type TemplateApprovalStatus = 'unsubmitted' | 'received' | 'pending' | 'approved' | 'rejected' | 'paused' | 'disabled';

/** What happens to an approved template next, decided with the review: Meta pausing it for low quality, then disabling it. */
export type TemplateAftermath = 'pause' | 'disable';

export interface ContentRecord {
  sid: string;
  accountSid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, unknown>;
  types: Record<string, unknown>;
  approval: {
    name: string;
    category: string;
    status: TemplateApprovalStatus;
    rejectionReason: string;
    allowCategoryChange: boolean;
    /** The category Meta moves it to on approval (a re-categorisation), decided at submission. */
    recategorizeTo?: string;
    /** Pause (and disable) after approval, a review delay apart. */
    aftermath?: TemplateAftermath;
  } | null;
  createdAt: number;
  updatedAt: number;
}

export interface SinkRecord {
  sid: string;
  accountSid: string;
  description: string;
  sinkType: string;
  sinkConfiguration: Record<string, unknown>;
  status: 'initialized' | 'validating' | 'active' | 'failed';
  createdAt: number;
  updatedAt: number;
}

export interface SubscriptionRecord {
  sid: string;
  accountSid: string;
  sinkSid: string;
  description: string;
  types: Array<{ type: string; schema_version: number }>;
  createdAt: number;
  updatedAt: number;
}

export interface OptOutRecord {
  accountSid: string;
  /** The handset that texted the keyword. */
  handset: string;
  optedOut: boolean;
  updatedAt: number;
}

export class SandboxState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly keys = new Map<string, KeyRecord>();
  readonly addresses = new Map<string, AddressRecord>();
  readonly phoneNumbers = new Map<string, PhoneNumberRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly bundles = new Map<string, BundleRecord>();
  readonly trustItems = new Map<string, TrustItemRecord>();
  readonly entityAssignments = new Map<string, EntityAssignmentRecord>();
  readonly evaluations = new Map<string, EvaluationRecord>();
  readonly services = new Map<string, MessagingServiceRecord>();
  readonly brands = new Map<string, BrandRecord>();
  readonly campaigns = new Map<string, CampaignRecord>();
  readonly senders = new Map<string, SenderRecord>();
  readonly contents = new Map<string, ContentRecord>();
  readonly sinks = new Map<string, SinkRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  /** Keyed by `${accountSid}|${handset}`: Twilio keeps opt-outs per account. */
  readonly optOuts = new Map<string, OptOutRecord>();
  /** Keyed by `${accountSid}|${sender}|${handset}`: last inbound WhatsApp message, for the 24-hour window. */
  readonly lastInbound = new Map<string, number>();

  clear(): void {
    for (const value of Object.values(this)) {
      if (value instanceof Map) value.clear();
    }
  }

  /** Every map as `[key, record]` entries, by field name: plain JSON (records hold no functions). */
  snapshot(): Record<string, Array<[string, unknown]>> {
    const out: Record<string, Array<[string, unknown]>> = {};
    for (const [name, value] of Object.entries(this)) if (value instanceof Map) out[name] = [...value.entries()];
    return out;
  }

  /** Replaces everything with a {@link snapshot}; maps the snapshot does not name stay empty. */
  restore(snapshot: Readonly<Record<string, ReadonlyArray<readonly [string, unknown]>>>): void {
    this.clear();
    for (const [name, entries] of Object.entries(snapshot)) {
      const map: unknown = (this as unknown as Record<string, unknown>)[name];
      if (map instanceof Map) for (const [key, record] of entries) map.set(key, record);
    }
  }

  /** The WhatsApp senders attached to a messaging service (what a send through the service may use). */
  sendersOfService(serviceSid: string): SenderRecord[] {
    return [...this.senders.values()].filter((s) => s.messagingServiceSid === serviceSid);
  }

  numberByE164(phoneNumber: string): PhoneNumberRecord | undefined {
    for (const n of this.phoneNumbers.values()) if (n.phoneNumber === phoneNumber) return n;
    return undefined;
  }

  ownedBy<T extends { accountSid: string }>(map: Map<string, T>, accountSid: string): T[] {
    return [...map.values()].filter((r) => r.accountSid === accountSid);
  }
}
