import { z } from 'zod';
import { ONBOARDING_STEPS } from '../services/registration/contract';
import { STEP_STATUSES } from './onboarding';
import { NUMBER_STATUSES } from './registration';
import { SUBACCOUNT_STATUSES } from './subaccount';
import { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES } from './template';
import { WHATSAPP_SENDER_STATUSES } from './whatsapp-sender-status';

/**
 * Every partner event type and the shape of its `data`: one schema per type, checked when an
 * event is appended (emitters are type-checked against {@link PartnerEventInput}) and published in
 * the OpenAPI document. Data objects may gain fields later (they are open in the document);
 * fields are never removed or retyped within a type.
 *
 * The `subject` of an event ({@link subjectOf}) is the thing it is about: a message, a contact of
 * a customer, or a customer (its onboarding and registration resources). Readers see the events of
 * one subject in the order they were appended.
 */

const iso = () => z.iso.datetime({ offset: true });
const Channel = z.enum(['sms', 'whatsapp']);

// --- Onboarding and registration -----------------------------------------------------------------

const StepErrorSchema = z.object({
  code: z.union([z.number(), z.string()]).describe("Twilio's error code, or a Switchboard code for checks made before submitting"),
  message: z.string(),
  fields: z.array(z.string()).describe('Customer or onboarding-option fields to fix, e.g. `registration.number`'),
  twilioFields: z.array(z.string()).optional().describe("Twilio's own field names, when they differ"),
});

export const OnboardingStepDataSchema = z
  .looseObject({
    step: z.enum(ONBOARDING_STEPS),
    status: z.enum(STEP_STATUSES),
    waitingFor: z.string().optional().describe('What a waiting step waits for, e.g. `brand-registration:BN…`'),
    errors: z.array(StepErrorSchema).describe('Why a failed step failed (empty otherwise)'),
    sids: z.record(z.string(), z.string()).describe('The Twilio SIDs the step produced'),
    attempt: z.number().int().describe('Onboarding attempt (a resumed onboarding is a new attempt)'),
    startedAt: z.iso.datetime().optional().describe('When the step (this run of it) started'),
    completedAt: z.iso.datetime().optional().describe('When it succeeded or failed'),
  })
  .describe('A step of the onboarding changed status or what it waits for');

export const OnboardingCompletedDataSchema = z
  .looseObject({
    attempt: z.number().int().describe('The attempt that completed'),
    completedAt: z.iso.datetime(),
    sids: z.record(z.string(), z.string()).describe('Every Twilio SID of the onboarding'),
  })
  .describe('The onboarding completed: every step succeeded, and the customer can send');

export const OnboardingFailedDataSchema = z
  .looseObject({
    attempt: z.number().int().describe('The attempt that failed'),
    failedStep: z.enum(ONBOARDING_STEPS),
    failedAt: z.iso.datetime(),
    errors: z.array(StepErrorSchema).describe('Why the step failed, with the fields to fix; then POST …/onboarding resumes from it'),
  })
  .describe('The onboarding stopped at a failed step');

export const NumberUpdatedDataSchema = z
  .looseObject({
    phoneNumber: z.string().describe('E.164'),
    numberSid: z.string().optional().describe('PN…, once bought'),
    status: z.enum(NUMBER_STATUSES),
    sid: z.string().optional().describe('PN… just stored (same as `numberSid`)'),
    messagingServiceSid: z.string().optional().describe('MG…, once attached'),
    failureReason: z.string().optional().describe("Carrier registration failure, as Twilio reports it"),
  })
  .describe("One of the customer's numbers changed status");

export const SubaccountUpdatedDataSchema = z
  .looseObject({
    accountSid: z.string().describe('AC…'),
    status: z.enum(SUBACCOUNT_STATUSES),
  })
  .describe("The customer's Twilio subaccount changed status");

const lifecycle = (status: string, what: string) =>
  z
    .looseObject({
      accountSid: z.string().describe('AC…'),
      status: z.literal(status),
      previousStatus: z.enum(SUBACCOUNT_STATUSES),
      changedAt: z.iso.datetime(),
    })
    .describe(what);

export const SubaccountSuspendedDataSchema = lifecycle('suspended', "The customer's subaccount was suspended: it cannot send until reactivated");
export const SubaccountReactivatedDataSchema = lifecycle('active', "The customer's suspended subaccount was reactivated");
export const SubaccountClosedDataSchema = lifecycle('closed', "The customer's subaccount was closed (for good: it cannot be reopened)");

export const CustomerDeletedDataSchema = z
  .looseObject({
    deletedAt: z.iso.datetime(),
    accountSid: z.string().optional().describe('The closed subaccount it had (AC…), if any'),
  })
  .describe("The customer was erased after its close: its personal data is gone; its contacts' consent ledger is kept as evidence");

// --- WhatsApp --------------------------------------------------------------------------------------

export const WhatsAppSenderUpdatedDataSchema = z
  .looseObject({
    senderId: z.string().describe('Switchboard id of the sender (`was_…`)'),
    phoneNumber: z.string().describe('E.164'),
    sid: z.string().optional().describe("Twilio's sender SID (XE…), once it exists"),
    status: z.enum(WHATSAPP_SENDER_STATUSES),
    previousStatus: z.enum(WHATSAPP_SENDER_STATUSES).optional().describe('Absent for a sender just registered'),
    offlineReasons: z.array(z.object({ code: z.string().nullable(), message: z.string().nullable() })).describe('Why it is OFFLINE (empty otherwise)'),
    qualityRating: z.string().nullable(),
    messagingLimit: z.string().nullable(),
    attached: z.boolean().describe("Whether it is in the customer's messaging service"),
    changedAt: iso(),
  })
  .describe("A WhatsApp sender of the customer changed: its status (e.g. PENDING_VERIFICATION, ONLINE, OFFLINE with reasons), quality, limit or its place in the messaging service");

// --- Messaging -------------------------------------------------------------------------------------

export const MessageCreatedDataSchema = z
  .looseObject({
    messageId: z.string(),
    sid: z.string().nullable().describe('SM…/MM…, null until Twilio accepted it'),
    direction: z.literal('outbound'),
    channel: Channel,
    from: z.string().nullable().describe('Sender; null when the messaging service picks it'),
    to: z.string(),
    status: z.string(),
    segments: z.number().int(),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    sendAt: iso().optional().describe('Scheduled send time'),
  })
  .describe('An outbound message was accepted');

export const MessageStatusUpdatedDataSchema = z
  .looseObject({
    messageId: z.string(),
    sid: z.string(),
    contact: z.string().optional(),
    status: z.string(),
    errorCode: z.number().int().optional().describe("Twilio's error code"),
    errorReason: z.string().optional().describe('The error code explained'),
    occurredAt: iso().describe('When Twilio reported the status'),
  })
  .describe("A message's delivery status moved forward");

export const MessageReceivedDataSchema = z
  .looseObject({
    messageId: z.string(),
    sid: z.string(),
    channel: Channel,
    from: z.string(),
    to: z.string().nullable(),
    body: z.string(),
    numMedia: z.number().int(),
    mediaUrls: z.array(z.string()).optional(),
  })
  .describe('An inbound message arrived');

export const MessageCanceledDataSchema = z
  .looseObject({
    messageId: z.string(),
    sid: z.string().nullable(),
  })
  .describe('A scheduled message was canceled');

export const ContactConsentDataSchema = z
  .looseObject({
    contact: z.string(),
    channel: Channel,
    source: z.enum(['keyword', 'twilio-error', 'partner']),
    at: iso(),
    keyword: z.string().optional(),
    messageId: z.string().optional(),
    errorCode: z.number().int().optional().describe('The Twilio error that opted the contact out'),
  })
  .describe("A contact's consent changed: opted out (STOP, a carrier opt-out error, the partner) or back in");

// --- WhatsApp templates ---------------------------------------------------------------------------

export const TemplateUpdatedDataSchema = z
  .looseObject({
    templateId: z.string().describe('tpl_…'),
    contentSid: z.string().nullable().describe('HX…, once the Content resource exists'),
    name: z.string(),
    language: z.string(),
    status: z.enum(TEMPLATE_STATUSES),
    previousStatus: z.enum(TEMPLATE_STATUSES).nullable(),
    category: z.enum(TEMPLATE_CATEGORIES).describe('The category it is billed as now'),
    requestedCategory: z.enum(TEMPLATE_CATEGORIES),
    categoryChanged: z.boolean().describe('Meta re-categorised it'),
    rejectionReason: z.string().nullable(),
    previousVersionId: z.string().nullable().describe('The rejected template this one resubmits'),
  })
  .describe("A WhatsApp template's approval status or category changed (submitted, approved, rejected, re-categorised, paused, disabled)");

// --- Partner webhooks ------------------------------------------------------------------------------

export const WebhookEndpointDisabledDataSchema = z
  .looseObject({
    endpointId: z.string(),
    url: z.string(),
    reason: z.enum(['gone', 'failing']).describe('`gone`: the endpoint answered 410 Gone; `failing`: every attempt failed for 5 days'),
    failingSince: iso().optional().describe('First failed attempt of the run of failures that disabled it'),
    lastError: z.string().optional().describe('What the last attempt got, e.g. `HTTP 503` or `timeout after 10 s`'),
  })
  .describe('A webhook endpoint was disabled: nothing more is sent to it until it is enabled again (PATCH enabled: true)');

// --- The catalogue ---------------------------------------------------------------------------------

/** Event type → schema of its `data`. */
export const EVENT_DATA_SCHEMAS = {
  'onboarding.step.updated': OnboardingStepDataSchema,
  'onboarding.completed': OnboardingCompletedDataSchema,
  'onboarding.failed': OnboardingFailedDataSchema,
  'brand.updated': OnboardingStepDataSchema.describe("The brand step's state (as in onboarding.step.updated)"),
  'campaign.updated': OnboardingStepDataSchema.describe("The campaign step's state (as in onboarding.step.updated)"),
  'number.updated': NumberUpdatedDataSchema,
  'subaccount.updated': SubaccountUpdatedDataSchema,
  'subaccount.suspended': SubaccountSuspendedDataSchema,
  'subaccount.reactivated': SubaccountReactivatedDataSchema,
  'subaccount.closed': SubaccountClosedDataSchema,
  'customer.deleted': CustomerDeletedDataSchema,
  'whatsapp_sender.updated': WhatsAppSenderUpdatedDataSchema,
  'message.created': MessageCreatedDataSchema,
  'message.status.updated': MessageStatusUpdatedDataSchema,
  'message.received': MessageReceivedDataSchema,
  'message.canceled': MessageCanceledDataSchema,
  'contact.opted_out': ContactConsentDataSchema,
  'contact.opted_in': ContactConsentDataSchema,
  'template.updated': TemplateUpdatedDataSchema,
  'webhook_endpoint.disabled': WebhookEndpointDisabledDataSchema,
} as const;

export type PartnerEventType = keyof typeof EVENT_DATA_SCHEMAS;
export const PARTNER_EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as PartnerEventType[];

const customerId = () => z.string().optional().describe('The customer the event is about, when there is one');

type InputOf<T extends PartnerEventType> = z.ZodObject<{
  type: z.ZodLiteral<T>;
  customerId: z.ZodOptional<z.ZodString>;
  data: (typeof EVENT_DATA_SCHEMAS)[T];
}>;

function inputSchema<T extends PartnerEventType>(type: T): InputOf<T> {
  return z.object({ type: z.literal(type), customerId: customerId(), data: EVENT_DATA_SCHEMAS[type] }) as InputOf<T>;
}

const INPUTS = {
  'onboarding.step.updated': inputSchema('onboarding.step.updated'),
  'onboarding.completed': inputSchema('onboarding.completed'),
  'onboarding.failed': inputSchema('onboarding.failed'),
  'brand.updated': inputSchema('brand.updated'),
  'campaign.updated': inputSchema('campaign.updated'),
  'number.updated': inputSchema('number.updated'),
  'subaccount.updated': inputSchema('subaccount.updated'),
  'subaccount.suspended': inputSchema('subaccount.suspended'),
  'subaccount.reactivated': inputSchema('subaccount.reactivated'),
  'subaccount.closed': inputSchema('subaccount.closed'),
  'customer.deleted': inputSchema('customer.deleted'),
  'whatsapp_sender.updated': inputSchema('whatsapp_sender.updated'),
  'message.created': inputSchema('message.created'),
  'message.status.updated': inputSchema('message.status.updated'),
  'message.received': inputSchema('message.received'),
  'message.canceled': inputSchema('message.canceled'),
  'contact.opted_out': inputSchema('contact.opted_out'),
  'contact.opted_in': inputSchema('contact.opted_in'),
  'template.updated': inputSchema('template.updated'),
  'webhook_endpoint.disabled': inputSchema('webhook_endpoint.disabled'),
} satisfies { [T in PartnerEventType]: InputOf<T> };

/** What an emitter appends: checked against its type's schema before it is written. */
export const PartnerEventInputSchema = z.discriminatedUnion('type', Object.values(INPUTS) as unknown as [InputOf<'onboarding.step.updated'>, ...InputOf<PartnerEventType>[]]);

/** A typed event to append: `data` must match the schema of `type`. */
export type PartnerEventInput = { [T in PartnerEventType]: { type: T; customerId?: string; data: z.infer<(typeof EVENT_DATA_SCHEMAS)[T]> } }[PartnerEventType];

/** `message.created` → `MessageCreatedEvent`: the OpenAPI component names. */
const componentName = (type: string) => `${type.split(/[._]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}Event`;

const envelope = <T extends PartnerEventType>(type: T) =>
  z
    .object({
      id: z.string().describe('Unique within the partner; stable across reads (use it to deduplicate)'),
      type: z.literal(type),
      occurredAt: z.iso.datetime(),
      customerId: customerId(),
      data: EVENT_DATA_SCHEMAS[type],
    })
    .describe(EVENT_DATA_SCHEMAS[type].description ?? type);

const EVENT_SCHEMAS = Object.fromEntries(PARTNER_EVENT_TYPES.map((type) => [type, envelope(type)])) as { [T in PartnerEventType]: ReturnType<typeof envelope<T>> };

/** An event as `GET /v1/events` returns it: one variant per type, told apart by `type`. */
export const PartnerEventSchema = z
  .discriminatedUnion('type', Object.values(EVENT_SCHEMAS) as unknown as [ReturnType<typeof envelope<'onboarding.step.updated'>>, ...ReturnType<typeof envelope<PartnerEventType>>[]])
  .describe('A partner event; `data` depends on `type`');

/** Named schemas for the OpenAPI components: `PartnerEvent` and one `<Type>Event` per type. */
export const PARTNER_EVENT_COMPONENTS: Record<string, z.ZodType> = {
  PartnerEvent: PartnerEventSchema,
  ...Object.fromEntries(PARTNER_EVENT_TYPES.map((type) => [componentName(type), EVENT_SCHEMAS[type]])),
};

/**
 * What the event is about, for ordering: events with the same subject keep their append order
 * for every reader. Messages by message id, consent by
 * (customer, contact), a webhook endpoint by its id, everything about onboarding and registration by customer.
 */
export function subjectOf(event: PartnerEventInput): string {
  switch (event.type) {
    case 'message.created':
    case 'message.status.updated':
    case 'message.received':
    case 'message.canceled': {
      return `message:${event.data.messageId}`;
    }
    case 'contact.opted_out':
    case 'contact.opted_in':
      return `contact:${event.customerId ?? ''}:${event.data.contact}`;
    case 'webhook_endpoint.disabled':
      return `webhook_endpoint:${event.data.endpointId}`;
    default:
      return `customer:${event.customerId ?? ''}`;
  }
}
