import { TwilioError, invalidParameter } from '../core/errors';
import type { SandboxContext } from '../core/context';
import type { MessageRecord } from '../core/state';
import { keywordOf, recordKeyword } from './opt-outs';
import { segmentsOf } from './api-messages';

export interface InboundMessage {
  from: string;
  to: string;
  body: string;
  mediaUrls?: string[];
  /** WhatsApp display name of the handset's owner. */
  profileName?: string;
}

export interface InboundResult {
  messageSid: string;
  accountSid: string;
  url: string | null;
}

/**
 * A handset texts one of the sandbox's numbers (or a WhatsApp sender). Twilio records the inbound
 * message, applies default keyword handling, and POSTs to the service's InboundRequestUrl — or the
 * number's SmsUrl when the number has no service or the service defers to the number.
 */
export async function simulateInbound(ctx: SandboxContext, input: InboundMessage): Promise<InboundResult> {
  if (!input.from || !input.to) throw invalidParameter('from/to', 'both are required');
  const whatsapp = input.to.startsWith('whatsapp:');
  const target = whatsapp ? routeToSender(ctx, input.to) : routeToNumber(ctx, input.to);
  const now = ctx.clock.now();
  const mediaUrls = input.mediaUrls ?? [];
  const message: MessageRecord = {
    sid: ctx.sids.next(mediaUrls.length ? 'MM' : 'SM'), accountSid: target.accountSid, direction: 'inbound', from: input.from, to: input.to,
    body: input.body, mediaUrls, messagingServiceSid: target.serviceSid, status: 'received', statusCallback: null, errorCode: null, errorMessage: null,
    numSegments: segmentsOf(input.body, mediaUrls.length, input.to, input.from), createdAt: now, updatedAt: now, sentAt: now, sendAt: null, contentSid: null, pendingTaskIds: [],
  };
  ctx.state.messages.set(message.sid, message);
  const handset = input.from.replace(/^whatsapp:/, '');
  if (whatsapp) ctx.state.lastInbound.set(`${target.accountSid}|${input.to}|${input.from}`, now);
  const keyword = whatsapp ? undefined : keywordOf(input.body);
  if (keyword) recordKeyword(ctx, target.accountSid, handset, keyword);

  const params: Record<string, string> = {
    ToCountry: 'US', ToState: '', SmsMessageSid: message.sid, NumMedia: String(mediaUrls.length), ToCity: '', FromZip: '', SmsSid: message.sid,
    FromState: '', SmsStatus: 'received', FromCity: '', Body: input.body, FromCountry: 'US', To: input.to, ToZip: '',
    NumSegments: String(message.numSegments), MessageSid: message.sid, AccountSid: target.accountSid, From: input.from, ApiVersion: '2010-04-01',
  };
  if (target.serviceSid) params.MessagingServiceSid = target.serviceSid;
  if (keyword) params.OptOutType = keyword;
  mediaUrls.forEach((url, i) => {
    params[`MediaUrl${i}`] = url;
    params[`MediaContentType${i}`] = 'image/jpeg';
  });
  if (whatsapp) {
    params.ProfileName = input.profileName ?? '';
    params.WaId = handset.replace(/^\+/, '');
  }
  if (target.url) await ctx.webhooks.sendForm('inbound', target.accountSid, target.url, params);
  return { messageSid: message.sid, accountSid: target.accountSid, url: target.url };
}

function routeToNumber(ctx: SandboxContext, to: string): { accountSid: string; serviceSid: string | null; url: string | null } {
  const number = ctx.state.numberByE164(to);
  if (!number) throw new TwilioError(404, 20404, `No phone number ${to} is provisioned in the sandbox`);
  const service = number.messagingServiceSid ? ctx.state.services.get(number.messagingServiceSid) : undefined;
  const numberUrl = number.config.sms_url || null;
  if (service && service.settings.use_inbound_webhook_on_number !== true) {
    const url = service.settings.inbound_request_url;
    return { accountSid: number.accountSid, serviceSid: service.sid, url: typeof url === 'string' && url ? url : null };
  }
  return { accountSid: number.accountSid, serviceSid: service?.sid ?? null, url: numberUrl };
}

function routeToSender(ctx: SandboxContext, to: string): { accountSid: string; serviceSid: string | null; url: string | null } {
  const sender = [...ctx.state.senders.values()].find((s) => s.senderId === to);
  if (!sender) throw new TwilioError(404, 20404, `No WhatsApp sender ${to} exists in the sandbox`);
  const url = sender.webhook.callback_url;
  return { accountSid: sender.accountSid, serviceSid: null, url: typeof url === 'string' && url ? url : null };
}
