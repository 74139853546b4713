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

/** A WhatsApp address as Twilio writes it: `whatsapp:` before the E.164 number. */
export const WHATSAPP_PREFIX = 'whatsapp:';
export const bareAddress = (address: string) => (address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address);
/** E.164, or E.164 behind `whatsapp:` (which makes the message a WhatsApp one). */
const Address = (what: string) =>
  z
    .string()
    .refine((v) => {
      const bare = bareAddress(v);
      return bare.startsWith('+') && isValidPhoneNumber(bare);
    }, 'must be a valid phone number in E.164 form, e.g. +14155550123, or whatsapp:+14155550123')
    .describe(what);

/** Meta's cap on a template variable's value; Twilio refuses longer ones. */
export const MAX_TEMPLATE_VARIABLE_CHARACTERS = 1024;
/** How long a contact's last inbound WhatsApp message keeps free-form sending open (Meta's customer service window). */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export const MessageCreateSchema = z
  .strictObject({
    to: Address('The recipient, E.164; `whatsapp:+E164` sends on WhatsApp'),
    channel: z.enum(CHANNELS).optional().describe("'sms' (SMS and MMS, the default) or 'whatsapp' (also implied by a whatsapp: address)"),
    from: Address("One of the customer's numbers (for WhatsApp: its sender's number); omitted = the messaging service picks").optional(),
    body: z.string().min(1).max(MAX_BODY_CHARACTERS).optional().describe(`Text, at most ${MAX_BODY_CHARACTERS} characters. On WhatsApp only inside the 24-hour window the contact's last message opened`),
    mediaUrls: z
      .array(z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2048))
      .min(1)
      .max(10)
      .optional()
      .describe('Up to 10 https media URLs (MMS; on WhatsApp one, inside the 24-hour window)'),
    templateId: z.string().regex(/^tpl_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a template id (tpl_…) of this customer').optional().describe('WhatsApp: an approved template of the customer (POST …/templates); the only way to write outside the 24-hour window'),
    contentSid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, 'must be a Content SID (HX…)').optional().describe('WhatsApp: the Twilio Content SID of an approved template, instead of templateId'),
    contentVariables: z
      .record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'variable names are 1, 2, … (or letters, digits and _)'), z.string().trim().min(1, 'must not be empty').max(MAX_TEMPLATE_VARIABLE_CHARACTERS))
      .optional()
      .describe("The template's variables, e.g. {\"1\": \"Ada\", \"2\": \"Tuesday\"}: every one the template has, none it lacks"),
    sendAt: z.iso.datetime({ offset: true }).optional().describe('Schedule the send: 15 minutes to 35 days ahead'),
    maxSegments: z.number().int().min(1).max(10).optional().describe('SMS: refuse the message (422) if its body would take more segments than this'),
    validityPeriodSeconds: z.number().int().min(1).max(36000).optional().describe('How long Twilio may keep trying to send it (default 36000)'),
  })
  .superRefine((m, ctx) => {
    const whatsAppAddress = m.to.startsWith(WHATSAPP_PREFIX) || m.from?.startsWith(WHATSAPP_PREFIX);
    if (whatsAppAddress && m.channel === 'sms') ctx.addIssue({ code: 'custom', path: ['channel'], message: 'a whatsapp: address sends on WhatsApp; leave channel out or make it whatsapp' });
    const whatsapp = whatsAppAddress || m.channel === 'whatsapp';
    const template = m.templateId !== undefined || m.contentSid !== undefined;
    if (m.templateId !== undefined && m.contentSid !== undefined) ctx.addIssue({ code: 'custom', path: ['contentSid'], message: 'give templateId or contentSid, not both' });
    if (template && !whatsapp) ctx.addIssue({ code: 'custom', path: [m.templateId !== undefined ? 'templateId' : 'contentSid'], message: 'templates are sent on WhatsApp: set channel to whatsapp' });
    if (template && (m.body !== undefined || m.mediaUrls !== undefined)) ctx.addIssue({ code: 'custom', path: [m.body !== undefined ? 'body' : 'mediaUrls'], message: 'a template message carries its own content: give the template or a body/mediaUrls, not both' });
    if (!template && m.contentVariables !== undefined) ctx.addIssue({ code: 'custom', path: ['contentVariables'], message: 'contentVariables go with a templateId or contentSid' });
    if (!template && m.body === undefined && m.mediaUrls === undefined) ctx.addIssue({ code: 'custom', path: ['body'], message: whatsapp ? 'give a body, mediaUrls or a template' : 'give a body, mediaUrls or both' });
    if (whatsapp && m.maxSegments !== undefined) ctx.addIssue({ code: 'custom', path: ['maxSegments'], message: 'segments are an SMS measure; WhatsApp messages are not split' });
    if (whatsapp && m.mediaUrls !== undefined && m.mediaUrls.length > 1) ctx.addIssue({ code: 'custom', path: ['mediaUrls'], message: 'a WhatsApp message carries one media file' });
  })
  // One shape for the rest of the code: bare E.164 addresses and the channel decided.
  .transform(({ channel, ...m }) => ({
    ...m,
    channel: (m.to.startsWith(WHATSAPP_PREFIX) || m.from?.startsWith(WHATSAPP_PREFIX) ? 'whatsapp' : (channel ?? 'sms')) as Channel,
    to: bareAddress(m.to),
    ...(m.from !== undefined ? { from: bareAddress(m.from) } : {}),
  }));
export type MessageCreate = z.output<typeof MessageCreateSchema>;

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
    templateId: z.string().optional().describe('The template sent (WhatsApp)'),
    contentSid: z.string().optional().describe('The Content SID sent (WhatsApp template)'),
    contentVariables: z.record(z.string(), z.string()).optional(),
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
