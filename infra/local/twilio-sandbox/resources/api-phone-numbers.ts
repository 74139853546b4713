import { TwilioError, notFound } from '../core/errors';
import { pageOf, rfc2822, v2010Page } from '../core/format';
import { bool, filtersOf, str } from '../core/params';
import { created, noContent, ok, route, type Params, type Route, type SandboxContext } from '../core/context';
import type { PhoneNumberRecord } from '../core/state';
import { API_HOST, accountUri, canActOn, owned, pathAccount } from './api-scope';
import { candidate, factsOf, friendlyNumber, supportedSearch, type NumberType } from './number-plan';

const CONFIG_PARAMS = [
  'ApiVersion', 'SmsApplicationSid', 'SmsFallbackMethod', 'SmsFallbackUrl', 'SmsMethod', 'SmsUrl', 'StatusCallback', 'StatusCallbackMethod',
  'VoiceApplicationSid', 'VoiceCallerIdLookup', 'VoiceFallbackMethod', 'VoiceFallbackUrl', 'VoiceMethod', 'VoiceUrl', 'EmergencyStatus',
  'EmergencyAddressSid', 'TrunkSid', 'IdentitySid', 'VoiceReceiveMode',
];
const snake = (name: string): string => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();

const DEFAULT_CONFIG: Record<string, string | null> = {
  api_version: '2010-04-01', sms_application_sid: null, sms_fallback_method: 'POST', sms_fallback_url: '', sms_method: 'POST', sms_url: '',
  status_callback: '', status_callback_method: 'POST', voice_application_sid: null, voice_caller_id_lookup: 'false', voice_fallback_method: 'POST',
  voice_fallback_url: null, voice_method: 'POST', voice_url: null, emergency_status: 'Inactive', emergency_address_sid: null, trunk_sid: null,
  identity_sid: null, voice_receive_mode: 'voice',
};

export function renderIncomingNumber(n: PhoneNumberRecord): Record<string, unknown> {
  return {
    ...n.config,
    voice_caller_id_lookup: n.config.voice_caller_id_lookup === 'true',
    account_sid: n.accountSid,
    address_sid: n.addressSid,
    address_requirements: 'none',
    beta: false,
    capabilities: { ...n.capabilities },
    date_created: rfc2822(n.createdAt),
    date_updated: rfc2822(n.updatedAt),
    friendly_name: n.friendlyName,
    phone_number: n.phoneNumber,
    origin: 'twilio',
    sid: n.sid,
    uri: `${accountUri(n.accountSid)}/IncomingPhoneNumbers/${n.sid}.json`,
    emergency_address_status: 'unregistered',
    bundle_sid: n.bundleSid,
    status: 'in-use',
  };
}

function applyConfig(n: PhoneNumberRecord, params: Params): void {
  for (const name of CONFIG_PARAMS) {
    const value = str(params, name);
    if (value !== undefined) n.config[snake(name)] = value;
  }
  n.friendlyName = str(params, 'FriendlyName') ?? n.friendlyName;
  n.addressSid = str(params, 'AddressSid') ?? n.addressSid;
  n.bundleSid = str(params, 'BundleSid') ?? n.bundleSid;
}

function isTaken(ctx: SandboxContext, e164: string): boolean {
  return ctx.state.numberByE164(e164) !== undefined;
}

function search(ctx: SandboxContext, isoCountry: string, type: NumberType, params: Params, limit: number): string[] {
  const opts = { areaCode: str(params, 'AreaCode'), inRegion: str(params, 'InRegion'), contains: str(params, 'Contains') };
  const smsEnabled = bool(params, 'SmsEnabled');
  const mmsEnabled = bool(params, 'MmsEnabled');
  const voiceEnabled = bool(params, 'VoiceEnabled');
  const found: string[] = [];
  for (let k = 0; k < limit * 20 && found.length < limit; k++) {
    const e164 = candidate(isoCountry, type, k, opts);
    if (!e164 || found.includes(e164) || isTaken(ctx, e164)) continue;
    const caps = factsOf(e164)?.capabilities;
    if (!caps) continue;
    if ((smsEnabled === true && !caps.sms) || (mmsEnabled === true && !caps.mms) || (voiceEnabled === true && !caps.voice)) continue;
    found.push(e164);
  }
  return found;
}

function renderAvailable(e164: string): Record<string, unknown> {
  const facts = factsOf(e164)!;
  return {
    friendly_name: friendlyNumber(e164),
    phone_number: e164,
    lata: facts.isoCountry === 'US' ? '722' : null,
    locality: facts.locality || null,
    rate_center: facts.isoCountry === 'US' ? 'SNFC CNTRL' : null,
    latitude: facts.isoCountry === 'US' ? 37.77 : null,
    longitude: facts.isoCountry === 'US' ? -122.41 : null,
    region: facts.region || null,
    postal_code: null,
    iso_country: facts.isoCountry,
    address_requirements: facts.isoCountry === 'GB' ? 'any' : 'none',
    beta: false,
    capabilities: { voice: facts.capabilities.voice, SMS: facts.capabilities.sms, MMS: facts.capabilities.mms },
  };
}

function availableRoute(type: NumberType): Route {
  return route('GET', API_HOST, `/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/${type}.json`, (req, ctx) => {
    const account = pathAccount(req, ctx);
    const isoCountry = (req.pathParams.CountryCode ?? '').toUpperCase();
    if (!supportedSearch(isoCountry, type)) throw notFound(req.path);
    const page = pageOf(req.params);
    const numbers = search(ctx, isoCountry, type, req.params, page.pageSize).map(renderAvailable);
    const filters = filtersOf(req.params, ['AreaCode', 'Contains', 'SmsEnabled', 'MmsEnabled', 'VoiceEnabled', 'InRegion']);
    // Searches have no further pages: Twilio returns one page of fresh candidates.
    return ok(v2010Page('available_phone_numbers', `${accountUri(account.sid)}/AvailablePhoneNumbers/${isoCountry}/${type}.json`, numbers, { page: 0, pageSize: page.pageSize }, filters));
  });
}

function purchase(ctx: SandboxContext, accountSid: string, params: Params): PhoneNumberRecord {
  const requested = str(params, 'PhoneNumber');
  const areaCode = str(params, 'AreaCode');
  if (!requested && !areaCode) throw new TwilioError(400, 21451, 'A PhoneNumber or AreaCode is required');
  const decision = ctx.rules.decide('number-purchase', accountSid, [requested, str(params, 'FriendlyName')]);
  if (decision.outcome === 'fail') throw new TwilioError(400, decision.errorCode ?? 21422, 'PhoneNumber requested is not available');
  let e164: string;
  if (requested) {
    if (!factsOf(requested) || isTaken(ctx, requested)) throw new TwilioError(400, 21422, 'PhoneNumber requested is not available');
    e164 = requested;
  } else {
    const found = search(ctx, 'US', 'Local', { AreaCode: areaCode!, SmsEnabled: 'true' }, 1)[0];
    if (!found) throw new TwilioError(400, 21452, `No phone numbers found in area code ${areaCode}`);
    e164 = found;
  }
  const facts = factsOf(e164)!;
  const now = ctx.clock.now();
  const record: PhoneNumberRecord = {
    sid: ctx.sids.next('PN'),
    accountSid,
    phoneNumber: e164,
    isoCountry: facts.isoCountry,
    friendlyName: friendlyNumber(e164),
    capabilities: { ...facts.capabilities },
    config: { ...DEFAULT_CONFIG },
    addressSid: null,
    bundleSid: null,
    messagingServiceSid: null,
    a2pRegistration: 'none',
    createdAt: now,
    updatedAt: now,
  };
  applyConfig(record, params);
  ctx.state.phoneNumbers.set(record.sid, record);
  return record;
}

export const phoneNumberRoutes: Route[] = [
  availableRoute('Local'),
  availableRoute('Mobile'),
  availableRoute('TollFree'),
  route('POST', API_HOST, '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', (req, ctx) =>
    created(renderIncomingNumber(purchase(ctx, pathAccount(req, ctx).sid, req.params))),
  ),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    const phoneNumber = str(req.params, 'PhoneNumber');
    const friendlyName = str(req.params, 'FriendlyName');
    const items = ctx.state
      .ownedBy(ctx.state.phoneNumbers, account.sid)
      .filter((n) => (!phoneNumber || n.phoneNumber.includes(phoneNumber.replace(/^\s+/, '+'))) && (!friendlyName || n.friendlyName === friendlyName))
      .map(renderIncomingNumber);
    return ok(v2010Page('incoming_phone_numbers', `${accountUri(account.sid)}/IncomingPhoneNumbers.json`, items, pageOf(req.params), filtersOf(req.params, ['PhoneNumber', 'FriendlyName'])));
  }),
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', (req, ctx) =>
    ok(renderIncomingNumber(owned(ctx.state.phoneNumbers, req.pathParams.Sid, pathAccount(req, ctx), req.path))),
  ),
  route('POST', API_HOST, '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', (req, ctx) => {
    const number = owned(ctx.state.phoneNumbers, req.pathParams.Sid, pathAccount(req, ctx), req.path);
    const transferTo = str(req.params, 'AccountSid');
    if (transferTo && transferTo !== number.accountSid) {
      const target = ctx.state.accounts.get(transferTo);
      if (!target || !canActOn(req.account, target)) throw notFound(`/2010-04-01/Accounts/${transferTo}`);
      number.accountSid = target.sid;
      number.messagingServiceSid = null;
    }
    applyConfig(number, req.params);
    number.updatedAt = ctx.clock.now();
    return ok(renderIncomingNumber(number));
  }),
  route('DELETE', API_HOST, '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', (req, ctx) => {
    const number = owned(ctx.state.phoneNumbers, req.pathParams.Sid, pathAccount(req, ctx), req.path);
    ctx.state.phoneNumbers.delete(number.sid);
    return noContent();
  }),
];
