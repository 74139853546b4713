import { z } from 'zod';
import { pageOf, pageQuery } from './page';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { MESSAGE_STATUSES } from '../messaging/status';

/**
 * Messages of a customer: sent through the API (outbound) or received from a handset (inbound).
 * Sending goes through the customer's subaccount and messaging service; every message keeps the
 * status timeline Twilio reported and its price once Twilio knows it.
 */
export const CHANNELS = ['sms', 'whatsapp'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Direction = 'inbound' | 'outbound';

/** Twilio's limit for one message body (longer bodies are refused with 21617). */
export const MAX_BODY_CHARACTERS = 1600;
/** Twilio's limits for a scheduled send (`SendAt` with `ScheduleType=fixed`). */
export const SEND_AT_MIN_SECONDS = 15 * 60;
export const SEND_AT_MAX_SECONDS = 35 * 24 * 60 * 60;

/** Our own status before Twilio has answered the create; Twilio's statuses follow. */
export const PENDING_STATUS = 'pending';

const E164 = z
  .string()
  .refine((v) => v.startsWith('+') && isValidPhoneNumber(v), 'must be a valid phone number in E.164 form, e.g. +14155550123');

export const MessageCreateSchema = z
  .strictObject({
    to: E164.describe('The recipient, E.164'),
    channel: z.enum(['sms']).default('sms').describe("The channel; 'sms' (SMS and MMS). WhatsApp sends use approved templates and come with the WhatsApp API"),
    from: E164.optional().describe("One of the customer's numbers; omitted = the messaging service picks from the customer's pool"),
    body: z.string().min(1).max(MAX_BODY_CHARACTERS).optional().describe(`Text, at most ${MAX_BODY_CHARACTERS} characters`),
    mediaUrls: z
      .array(z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2048))
      .min(1)
      .max(10)
      .optional()
      .describe('Up to 10 https media URLs (MMS)'),
    sendAt: z.iso.datetime({ offset: true }).optional().describe('Schedule the send: 15 minutes to 35 days ahead'),
    maxSegments: z.number().int().min(1).max(10).optional().describe('Refuse the message (422) if its body would take more SMS segments than this'),
    validityPeriodSeconds: z.number().int().min(1).max(36000).optional().describe('How long Twilio may keep trying to send it (default 36000)'),
  })
  .refine((m) => m.body !== undefined || m.mediaUrls !== undefined, { message: 'give a body, mediaUrls or both', path: ['body'] });
export type MessageCreate = z.infer<typeof MessageCreateSchema>;

export const MessageListQuerySchema = z.strictObject({
  ...pageQuery(),
  contact: E164.optional().describe('Only messages exchanged with this number'),
  direction: z.enum(['inbound', 'outbound']).optional(),
  status: z.enum([PENDING_STATUS, ...MESSAGE_STATUSES] as [string, ...string[]]).optional(),
  channel: z.enum(CHANNELS).optional(),
  createdAfter: z.iso.datetime({ offset: true }).optional().describe('Only messages created at or after this time'),
  createdBefore: z.iso.datetime({ offset: true }).optional().describe('Only messages created before this time'),
});
export type MessageListQuery = z.infer<typeof MessageListQuerySchema>;

export const MessageSchema = z
  .object({
    id: z.string().describe('msg_… for messages sent through the API; the Twilio SID for messages first seen through a webhook'),
    sid: z.string().nullable().describe('Twilio Message SID (SM…/MM…); null until Twilio has accepted it'),
    direction: z.enum(['inbound', 'outbound']),
    channel: z.enum(CHANNELS),
    contact: z.string().describe('The other party: the recipient of an outbound message, the sender of an inbound one'),
    from: z.string().nullable(),
    to: z.string().nullable(),
    body: z.string().optional(),
    mediaUrls: z.array(z.string()).optional(),
    status: z.string().describe("'pending' until Twilio answers, then Twilio's status (accepted, scheduled, queued, sending, sent, delivered, undelivered, failed, read, canceled, received)"),
    errorCode: z.number().int().optional(),
    errorReason: z.string().optional().describe('What the error code means, in words'),
    segments: z.number().int().optional(),
    encoding: z.enum(['GSM-7', 'UCS-2']).optional(),
    price: z.string().optional().describe('What Twilio charged, once known (negative, as Twilio reports it)'),
    priceUnit: z.string().optional(),
    sendAt: z.string().optional(),
    messagingServiceSid: z.string().optional(),
    timeline: z
      .array(z.object({ status: z.string(), at: z.string() }))
      .describe('Every status the message reached, in order, each with the time Switchboard received it from Twilio (status callbacks carry no time of their own); a status that arrived after a later one is kept here too'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('A message of the customer');
export type MessageView = z.infer<typeof MessageSchema>;

export const MessageListSchema = pageOf(MessageSchema, 'Newest first');
