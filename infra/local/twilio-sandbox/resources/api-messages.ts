import { countSegments } from '../../../../shared/messaging/segments';
import { TwilioError, invalidParameter } from '../core/errors';
import { pageOf, rfc2822, v2010Page } from '../core/format';
import { filtersOf, list, str } from '../core/params';
import { created, noContent, ok, route, type ApiRequest, type Route, type SandboxContext } from '../core/context';
import type { MessageRecord, MessageStatus, PhoneNumberRecord, TemplateApprovalStatus } from '../core/state';
import { API_HOST, accountUri, owned, pathAccount } from './api-scope';
import { isTenDlc } from './number-plan';
import { renderTemplateText } from './content';
import { isOptedOut } from './opt-outs';

const E164 = /^\+[1-9]\d{6,14}$/;
const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;
/** Errors Twilio reports before the carrier hop: the message ends `failed`, not `undelivered`. */
const FAILED_BEFORE_SENDING = new Set([
  21211, 21408, 21606, 21610, 21612, 21614, 30001, 30002, 30022, 30023, 30032, 30034, 30036, 30450, 63003, 63016, 63018, 63024, 63040, 63041, 63042,
]);
/** Twilio's wording for the refusals a `message-request` fail rule can force; others get a generic line. */
const REFUSALS: Record<number, string> = {
  21211: "Invalid 'To' Phone Number",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
  21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination.",
  21610: 'Attempt to send to unsubscribed recipient',
  21612: "The 'To' phone number is not currently reachable using the 'From' phone number via SMS.",
  21614: "'To' number is not a valid mobile number",
};
/**
 * How long a `message-response` stall holds the create request's answer, in wall time: well past
 * the platform's Twilio request timeout (10 s) and the SDK's default (30 s).
 */
const STALLED_RESPONSE_MS = 60_000;
/**
 * Prices at US rates, in hundred-thousandths of a dollar: an SMS per segment, an MMS and a
 * WhatsApp message (Twilio's fee) per message. Twilio reports them negative, as strings.
 */
const PRICE = { smsSegment: 790, mms: 2000, whatsapp: 500 };

export function renderMessage(m: MessageRecord): Record<string, unknown> {
  const uri = `${accountUri(m.accountSid)}/Messages/${m.sid}`;
  // Through a service the sender is picked when the message leaves `accepted`; until then Twilio reports 0 segments.
  const senderPending = m.direction === 'outbound-api' && m.messagingServiceSid !== null && (m.status === 'accepted' || m.status === 'scheduled');
  return {
    body: m.body,
    num_segments: String(senderPending ? 0 : m.numSegments),
    direction: m.direction,
    from: m.from,
    to: m.to,
    date_updated: rfc2822(m.updatedAt),
    price: priceOf(m),
    error_message: m.errorMessage,
    uri: `${uri}.json`,
    account_sid: m.accountSid,
    num_media: String(m.mediaUrls.length),
    status: m.status,
    messaging_service_sid: m.messagingServiceSid,
    sid: m.sid,
    date_sent: m.sentAt === null ? null : rfc2822(m.sentAt),
    date_created: rfc2822(m.createdAt),
    error_code: m.errorCode,
    price_unit: 'USD',
    api_version: '2010-04-01',
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
  };
}

const isWhatsApp = (address: string | null): boolean => !!address && address.startsWith('whatsapp:');
const bare = (address: string): string => address.replace(/^whatsapp:/, '');

/**
 * `num_segments` as Twilio reports it: an SMS body's segments (GSM-7 or UCS-2, counted as the
 * platform counts them); an MMS or a WhatsApp message is one message whatever its text.
 */
export function segmentsOf(body: string, mediaCount: number, to: string, from: string | null): number {
  if (isWhatsApp(to) || isWhatsApp(from) || mediaCount > 0) return 1;
  return Math.max(1, countSegments(body).segments);
}

/**
 * Billed once Twilio has handed the message on (sent, and whatever the carrier said after; an
 * inbound message when received). A `failed` message never left Twilio and an undelivered
 * WhatsApp message is not charged: no price.
 */
export function priceOf(m: MessageRecord): string | null {
  const billed = m.direction === 'inbound' ? m.status === 'received' : ['sent', 'delivered', 'undelivered', 'read', 'partially_delivered'].includes(m.status);
  const whatsapp = isWhatsApp(m.to) || isWhatsApp(m.from);
  if (!billed || (whatsapp && m.status === 'undelivered')) return null;
  const units = whatsapp ? PRICE.whatsapp : m.mediaUrls.length > 0 ? PRICE.mms : PRICE.smsSegment * m.numSegments;
  return `-${(units / 100_000).toFixed(5)}`;
}

/** The status path a message walks, from its initial status to its final one. */
function statusPath(m: MessageRecord, outcome: Outcome): MessageStatus[] {
  const start: MessageStatus[] = m.messagingServiceSid ? ['accepted', 'queued'] : ['queued'];
  if (outcome.errorCode !== null && FAILED_BEFORE_SENDING.has(outcome.errorCode)) return [...start, 'failed'];
  if (outcome.errorCode !== null) return [...start, 'sending', 'sent', 'undelivered'];
  // No delivery receipt ever comes back: the message stays `sent`.
  if (outcome.noReceipt) return [...start, 'sending', 'sent'];
  return [...start, 'sending', 'sent', 'delivered', ...(isWhatsApp(m.to) ? (['read'] as MessageStatus[]) : [])];
}

function chooseSender(ctx: SandboxContext, accountSid: string, from: string | undefined, serviceSid: string | undefined, to: string): { from: string; number?: PhoneNumberRecord } {
  if (serviceSid) {
    const service = ctx.state.services.get(serviceSid);
    if (!service || service.accountSid !== accountSid) throw new TwilioError(400, 21701, `The Messaging Service Sid ${serviceSid} is invalid`);
  }
  if (from) {
    if (isWhatsApp(from)) {
      const sender = [...ctx.state.senders.values()].find((s) => s.accountSid === accountSid && s.senderId === from && s.status === 'ONLINE');
      if (!sender) throw new TwilioError(400, 63007, `Twilio could not find a Channel with the specified From address: ${from}`);
      return { from };
    }
    const number = ctx.state.numberByE164(from);
    if (!number || number.accountSid !== accountSid || !number.capabilities.sms) {
      throw new TwilioError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
    return { from, number };
  }
  if (isWhatsApp(to)) {
    const sender = [...ctx.state.senders.values()].find((s) => s.accountSid === accountSid && s.status === 'ONLINE');
    if (sender) return { from: sender.senderId };
  }
  const pool = [...ctx.state.phoneNumbers.values()].filter((n) => n.messagingServiceSid === serviceSid && n.capabilities.sms);
  const number = pool[0];
  if (!number) throw new TwilioError(400, 21704, 'The Messaging Service contains no phone numbers');
  return { from: number.phoneNumber, number };
}

interface Outcome {
  errorCode: number | null;
  /** A `stall` rule on `message`: sent, and no delivery receipt after. */
  noReceipt?: boolean;
}

/** Twilio's errors for a WhatsApp template Meta has refused or stopped. */
const TEMPLATE_REFUSALS: Partial<Record<TemplateApprovalStatus, number>> = { rejected: 63040, paused: 63041, disabled: 63042 };

/** How this message will end: scenario rules first, then Twilio's own checks. */

function outcomeOf(ctx: SandboxContext, m: MessageRecord, number: PhoneNumberRecord | undefined, usesTemplate: boolean): Outcome {
  const decision = ctx.rules.decide('message', m.accountSid, [m.body]);
  if (decision.outcome === 'fail') return { errorCode: decision.errorCode ?? 30003 };
  // Reached only by a scheduled message: an immediate send to an opted-out recipient is refused at once.
  if (isOptedOut(ctx, m.accountSid, bare(m.to))) return { errorCode: 21610 };
  // Meta's verdict on the template at send time.
  const templateStatus = isWhatsApp(m.to) && m.contentSid ? ctx.state.contents.get(m.contentSid)?.approval?.status : undefined;
  const refusedTemplate = templateStatus ? TEMPLATE_REFUSALS[templateStatus] : undefined;
  if (refusedTemplate) return { errorCode: refusedTemplate };
  if (isWhatsApp(m.to) && !usesTemplate) {
    const last = ctx.state.lastInbound.get(`${m.accountSid}|${m.from}|${m.to}`);
    if (last === undefined || ctx.clock.now() - last > WHATSAPP_WINDOW_MS) return { errorCode: 63016 };
  }
  if (ctx.settings.enforceA2pRegistration && number && isTenDlc(number.phoneNumber) && m.to.startsWith('+1') && number.a2pRegistration !== 'registered') return { errorCode: 30034 };
  return { errorCode: null, noReceipt: decision.outcome === 'stall' };
}

function statusCallbackUrl(ctx: SandboxContext, m: MessageRecord): string | null {
  if (m.statusCallback) return m.statusCallback;
  const service = m.messagingServiceSid ? ctx.state.services.get(m.messagingServiceSid) : undefined;
  const url = service?.settings.status_callback;
  return typeof url === 'string' && url ? url : null;
}

function callbackParams(m: MessageRecord, status: MessageStatus, at: number): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: m.accountSid,
    ApiVersion: '2010-04-01',
    From: m.from ?? '',
    To: m.to,
    MessageSid: m.sid,
    SmsSid: m.sid,
    SmsStatus: status,
    MessageStatus: status,
  };
  if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
  if ((status === 'failed' || status === 'undelivered') && m.errorCode !== null) params.ErrorCode = String(m.errorCode);
  if (isWhatsApp(m.to)) {
    params.ChannelPrefix = 'whatsapp';
    params.ChannelToAddress = bare(m.to);
  } else if (status === 'delivered') {
    params.RawDlrDoneDate = new Date(at).toISOString().replace(/[-T:]/g, '').slice(2, 12);
  }
  return params;
}

/**
 * Schedules the walk from the initial status to the final one. No callback fires for the initial
 * status; a `status-callbacks` rule may duplicate every callback or hold them all and deliver them
 * in reverse order at the end, as carriers sometimes do.
 */
function scheduleLifecycle(ctx: SandboxContext, m: MessageRecord, outcome: Outcome): void {
  const { errorCode } = outcome;
  // From the status the message stands at: its first for a new message, any for a resumed one.
  const full = statusPath(m, outcome);
  const path = full.slice(full.indexOf(m.status) + 1);
  const shape = ctx.rules.statusCallbackShape();
  const held: Array<Record<string, string>> = [];
  const send = async (params: Record<string, string>): Promise<void> => {
    const url = statusCallbackUrl(ctx, m);
    if (!url) return;
    for (let i = 0; i < (shape.duplicate ? 2 : 1); i++) await ctx.webhooks.sendForm('status-callback', m.accountSid, url, params);
  };
  path.forEach((status, index) => {
    const id = ctx.clock.schedule(ctx.settings.messageStepSeconds * (index + 1), `message ${m.sid} → ${status}`, async () => {
      m.pendingTaskIds = m.pendingTaskIds.filter((t) => t !== id);
      m.status = status;
      m.updatedAt = ctx.clock.now();
      if (status === 'sent') m.sentAt = m.updatedAt;
      if (status === 'failed' || status === 'undelivered') {
        m.errorCode = errorCode;
        m.errorMessage = null;
      }
      const params = callbackParams(m, status, m.updatedAt);
      if (!shape.reorder) return send(params);
      held.push(params);
      if (index === path.length - 1) for (const p of held.reverse()) await send(p);
    });
    m.pendingTaskIds.push(id);
  });
}

/**
 * A scheduled message goes out at its send time: judged then, as Twilio checks a scheduled message
 * when it sends it, and from `accepted` on it walks the path of any message sent through a service.
 */
function scheduleSend(ctx: SandboxContext, m: MessageRecord): void {
  // A message saved before send times were kept has none: it goes out at once.
  const id = ctx.clock.scheduleAt(m.sendAt ?? ctx.clock.now(), `message ${m.sid} scheduled send`, () => {
    m.pendingTaskIds = m.pendingTaskIds.filter((t) => t !== id);
    m.status = 'accepted';
    const number = m.from === null ? undefined : ctx.state.numberByE164(m.from);
    scheduleLifecycle(ctx, m, outcomeOf(ctx, m, number, m.contentSid !== null));
  });
  m.pendingTaskIds.push(id);
}

/**
 * After a restart: an outbound message on its way walks the rest of its path. The outcome chosen at
 * send time was not kept, so a resumed message is delivered unless it had already failed. A
 * scheduled one still waits for its send time; a canceled one stays canceled.
 */
export function resumeMessage(ctx: SandboxContext, m: MessageRecord): void {
  m.pendingTaskIds = [];
  if (m.direction !== 'outbound-api') return;
  if (m.status === 'scheduled') scheduleSend(ctx, m);
  else if (['accepted', 'queued', 'sending', 'sent'].includes(m.status)) scheduleLifecycle(ctx, m, { errorCode: null });
}

/** Twilio's fixed scheduling (through a Messaging Service only): the send time in epoch ms, 15 minutes to 35 days ahead. */
function scheduledSendAt(req: ApiRequest, serviceSid: string | undefined, now: number): number | null {
  const sendAt = str(req.params, 'SendAt');
  if (!sendAt || !serviceSid || str(req.params, 'ScheduleType') !== 'fixed') return null;
  const at = Date.parse(sendAt);
  const delaySeconds = (at - now) / 1000;
  if (!(delaySeconds >= 900 && delaySeconds <= 35 * 24 * 3600)) throw invalidParameter('SendAt', 'must be between 15 minutes and 35 days in the future');
  return at;
}

/** Real time, not sandbox time: the caller's timeout runs on the wall clock. Never keeps the process alive. */
function wallClockDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export const messageRoutes: Route[] = [
  route('POST', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Messages.json', async (req, ctx) => {
    const account = pathAccount(req, ctx);
    const to = str(req.params, 'To');
    if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(bare(to))) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    const serviceSid = str(req.params, 'MessagingServiceSid');
    const fromParam = str(req.params, 'From');
    if (!fromParam && !serviceSid) throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    const contentSid = str(req.params, 'ContentSid');
    const mediaUrls = list(req.params, 'MediaUrl');
    let body = str(req.params, 'Body') ?? '';
    if (contentSid) {
      const content = ctx.state.contents.get(contentSid);
      if (!content || content.accountSid !== account.sid) throw new TwilioError(400, 21655, 'The ContentSid is Invalid');
      body = renderTemplateText(content, str(req.params, 'ContentVariables'));
    } else if (!body && mediaUrls.length === 0) {
      throw new TwilioError(400, 21602, 'Message body is required.');
    }
    if (body.length > 1600) throw new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const refusal = ctx.rules.decide('message-request', account.sid, [body]);
    if (refusal.outcome === 'fail') {
      const code = refusal.errorCode ?? 21610;
      throw new TwilioError(code === 20429 ? 429 : 400, code, REFUSALS[code] ?? `Message refused (error ${code})`);
    }
    if (isOptedOut(ctx, account.sid, bare(to))) throw new TwilioError(400, 21610, REFUSALS[21610]!);
    const sender = chooseSender(ctx, account.sid, fromParam, serviceSid, to);
    const now = ctx.clock.now();
    // Checked before anything is stored: a refused request leaves no message behind.
    const sendAt = scheduledSendAt(req, serviceSid, now);
    const message: MessageRecord = {
      sid: ctx.sids.next(mediaUrls.length > 0 ? 'MM' : 'SM'),
      accountSid: account.sid,
      direction: 'outbound-api',
      from: sender.from,
      to,
      body,
      mediaUrls,
      messagingServiceSid: serviceSid ?? null,
      status: sendAt !== null ? 'scheduled' : serviceSid ? 'accepted' : 'queued',
      statusCallback: str(req.params, 'StatusCallback') ?? null,
      errorCode: null,
      errorMessage: null,
      numSegments: segmentsOf(body, mediaUrls.length, to, sender.from),
      createdAt: now,
      updatedAt: now,
      sentAt: null,
      sendAt,
      contentSid: contentSid ?? null,
      pendingTaskIds: [],
    };
    ctx.state.messages.set(message.sid, message);
    if (sendAt !== null) {
      scheduleSend(ctx, message);
    } else {
      scheduleLifecycle(ctx, message, outcomeOf(ctx, message, sender.number, !!contentSid));
    }
    const response = created(renderMessage(message));
    // Accepted and on its way, but the caller hears nothing in time: a crash between Twilio's accept and the caller's write.
    if (ctx.rules.decide('message-response', account.sid, [body]).outcome === 'stall') await wallClockDelay(STALLED_RESPONSE_MS);
    return response;
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Messages.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    const to = str(req.params, 'To');
    const from = str(req.params, 'From');
    const items = ctx.state
      .ownedBy(ctx.state.messages, account.sid)
      .filter((m) => (!to || m.to === to) && (!from || m.from === from))
      .sort((a, b) => b.createdAt - a.createdAt)
      .map(renderMessage);
    return ok(v2010Page('messages', `${accountUri(account.sid)}/Messages.json`, items, pageOf(req.params), filtersOf(req.params, ['To', 'From'])));
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', (req, ctx) =>
    ok(renderMessage(owned(ctx.state.messages, req.pathParams.Sid, pathAccount(req, ctx), req.path))),
  ),
  route('POST', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', (req, ctx) => {
    const message = owned(ctx.state.messages, req.pathParams.Sid, pathAccount(req, ctx), req.path);
    const status = str(req.params, 'Status');
    if (status !== undefined) {
      if (status !== 'canceled') throw invalidParameter('Status', "only 'canceled' is accepted");
      if (message.status !== 'scheduled') throw invalidParameter('Status', 'only scheduled messages can be canceled');
      message.pendingTaskIds.forEach((id) => ctx.clock.cancel(id));
      message.pendingTaskIds = [];
      message.status = 'canceled';
    }
    const body = str(req.params, 'Body');
    if (body === '') message.body = ''; // redaction: Body may only be set to the empty string
    message.updatedAt = ctx.clock.now();
    return ok(renderMessage(message));
  }),
  route('DELETE', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', (req, ctx) => {
    const message = owned(ctx.state.messages, req.pathParams.Sid, pathAccount(req, ctx), req.path);
    ctx.state.messages.delete(message.sid);
    return noContent();
  }),
];
