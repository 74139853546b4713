import { TwilioError, invalidParameter, missingParameter, notFound } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { required } from '../core/params';
import { accepted, created, noContent, ok, route, type Route, type SandboxContext } from '../core/context';
import type { SenderRecord, SenderStatus } from '../core/state';
import { hostUrl, jsonBody, ownedByCaller } from './v1-common';
import { MESSAGING_HOST, serviceUrl } from './messaging-services';

const sendersUrl = hostUrl(MESSAGING_HOST, '/v2/Channels/Senders');

function renderSender(s: SenderRecord): Record<string, unknown> {
  const online = s.status === 'ONLINE' || s.status === 'ONLINE:UPDATING';
  return {
    sid: s.sid,
    status: s.status,
    sender_id: s.senderId,
    configuration: s.configuration,
    webhook: s.webhook,
    profile: s.profile,
    properties: online ? { quality_rating: 'HIGH', messaging_limit: '1K Customers/24hr' } : null,
    offline_reasons: s.offlineReasons.length ? s.offlineReasons : null,
    compliance: null,
    url: `${sendersUrl}/${s.sid}`,
  };
}

/** A sender as a messaging service's ChannelSender (messaging v1). */
function renderChannelSender(s: SenderRecord): Record<string, unknown> {
  const e164 = s.senderId.replace(/^whatsapp:/, '');
  return {
    account_sid: s.accountSid,
    messaging_service_sid: s.messagingServiceSid,
    sid: s.sid,
    sender: s.senderId,
    sender_type: 'WhatsApp',
    country_code: e164.startsWith('+1') ? 'US' : e164.startsWith('+44') ? 'GB' : null,
    date_created: iso8601(s.createdAt),
    date_updated: iso8601(s.updatedAt),
    url: `${serviceUrl(s.messagingServiceSid!)}/ChannelSenders/${s.sid}`,
  };
}

/** Six digits, from the sandbox's seed: the same seed gives the same codes in the same order. */
function newVerificationCode(ctx: SandboxContext): string {
  return String(parseInt(ctx.sids.secret('whatsapp-verification-code', 12), 16) % 1_000_000).padStart(6, '0');
}

function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(name, 'must be an object');
  return value as Record<string, unknown>;
}

function transition(ctx: SandboxContext, sender: SenderRecord, status: SenderStatus): void {
  sender.status = status;
  sender.updatedAt = ctx.clock.now();
}

/** VERIFYING → (TWILIO_REVIEW) → ONLINE, or OFFLINE with reasons when a scenario says so. */
function scheduleVerification(ctx: SandboxContext, sender: SenderRecord): void {
  transition(ctx, sender, 'VERIFYING');
  scheduleReview(ctx, sender, 'VERIFYING');
}

function scheduleReview(ctx: SandboxContext, sender: SenderRecord, from: 'VERIFYING' | 'TWILIO_REVIEW'): void {
  const decision = ctx.rules.decide('sender', sender.accountSid, [String(sender.profile.name ?? '')]);
  if (decision.outcome === 'stall') return;
  const decide = () =>
    ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `sender ${sender.sid} → decided`, () => {
      if (decision.outcome === 'fail') {
        const error = decision.errors?.[0];
        sender.offlineReasons = [{
          code: String(error?.code ?? decision.errorCode ?? 63020),
          message: error?.description ?? 'The business has not accepted the WhatsApp Business Account invitation.',
          more_info: `https://www.twilio.com/docs/errors/${error?.code ?? decision.errorCode ?? 63020}`,
        }];
        transition(ctx, sender, 'OFFLINE');
        return;
      }
      transition(ctx, sender, 'ONLINE');
    });
  if (from === 'TWILIO_REVIEW') return void decide();
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `sender ${sender.sid} → TWILIO_REVIEW`, () => {
    transition(ctx, sender, 'TWILIO_REVIEW');
    decide();
  });
}

/** CREATING → PENDING_VERIFICATION (to wait for the OTP) or straight on to verification. */
function scheduleCreation(ctx: SandboxContext, sender: SenderRecord): void {
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `sender ${sender.sid} created`, () => {
    if (needsOtp(ctx, sender)) {
      // Meta texts (or calls) the number with the code; the owner hands it to the platform.
      sender.verificationCode = newVerificationCode(ctx);
      transition(ctx, sender, 'PENDING_VERIFICATION');
    } else scheduleVerification(ctx, sender);
  });
}

function scheduleProfileUpdate(ctx: SandboxContext, sender: SenderRecord): void {
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `sender ${sender.sid} profile updated`, () => transition(ctx, sender, 'ONLINE'));
}

/**
 * After a restart: a sender on its way continues from where it stood. PENDING_VERIFICATION waits
 * for the owner's code, not for the clock, so it has nothing to resume.
 */
export function resumeSender(ctx: SandboxContext, sender: SenderRecord): void {
  if (sender.status === 'CREATING') scheduleCreation(ctx, sender);
  else if (sender.status === 'VERIFYING' || sender.status === 'TWILIO_REVIEW') scheduleReview(ctx, sender, sender.status);
  else if (sender.status === 'ONLINE:UPDATING') scheduleProfileUpdate(ctx, sender);
}

/** A number the account owns at Twilio verifies itself; any other number waits for the OTP the owner receives. */
function needsOtp(ctx: SandboxContext, sender: SenderRecord): boolean {
  const e164 = sender.senderId.replace(/^whatsapp:/, '');
  const owned = ctx.state.numberByE164(e164);
  return !(owned && owned.accountSid === sender.accountSid);
}

export const senderRoutes: Route[] = [
  route('POST', MESSAGING_HOST, '/v2/Channels/Senders', (req, ctx) => {
    const body = jsonBody(req);
    const senderId = body.sender_id;
    if (typeof senderId !== 'string' || !senderId) throw missingParameter('sender_id');
    if (!/^whatsapp:\+[1-9]\d{6,14}$/.test(senderId)) throw invalidParameter('sender_id', 'must be whatsapp:+E164');
    const profile = objectField(body, 'profile') ?? {};
    if (typeof profile.name !== 'string' || !profile.name) throw missingParameter('profile.name');
    if ([...ctx.state.senders.values()].some((s) => s.senderId === senderId)) throw invalidParameter('sender_id', `${senderId} is already registered as a sender`);
    const now = ctx.clock.now();
    const sender: SenderRecord = {
      sid: ctx.sids.next('XE'), accountSid: req.account.sid, senderId, status: 'CREATING',
      configuration: objectField(body, 'configuration') ?? {}, webhook: objectField(body, 'webhook') ?? {}, profile, offlineReasons: [], createdAt: now, updatedAt: now,
    };
    ctx.state.senders.set(sender.sid, sender);
    scheduleCreation(ctx, sender);
    return accepted(renderSender(sender));
  }),
  route('GET', MESSAGING_HOST, '/v2/Channels/Senders', (req, ctx) => {
    const channel = required(req.params, 'Channel');
    const items = ctx.state.ownedBy(ctx.state.senders, req.account.sid).filter((s) => s.senderId.startsWith(`${channel}:`)).map(renderSender);
    return ok(metaPage('senders', sendersUrl, items, pageOf(req.params), { Channel: channel }));
  }),
  route('GET', MESSAGING_HOST, '/v2/Channels/Senders/{Sid}', (req, ctx) => ok(renderSender(ownedByCaller(ctx.state.senders, req.pathParams.Sid, req)))),
  route('POST', MESSAGING_HOST, '/v2/Channels/Senders/{Sid}', (req, ctx) => {
    const sender = ownedByCaller(ctx.state.senders, req.pathParams.Sid, req);
    const body = jsonBody(req);
    const configuration = objectField(body, 'configuration');
    const profile = objectField(body, 'profile');
    const webhook = objectField(body, 'webhook');
    if (webhook) sender.webhook = { ...sender.webhook, ...webhook };
    if (configuration) {
      const { verification_code: code, ...rest } = configuration;
      sender.configuration = { ...sender.configuration, ...rest };
      if (code !== undefined && code !== null) {
        if (sender.status !== 'PENDING_VERIFICATION') throw invalidParameter('configuration.verification_code', `sender is ${sender.status}, not PENDING_VERIFICATION`);
        if (String(code) !== sender.verificationCode) throw invalidParameter('configuration.verification_code', 'the code is not the one sent to the number');
        sender.verificationCode = null;
        scheduleVerification(ctx, sender);
      }
    }
    if (profile) {
      sender.profile = { ...sender.profile, ...profile };
      // A profile change on a live sender propagates to Meta before the sender is ONLINE again.
      if (sender.status === 'ONLINE') {
        transition(ctx, sender, 'ONLINE:UPDATING');
        scheduleProfileUpdate(ctx, sender);
      }
    }
    sender.updatedAt = ctx.clock.now();
    return accepted(renderSender(sender));
  }),
  route('DELETE', MESSAGING_HOST, '/v2/Channels/Senders/{Sid}', (req, ctx) => {
    ctx.state.senders.delete(ownedByCaller(ctx.state.senders, req.pathParams.Sid, req).sid);
    return noContent();
  }),
  route('POST', MESSAGING_HOST, '/v1/Services/{ServiceSid}/ChannelSenders', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const senderSid = required(req.params, 'Sid');
    const sender = ctx.state.senders.get(senderSid);
    if (!sender || sender.accountSid !== service.accountSid) throw notFound(`/v2/Channels/Senders/${senderSid}`);
    if (sender.messagingServiceSid === service.sid) throw new TwilioError(400, 21710, 'The sender is already in this Messaging Service');
    if (sender.messagingServiceSid) throw new TwilioError(400, 21712, 'The sender is already associated with another Messaging Service');
    sender.messagingServiceSid = service.sid;
    sender.updatedAt = ctx.clock.now();
    return created(renderChannelSender(sender));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/ChannelSenders', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    return ok(metaPage('senders', `${serviceUrl(service.sid)}/ChannelSenders`, ctx.state.sendersOfService(service.sid).map(renderChannelSender), pageOf(req.params)));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/ChannelSenders/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const sender = ctx.state.senders.get(req.pathParams.Sid ?? '');
    if (!sender || sender.messagingServiceSid !== service.sid) throw notFound(req.path);
    return ok(renderChannelSender(sender));
  }),
  route('DELETE', MESSAGING_HOST, '/v1/Services/{ServiceSid}/ChannelSenders/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const sender = ctx.state.senders.get(req.pathParams.Sid ?? '');
    if (!sender || sender.messagingServiceSid !== service.sid) throw notFound(req.path);
    sender.messagingServiceSid = null;
    sender.updatedAt = ctx.clock.now();
    return noContent();
  }),
];

/** The code Meta sent a sender's number, while the sender waits for it (PENDING_VERIFICATION). */
export function verificationCodeOf(ctx: SandboxContext, senderSid: string): string | undefined {
  const sender = ctx.state.senders.get(senderSid);
  return sender?.status === 'PENDING_VERIFICATION' ? (sender.verificationCode ?? undefined) : undefined;
}
