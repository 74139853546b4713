import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { z } from 'zod';
import { pageOf } from './page';
import { WHATSAPP_SENDER_STATUSES, type WhatsAppSenderStatus } from './whatsapp-sender-status';

export * from './whatsapp-sender-status';

/**
 * A customer's WhatsApp sender: one of its phone numbers registered with WhatsApp Business under
 * the customer's own WABA (from Meta's Embedded Signup), through Twilio's Senders API in the
 * customer's subaccount, and attached to the customer's messaging service once ONLINE.
 */

/** The verticals Meta offers (Twilio's Senders API lists them). */
export const WHATSAPP_VERTICALS = [
  'Automotive',
  'Beauty, Spa and Salon',
  'Clothing and Apparel',
  'Education',
  'Entertainment',
  'Event Planning and Service',
  'Finance and Banking',
  'Food and Grocery',
  'Public Service',
  'Hotel and Lodging',
  'Medical and Health',
  'Non-profit',
  'Professional Services',
  'Shopping and Retail',
  'Travel and Transportation',
  'Restaurant',
  'Other',
] as const;

const E164 = z
  .string()
  .refine((v) => /^\+[1-9]\d{6,14}$/.test(v) && isValidPhoneNumber(v), 'must be a valid phone number in E.164 form, e.g. +14155550123');
const httpsUrl = z.url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be an https URL' }).max(2048);

const profileFields = {
  name: z.string().trim().min(1).max(128).describe("The display name Meta reviews against its display name guidelines (it should match the business's brand); a rejected name limits the number to 250 business-initiated conversations a day"),
  about: z.string().min(1).max(139).optional().describe('The profile\'s "about" text, at most 139 characters'),
  address: z.string().min(1).max(256).optional(),
  description: z.string().min(1).max(512).optional(),
  logoUrl: httpsUrl.optional().describe('Public https URL of the profile picture'),
  vertical: z.enum(WHATSAPP_VERTICALS).optional(),
  websites: z.array(httpsUrl).min(1).max(2).optional().describe('Up to two https websites'),
  emails: z.array(z.email()).min(1).max(2).optional(),
};

export const WhatsAppProfileSchema = z.strictObject(profileFields).describe('The WhatsApp Business profile');
export type WhatsAppSenderProfile = z.infer<typeof WhatsAppProfileSchema>;

export const WhatsAppSenderCreateSchema = z
  .strictObject({
    phoneNumber: E164.describe("The number to put on WhatsApp: one of the customer's Twilio numbers, or a number of its own that can receive an SMS or a voice call (Meta sends the verification code there). It must not be on WhatsApp already"),
    wabaId: z
      .string()
      .regex(/^\d{5,20}$/, 'must be the numeric WhatsApp Business Account id')
      .describe("The `waba_id` the partner's front end received from Meta's Embedded Signup session: the customer's own WhatsApp Business Account"),
    verificationMethod: z.enum(['sms', 'voice']).default('sms').describe('How Meta sends the verification code to a number that is not a Twilio number of the customer'),
    profile: WhatsAppProfileSchema,
  })
  .describe('A WhatsApp sender to register');
export type WhatsAppSenderCreate = z.infer<typeof WhatsAppSenderCreateSchema>;

export const WhatsAppVerificationSchema = z
  .strictObject({ code: z.string().regex(/^\d{4,10}$/, 'must be the digits Meta sent the number').describe('The code Meta sent the number by SMS or voice call') })
  .describe('The verification code of a PENDING_VERIFICATION sender');

export const WhatsAppSenderPatchSchema = z
  .strictObject({
    profile: z.strictObject({ ...profileFields, name: profileFields.name.optional() }).optional().describe('Profile fields to change (the others are kept); an ONLINE sender goes ONLINE:UPDATING until Meta has them'),
    webhook: z
      .strictObject({ fallbackUrl: httpsUrl.optional().describe("Where Twilio posts inbound messages when Switchboard's receiver does not answer") })
      .optional()
      .describe("Points the sender's webhooks at Switchboard's receivers again (inbound, status), with an optional fallback URL"),
  })
  .refine((p) => p.profile !== undefined || p.webhook !== undefined, { message: 'give profile or webhook', path: [] })
  .describe('Changes to a sender');
export type WhatsAppSenderPatch = z.infer<typeof WhatsAppSenderPatchSchema>;

const OfflineReasonSchema = z.object({
  code: z.string().nullable().describe("Twilio's error code, e.g. 63020 (the business has not accepted the WABA invitation)"),
  message: z.string().nullable(),
});

export const WhatsAppSenderSchema = z
  .object({
    id: z.string().describe('Switchboard id (`was_…`)'),
    phoneNumber: z.string().describe('E.164'),
    senderId: z.string().describe('`whatsapp:+E164`, as messages address it'),
    sid: z.string().nullable().describe("Twilio's sender SID (XE…), null until Twilio accepted the registration"),
    status: z.enum(WHATSAPP_SENDER_STATUSES),
    wabaId: z.string(),
    verificationMethod: z.enum(['sms', 'voice']),
    profile: WhatsAppProfileSchema,
    offlineReasons: z.array(OfflineReasonSchema).describe('Why the sender is OFFLINE (empty otherwise)'),
    qualityRating: z.string().nullable().describe("Meta's quality rating (HIGH, MEDIUM, LOW) once ONLINE"),
    messagingLimit: z.string().nullable().describe('Business-initiated conversations allowed a day, e.g. `1K Customers/24hr`'),
    messagingServiceSid: z.string().describe('The customer messaging service the sender joins once ONLINE'),
    attached: z.boolean().describe('Whether the sender is in the messaging service (sends through the service can use it)'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe('A WhatsApp sender');
export type WhatsAppSenderView = z.infer<typeof WhatsAppSenderSchema>;

export const WhatsAppSenderListSchema = pageOf(WhatsAppSenderSchema, 'Oldest first');

/** What the table keeps of a sender. */
export interface WhatsAppSenderRecord {
  partnerId: string;
  customerId: string;
  id: string;
  phoneNumber: string;
  sid?: string;
  status: WhatsAppSenderStatus;
  wabaId: string;
  verificationMethod: 'sms' | 'voice';
  profile: WhatsAppSenderProfile;
  offlineReasons: Array<{ code: string | null; message: string | null }>;
  qualityRating?: string;
  messagingLimit?: string;
  messagingServiceSid: string;
  attached: boolean;
  /** Optimistic concurrency: every change names the version it read. */
  version: number;
  /** Set while a request is creating the sender at Twilio: one creator at a time. */
  creatingSince?: string;
  createdAt: string;
  updatedAt: string;
}

export const senderIdOf = (phoneNumber: string) => `whatsapp:${phoneNumber}`;

export function whatsAppSenderView(r: WhatsAppSenderRecord): WhatsAppSenderView {
  return {
    id: r.id,
    phoneNumber: r.phoneNumber,
    senderId: senderIdOf(r.phoneNumber),
    sid: r.sid ?? null,
    status: r.status,
    wabaId: r.wabaId,
    verificationMethod: r.verificationMethod,
    profile: r.profile,
    offlineReasons: r.offlineReasons,
    qualityRating: r.qualityRating ?? null,
    messagingLimit: r.messagingLimit ?? null,
    messagingServiceSid: r.messagingServiceSid,
    attached: r.attached,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
