import { TwilioError } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { bool, required, str } from '../core/params';
import { created, noContent, ok, route, type Params, type Route, type SandboxContext } from '../core/context';
import type { MessagingServiceRecord, PhoneNumberRecord } from '../core/state';
import { hostUrl, ownedByCaller } from './v1-common';
import { notFound } from '../core/errors';

export const MESSAGING_HOST = 'messaging.twilio.com';
const MAX_NUMBERS_PER_SERVICE = 400;

const STRING_SETTINGS: Record<string, string> = {
  InboundRequestUrl: 'inbound_request_url', InboundMethod: 'inbound_method', FallbackUrl: 'fallback_url', FallbackMethod: 'fallback_method',
  StatusCallback: 'status_callback', ScanMessageContent: 'scan_message_content', Usecase: 'usecase',
};
const BOOLEAN_SETTINGS: Record<string, string> = {
  StickySender: 'sticky_sender', MmsConverter: 'mms_converter', SmartEncoding: 'smart_encoding', FallbackToLongCode: 'fallback_to_long_code',
  AreaCodeGeomatch: 'area_code_geomatch', SynchronousValidation: 'synchronous_validation', UseInboundWebhookOnNumber: 'use_inbound_webhook_on_number',
};

const DEFAULT_SETTINGS: MessagingServiceRecord['settings'] = {
  inbound_request_url: null, inbound_method: 'POST', fallback_url: null, fallback_method: 'POST', status_callback: null, sticky_sender: true,
  mms_converter: true, smart_encoding: true, scan_message_content: 'inherit', fallback_to_long_code: true, area_code_geomatch: true,
  synchronous_validation: false, validity_period: 14400, usecase: 'undeclared', us_app_to_person_registered: false, use_inbound_webhook_on_number: false,
};

export const serviceUrl = (sid: string): string => hostUrl(MESSAGING_HOST, `/v1/Services/${sid}`);

function renderService(s: MessagingServiceRecord): Record<string, unknown> {
  const url = serviceUrl(s.sid);
  return {
    sid: s.sid,
    account_sid: s.accountSid,
    friendly_name: s.friendlyName,
    date_created: iso8601(s.createdAt),
    date_updated: iso8601(s.updatedAt),
    ...s.settings,
    url,
    links: {
      channel_senders: `${url}/ChannelSenders`, phone_numbers: `${url}/PhoneNumbers`, short_codes: `${url}/ShortCodes`, alpha_senders: `${url}/AlphaSenders`,
      messages: `${url}/Messages`, us_app_to_person: `${url}/Compliance/Usa2p`, us_app_to_person_usecases: `${url}/Compliance/Usa2p/Usecases`,
      destination_alpha_senders: `${url}/DestinationAlphaSenders`,
    },
  };
}

function applySettings(s: MessagingServiceRecord, params: Params): void {
  for (const [param, field] of Object.entries(STRING_SETTINGS)) {
    const value = str(params, param);
    if (value !== undefined) s.settings[field] = value;
  }
  for (const [param, field] of Object.entries(BOOLEAN_SETTINGS)) {
    const value = bool(params, param);
    if (value !== undefined) s.settings[field] = value;
  }
  const validity = str(params, 'ValidityPeriod');
  if (validity !== undefined) s.settings.validity_period = Number(validity);
}

function renderServiceNumber(n: PhoneNumberRecord): Record<string, unknown> {
  const capabilities = [n.capabilities.mms && 'MMS', n.capabilities.sms && 'SMS', n.capabilities.voice && 'Voice'].filter((c): c is string => !!c);
  return {
    sid: n.sid,
    account_sid: n.accountSid,
    service_sid: n.messagingServiceSid,
    date_created: iso8601(n.createdAt),
    date_updated: iso8601(n.updatedAt),
    phone_number: n.phoneNumber,
    country_code: n.isoCountry,
    capabilities,
    url: `${serviceUrl(n.messagingServiceSid!)}/PhoneNumbers/${n.sid}`,
  };
}

function detachNumber(ctx: SandboxContext, n: PhoneNumberRecord): void {
  n.messagingServiceSid = null;
  n.a2pRegistration = 'none';
  n.updatedAt = ctx.clock.now();
}

export const serviceRoutes: Route[] = [
  route('POST', MESSAGING_HOST, '/v1/Services', (req, ctx) => {
    const now = ctx.clock.now();
    const service: MessagingServiceRecord = {
      sid: ctx.sids.next('MG'), accountSid: req.account.sid, friendlyName: required(req.params, 'FriendlyName'), settings: { ...DEFAULT_SETTINGS }, createdAt: now, updatedAt: now,
    };
    applySettings(service, req.params);
    ctx.state.services.set(service.sid, service);
    return created(renderService(service));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services', (req, ctx) =>
    ok(metaPage('services', hostUrl(MESSAGING_HOST, '/v1/Services'), ctx.state.ownedBy(ctx.state.services, req.account.sid).map(renderService), pageOf(req.params))),
  ),
  route('GET', MESSAGING_HOST, '/v1/Services/{Sid}', (req, ctx) => ok(renderService(ownedByCaller(ctx.state.services, req.pathParams.Sid, req)))),
  route('POST', MESSAGING_HOST, '/v1/Services/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.Sid, req);
    service.friendlyName = str(req.params, 'FriendlyName') ?? service.friendlyName;
    applySettings(service, req.params);
    service.updatedAt = ctx.clock.now();
    return ok(renderService(service));
  }),
  route('DELETE', MESSAGING_HOST, '/v1/Services/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.Sid, req);
    for (const n of ctx.state.phoneNumbers.values()) if (n.messagingServiceSid === service.sid) detachNumber(ctx, n);
    for (const sender of ctx.state.sendersOfService(service.sid)) sender.messagingServiceSid = null;
    for (const c of [...ctx.state.campaigns.values()]) if (c.messagingServiceSid === service.sid) ctx.state.campaigns.delete(c.sid);
    ctx.state.services.delete(service.sid);
    return noContent();
  }),
  route('POST', MESSAGING_HOST, '/v1/Services/{ServiceSid}/PhoneNumbers', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const numberSid = required(req.params, 'PhoneNumberSid');
    const number = ctx.state.phoneNumbers.get(numberSid);
    if (!number || number.accountSid !== service.accountSid) throw notFound(`/2010-04-01/Accounts/${service.accountSid}/IncomingPhoneNumbers/${numberSid}.json`);
    if (number.messagingServiceSid) throw new TwilioError(400, 21712, 'Phone Number or Short Code is already associated with another Messaging Service');
    if (!number.capabilities.sms) throw new TwilioError(400, 21715, 'Phone Number does not have SMS or MMS capability');
    const pool = [...ctx.state.phoneNumbers.values()].filter((n) => n.messagingServiceSid === service.sid);
    if (pool.length >= MAX_NUMBERS_PER_SERVICE) throw new TwilioError(400, 21714, 'Messaging Service already has the maximum number of phone numbers');
    number.messagingServiceSid = service.sid;
    number.updatedAt = ctx.clock.now();
    // A number joining a service whose campaign is already VERIFIED is registered with carriers.
    if (ctx.hooks.campaignVerifiedFor(service.sid)) ctx.hooks.registerNumber(number.sid);
    return created(renderServiceNumber(number));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/PhoneNumbers', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const items = [...ctx.state.phoneNumbers.values()].filter((n) => n.messagingServiceSid === service.sid).map(renderServiceNumber);
    return ok(metaPage('phone_numbers', `${serviceUrl(service.sid)}/PhoneNumbers`, items, pageOf(req.params)));
  }),
  route('GET', MESSAGING_HOST, '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const number = ctx.state.phoneNumbers.get(req.pathParams.Sid ?? '');
    if (!number || number.messagingServiceSid !== service.sid) throw notFound(req.path);
    return ok(renderServiceNumber(number));
  }),
  route('DELETE', MESSAGING_HOST, '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', (req, ctx) => {
    const service = ownedByCaller(ctx.state.services, req.pathParams.ServiceSid, req);
    const number = ctx.state.phoneNumbers.get(req.pathParams.Sid ?? '');
    if (!number || number.messagingServiceSid !== service.sid) throw notFound(req.path);
    detachNumber(ctx, number);
    return noContent();
  }),
];
