/**
 * Every gateway method, through the real SDK adapter and the base-URL rewrite, against a
 * recording server: each request must hit the intended Twilio operation and conform to
 * Twilio's OpenAPI spec, including the rule that undeclared parameters fail.
 */
import { createSdkTwilioGateway } from '../../shared/twilio/sdk-gateway';
import { everyArea } from '../../shared/twilio/sdk/areas';
import type { CampaignInput, SubaccountCredentials, TwilioGateway } from '../../shared/twilio/gateway';
import { toContentTypes } from '../../shared/domain/template';
import { findTwilioOperation, validateTwilioRequest } from '../support/twilio-openapi';
import { startRecordingServer, type RecordedRequest, type RecordingServer } from './recording-server';

const MASTER: SubaccountCredentials = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'master-token-0123456789abcdef' };
const SUB: SubaccountCredentials = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'sub-token-0123456789abcdef01' };
const sid = (prefix: string) => `${prefix}${'a'.repeat(32)}`;

interface Case {
  name: string;
  call: (gateway: TwilioGateway) => Promise<unknown>;
  operations: string[];
  /** Wire parameters that must be present (form keys or top-level JSON keys). */
  sends?: string[];
  /** Wire parameters that must be absent. */
  omits?: string[];
  /** Headers every request must carry with exactly this value; undefined: must not carry. */
  headers?: Record<string, string | undefined>;
  /** Sent with the master credentials on the subaccount's path (v2010 only), not the subaccount's own. */
  master?: boolean;
  /** Whose credentials the request carries when the operation's name alone does not say (default: master for Account operations). */
  as?: 'sub';
}

const CAMPAIGN: CampaignInput = {
  brandRegistrationSid: sid('BN'),
  description: 'Appointment reminders and confirmations for Acme Dental patients.',
  messageFlow: 'Patients opt in on the booking form at https://acme.example/book by ticking an SMS consent box.',
  messageSamples: ['Acme Dental: your appointment is on [date] at [time]. Reply STOP to opt out.', 'Acme Dental: reply C to confirm [date]. Reply STOP to opt out.'],
  usecase: 'ACCOUNT_NOTIFICATION',
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
  optInKeywords: ['START'],
  optInMessage: 'Acme Dental: you are subscribed to reminders. Reply STOP to opt out.',
  subscriberOptIn: true,
  ageGated: false,
  directLending: false,
};
const CAMPAIGN_SENDS = ['BrandRegistrationSid', 'Description', 'MessageFlow', 'MessageSamples', 'UsAppToPersonUsecase', 'HasEmbeddedLinks', 'HasEmbeddedPhone', 'OptInKeywords', 'OptInMessage'];

const CASES: Case[] = [
  { name: 'createSubaccount', call: (g) => g.createSubaccount('Acme Dental'), operations: ['CreateAccount'], sends: ['FriendlyName'] },
  { name: 'findSubaccountsByFriendlyName', call: (g) => g.findSubaccountsByFriendlyName('Acme Dental'), operations: ['ListAccount'], sends: ['FriendlyName'] },
  { name: 'fetchAccount', call: (g) => g.fetchAccount(SUB.accountSid), operations: ['FetchAccount'] },
  { name: 'createSecondaryAuthToken', call: (g) => g.createSecondaryAuthToken(SUB), operations: ['CreateSecondaryAuthToken'] },
  { name: 'promoteSecondaryAuthToken', call: (g) => g.promoteSecondaryAuthToken(SUB), operations: ['UpdateAuthTokenPromotion'] },
  { name: 'deleteSecondaryAuthToken', call: (g) => g.deleteSecondaryAuthToken(SUB), operations: ['DeleteSecondaryAuthToken'] },
  { name: 'credentialsWork', call: (g) => g.credentialsWork(SUB), operations: ['FetchAccount'], as: 'sub' },
  { name: 'updateAccountStatus', call: (g) => g.updateAccountStatus(SUB.accountSid, 'suspended'), operations: ['UpdateAccount'], sends: ['Status'] },
  {
    name: 'createAddress',
    call: (g) => g.createAddress(SUB, { customerName: 'Acme Dental LLC', street: '1 Main St', streetSecondary: 'Suite 2', city: 'Austin', region: 'TX', postalCode: '78701', isoCountry: 'US' }),
    operations: ['CreateAddress'],
    sends: ['CustomerName', 'Street', 'StreetSecondary', 'City', 'Region', 'PostalCode', 'IsoCountry'],
  },
  {
    name: 'createTrustBundle (customer profile)',
    call: (g) => g.createTrustBundle(SUB, 'customer-profile', { friendlyName: 'Acme', email: 'compliance@isv.example', policySid: 'RNdfbf3fae0e1107f8aded0e7cead80bf5', statusCallback: 'https://hooks.example/trusthub' }),
    operations: ['CreateCustomerProfile'],
    sends: ['FriendlyName', 'Email', 'PolicySid', 'StatusCallback'],
  },
  {
    name: 'createTrustBundle (trust product)',
    call: (g) => g.createTrustBundle(SUB, 'trust-product', { friendlyName: 'Acme A2P', email: 'compliance@isv.example', policySid: 'RNb0d4771c2c98518d916a3d4cd70a8f8b' }),
    operations: ['CreateTrustProduct'],
    sends: ['FriendlyName', 'Email', 'PolicySid'],
  },
  { name: 'fetchTrustBundle (customer profile)', call: (g) => g.fetchTrustBundle(SUB, 'customer-profile', sid('BU')), operations: ['FetchCustomerProfile'] },
  { name: 'fetchTrustBundle (trust product)', call: (g) => g.fetchTrustBundle(SUB, 'trust-product', sid('BU')), operations: ['FetchTrustProduct'] },
  { name: 'updateTrustBundleStatus (customer profile)', call: (g) => g.updateTrustBundleStatus(SUB, 'customer-profile', sid('BU'), 'pending-review'), operations: ['UpdateCustomerProfile'], sends: ['Status'] },
  { name: 'updateTrustBundleStatus (trust product)', call: (g) => g.updateTrustBundleStatus(SUB, 'trust-product', sid('BU'), 'pending-review'), operations: ['UpdateTrustProduct'], sends: ['Status'] },
  {
    name: 'createEndUser',
    call: (g) => g.createEndUser(SUB, { friendlyName: 'Acme business', type: 'customer_profile_business_information', attributes: { business_name: 'Acme Dental LLC', business_type: 'Limited Liability Corporation' } }),
    operations: ['CreateEndUser'],
    sends: ['FriendlyName', 'Type', 'Attributes'],
  },
  { name: 'updateEndUser', call: (g) => g.updateEndUser(SUB, sid('IT'), { business_name: 'Acme Dental LLC' }), operations: ['UpdateEndUser'], sends: ['Attributes'] },
  {
    name: 'createSupportingDocument',
    call: (g) => g.createSupportingDocument(SUB, { friendlyName: 'Acme address', type: 'customer_profile_address', attributes: { address_sids: sid('AD') } }),
    operations: ['CreateSupportingDocument'],
    sends: ['FriendlyName', 'Type', 'Attributes'],
  },
  { name: 'assignToTrustBundle (customer profile)', call: (g) => g.assignToTrustBundle(SUB, 'customer-profile', sid('BU'), sid('IT')), operations: ['CreateCustomerProfileEntityAssignment'], sends: ['ObjectSid'] },
  { name: 'assignToTrustBundle (trust product)', call: (g) => g.assignToTrustBundle(SUB, 'trust-product', sid('BU'), sid('BU')), operations: ['CreateTrustProductEntityAssignment'], sends: ['ObjectSid'] },
  { name: 'evaluateTrustBundle (customer profile)', call: (g) => g.evaluateTrustBundle(SUB, 'customer-profile', sid('BU'), 'RNdfbf3fae0e1107f8aded0e7cead80bf5'), operations: ['CreateCustomerProfileEvaluation'], sends: ['PolicySid'] },
  { name: 'evaluateTrustBundle (trust product)', call: (g) => g.evaluateTrustBundle(SUB, 'trust-product', sid('BU'), 'RNb0d4771c2c98518d916a3d4cd70a8f8b'), operations: ['CreateTrustProductEvaluation'], sends: ['PolicySid'] },
  {
    name: 'createBrandRegistration',
    call: (g) => g.createBrandRegistration(SUB, { customerProfileBundleSid: sid('BU'), a2pProfileBundleSid: `BU${'b'.repeat(32)}`, brandType: 'STANDARD', mock: true, skipAutomaticSecVet: true }),
    operations: ['CreateBrandRegistrations'],
    sends: ['CustomerProfileBundleSid', 'A2PProfileBundleSid', 'BrandType', 'Mock', 'SkipAutomaticSecVet'],
  },
  { name: 'fetchBrandRegistration', call: (g) => g.fetchBrandRegistration(SUB, sid('BN')), operations: ['FetchBrandRegistrations'] },
  { name: 'listBrandRegistrations', call: (g) => g.listBrandRegistrations(SUB), operations: ['ListBrandRegistrations'] },
  { name: 'resubmitBrandRegistration', call: (g) => g.resubmitBrandRegistration(SUB, sid('BN')), operations: ['UpdateBrandRegistrations'] },
  { name: 'sendBrandSmsOtp', call: (g) => g.sendBrandSmsOtp(SUB, sid('BN')), operations: ['CreateBrandRegistrationOtp'] },
  {
    name: 'createMessagingService',
    call: (g) => g.createMessagingService(SUB, { friendlyName: 'Acme A2P', inboundRequestUrl: 'https://hooks.example/inbound', statusCallback: 'https://hooks.example/status', fallbackUrl: 'https://hooks.example/fallback', useInboundWebhookOnNumber: false, usecase: 'notifications' }),
    operations: ['CreateService'],
    sends: ['FriendlyName', 'InboundRequestUrl', 'StatusCallback', 'FallbackUrl', 'UseInboundWebhookOnNumber', 'Usecase'],
  },
  { name: 'fetchMessagingService', call: (g) => g.fetchMessagingService(SUB, sid('MG')), operations: ['FetchService'] },
  { name: 'deleteMessagingService', call: (g) => g.deleteMessagingService(SUB, sid('MG')), operations: ['DeleteService'] },
  { name: 'listCampaignUsecases', call: (g) => g.listCampaignUsecases(SUB, sid('MG'), sid('BN')), operations: ['FetchUsAppToPersonUsecase'], sends: ['BrandRegistrationSid'] },
  {
    name: 'createCampaign',
    call: (g) => g.createCampaign(SUB, sid('MG'), CAMPAIGN),
    operations: ['CreateUsAppToPerson'],
    sends: CAMPAIGN_SENDS,
    omits: ['PrivacyPolicyUrl', 'TermsAndConditionsUrl'],
    headers: { 'X-Twilio-Api-Version': undefined },
  },
  {
    name: 'createCampaign (with policy URLs, under API v1.2 so Twilio returns them)',
    call: (g) => g.createCampaign(SUB, sid('MG'), { ...CAMPAIGN, privacyPolicyUrl: 'https://acme.example/privacy', termsAndConditionsUrl: 'https://acme.example/terms' }),
    operations: ['CreateUsAppToPerson'],
    sends: [...CAMPAIGN_SENDS, 'PrivacyPolicyUrl', 'TermsAndConditionsUrl'],
    headers: { 'X-Twilio-Api-Version': 'v1.2' },
  },
  { name: 'fetchCampaign', call: (g) => g.fetchCampaign(SUB, sid('MG'), sid('QE')), operations: ['FetchUsAppToPerson'] },
  { name: 'listCampaigns', call: (g) => g.listCampaigns(SUB, sid('MG')), operations: ['ListUsAppToPerson'] },
  { name: 'deleteCampaign', call: (g) => g.deleteCampaign(SUB, sid('MG'), sid('QE')), operations: ['DeleteUsAppToPerson'] },
  {
    name: 'searchAvailableNumbers',
    call: (g) => g.searchAvailableNumbers(SUB, { countryCode: 'US', areaCode: 512, contains: '555', smsEnabled: true, mmsEnabled: true, inRegion: 'TX', limit: 5 }),
    operations: ['ListAvailablePhoneNumberLocal'],
    sends: ['AreaCode', 'Contains', 'SmsEnabled', 'MmsEnabled', 'InRegion', 'PageSize'],
  },
  {
    name: 'buyNumber',
    call: (g) => g.buyNumber(SUB, { phoneNumber: '+15125550100', smsUrl: 'https://hooks.example/inbound', statusCallback: 'https://hooks.example/voice-status', friendlyName: 'Acme main' }),
    operations: ['CreateIncomingPhoneNumber'],
    sends: ['PhoneNumber', 'SmsUrl', 'SmsMethod', 'StatusCallback', 'FriendlyName'],
  },
  { name: 'fetchNumber', call: (g) => g.fetchNumber(SUB, sid('PN')), operations: ['FetchIncomingPhoneNumber'] },
  { name: 'releaseNumber', call: (g) => g.releaseNumber(SUB, sid('PN')), operations: ['DeleteIncomingPhoneNumber'] },
  { name: 'attachNumberToService', call: (g) => g.attachNumberToService(SUB, sid('MG'), sid('PN')), operations: ['CreatePhoneNumber'], sends: ['PhoneNumberSid'] },
  { name: 'detachNumberFromService', call: (g) => g.detachNumberFromService(SUB, sid('MG'), sid('PN')), operations: ['DeletePhoneNumber'] },
  {
    name: 'createEventSink',
    call: (g) => g.createEventSink(SUB, { description: 'Switchboard events', destination: 'https://hooks.example/events' }),
    operations: ['CreateSink'],
    sends: ['Description', 'SinkType', 'SinkConfiguration'],
  },
  { name: 'listEventSinks', call: (g) => g.listEventSinks(SUB), operations: ['ListSink'] },
  {
    name: 'createEventSubscription',
    call: (g) =>
      g.createEventSubscription(SUB, {
        description: 'A2P status',
        sinkSid: sid('DG'),
        types: [{ type: 'com.twilio.messaging.compliance.brand-registration.brand-failure', schemaVersion: 3 }, { type: 'com.twilio.messaging.compliance.number-registration.successful' }],
      }),
    operations: ['CreateSubscription'],
    sends: ['Description', 'SinkSid', 'Types'],
  },
  { name: 'listEventSubscriptions', call: (g) => g.listEventSubscriptions(SUB, sid('DG')), operations: ['ListSubscription'], sends: ['SinkSid'] },
  {
    name: 'sendMessage (SMS with media)',
    call: (g) => g.sendMessage(SUB, { to: '+15125550111', messagingServiceSid: sid('MG'), body: 'Hi from Acme', mediaUrls: ['https://cdn.example/a.png', 'https://cdn.example/b.png'], statusCallback: 'https://hooks.example/status', validityPeriodSeconds: 600 }),
    operations: ['CreateMessage'],
    sends: ['To', 'MessagingServiceSid', 'Body', 'MediaUrl', 'StatusCallback', 'ValidityPeriod'],
  },
  {
    name: 'sendMessage (WhatsApp template)',
    call: (g) => g.sendMessage(SUB, { to: 'whatsapp:+15125550111', from: 'whatsapp:+15125550100', contentSid: sid('HX'), contentVariables: { 1: 'Ana' } }),
    operations: ['CreateMessage'],
    sends: ['To', 'From', 'ContentSid', 'ContentVariables'],
  },
  {
    name: 'sendMessage (scheduled, status callback naming our message id)',
    call: (g) => g.sendMessage(SUB, { to: '+15125550111', messagingServiceSid: sid('MG'), body: 'Reminder', statusCallback: 'https://hooks.example/status?messageId=msg_01', sendAt: new Date('2030-01-02T03:04:05Z') }),
    operations: ['CreateMessage'],
    sends: ['To', 'MessagingServiceSid', 'Body', 'StatusCallback', 'SendAt', 'ScheduleType'],
  },
  { name: 'fetchMessage', call: (g) => g.fetchMessage(SUB, sid('SM')), operations: ['FetchMessage'] },
  { name: 'cancelMessage', call: (g) => g.cancelMessage(SUB, sid('SM')), operations: ['UpdateMessage'], sends: ['Status'] },
  {
    name: 'createWhatsAppSender',
    call: (g) =>
      g.createWhatsAppSender(SUB, {
        senderId: 'whatsapp:+15125550100',
        wabaId: '1234567890',
        verificationMethod: 'sms',
        profile: {
          name: 'Acme Dental',
          about: 'Dental care',
          address: '1 Main St, Austin, TX',
          description: 'Family dentistry',
          logoUrl: 'https://acme.example/logo.png',
          vertical: 'Medical and Health',
          websites: [{ website: 'https://acme.example', label: 'Website' }],
          emails: [{ email: 'hi@acme.example' }],
        },
        webhook: { callbackUrl: 'https://hooks.example/wa', statusCallbackUrl: 'https://hooks.example/wa-status', fallbackUrl: 'https://hooks.example/wa-fallback' },
      }),
    operations: ['CreateChannelsSender'],
    sends: ['sender_id', 'configuration', 'profile', 'webhook'],
  },
  { name: 'fetchWhatsAppSender', call: (g) => g.fetchWhatsAppSender(SUB, sid('XE')), operations: ['FetchChannelsSender'] },
  { name: 'updateWhatsAppSender', call: (g) => g.updateWhatsAppSender(SUB, sid('XE'), { verificationCode: '123456', profile: { about: 'Updated' } }), operations: ['UpdateChannelsSender'], sends: ['configuration', 'profile'] },
  {
    name: 'updateWhatsAppSender (verification code)',
    call: (g) => g.updateWhatsAppSender(SUB, sid('XE'), { verificationCode: '123456' }),
    operations: ['UpdateChannelsSender'],
    sends: ['configuration'],
    omits: ['profile', 'webhook'],
  },
  {
    name: 'updateWhatsAppSender (profile and webhook)',
    call: (g) => g.updateWhatsAppSender(SUB, sid('XE'), { profile: { name: 'Acme Dental', about: 'Now open Sundays' }, webhook: { callbackUrl: 'https://hooks.example/inbound', statusCallbackUrl: 'https://hooks.example/status' } }),
    operations: ['UpdateChannelsSender'],
    sends: ['profile', 'webhook'],
    omits: ['configuration'],
  },
  { name: 'deleteWhatsAppSender', call: (g) => g.deleteWhatsAppSender(SUB, sid('XE')), operations: ['DeleteChannelsSender'] },
  { name: 'listWhatsAppSenders', call: (g) => g.listWhatsAppSenders(SUB), operations: ['ListChannelsSender'], sends: ['Channel'] },
  { name: 'attachWhatsAppSenderToService', call: (g) => g.attachWhatsAppSenderToService(SUB, sid('MG'), sid('XE')), operations: ['CreateChannelSender'], sends: ['Sid'] },
  { name: 'detachWhatsAppSenderFromService', call: (g) => g.detachWhatsAppSenderFromService(SUB, sid('MG'), sid('XE')), operations: ['DeleteChannelSender'] },
  {
    name: 'createContentTemplate',
    call: (g) =>
      g.createContentTemplate(SUB, {
        friendlyName: 'appointment_reminder',
        language: 'en',
        variables: { 1: 'Ana', 2: 'Tuesday' },
        types: { 'twilio/text': { body: 'Hi {{1}}, see you on {{2}}.' }, 'twilio/quick-reply': { body: 'Hi {{1}}, confirm {{2}}?', actions: [{ title: 'Yes', id: 'yes' }] } },
      }),
    operations: ['CreateContent'],
    sends: ['friendly_name', 'language', 'variables', 'types'],
  },
  { name: 'requestWhatsAppApproval', call: (g) => g.requestWhatsAppApproval(SUB, sid('HX'), { name: 'appointment_reminder', category: 'UTILITY' }), operations: ['CreateApprovalCreate'], sends: ['name', 'category'] },
  { name: 'fetchContentApproval', call: (g) => g.fetchContentApproval(SUB, sid('HX')), operations: ['FetchApprovalFetch'] },
  {
    name: 'createContentTemplate (every WhatsApp content type of the templates API)',
    call: (g) =>
      g.createContentTemplate(SUB, {
        friendlyName: 'tpl_01JB2C3D4E5F6G7H8J9K0M1N2P',
        language: 'en',
        variables: { 1: 'Ana', 2: 'A-1234' },
        types: {
          ...toContentTypes({ type: 'text', body: 'Hi {{1}}, order {{2}} shipped.' }),
          ...toContentTypes({ type: 'media', body: 'Your receipt, {{1}}.', media: ['https://acme.example/r.pdf'] }),
          ...toContentTypes({ type: 'quick-reply', body: 'Confirm {{2}}, {{1}}?', buttons: [{ title: 'Yes' }, { title: 'No', id: 'no' }] }),
          ...toContentTypes({ type: 'call-to-action', body: 'Track {{2}}.', buttons: [{ type: 'URL', title: 'Track', url: 'https://acme.example/t/{{2}}' }, { type: 'PHONE_NUMBER', title: 'Call', phone: '+14155550100' }] }),
          ...toContentTypes({ type: 'card', body: 'Order {{2}} shipped.', header: 'Shipped', footer: 'Acme', buttons: [{ type: 'QUICK_REPLY', title: 'Thanks' }] }),
          ...toContentTypes({ type: 'authentication', copyCodeText: 'Copy code', addSecurityRecommendation: true, codeExpirationMinutes: 10 }),
        },
      }),
    operations: ['CreateContent'],
    sends: ['friendly_name', 'language', 'variables', 'types'],
  },
  { name: 'listContentTemplates', call: (g) => g.listContentTemplates(SUB), operations: ['ListContent'], sends: ['PageSize'] },
  { name: 'deleteContentTemplate', call: (g) => g.deleteContentTemplate(SUB, sid('HX')), operations: ['DeleteContent'] },
  {
    name: 'listUsageRecords',
    call: (g) => g.listUsageRecords(SUB.accountSid, { startDate: '2026-11-01', endDate: '2026-11-30' }),
    operations: ['ListUsageRecord'],
    sends: ['StartDate', 'EndDate', 'IncludeSubaccounts', 'PageSize'],
    omits: ['Category'],
    master: true,
  },
];

function wireKeys(request: RecordedRequest): string[] {
  const url = new URL(request.url);
  const keys = [...url.searchParams.keys()];
  if (!request.body) return keys;
  if (String(request.headers['content-type']).startsWith('application/json')) return [...keys, ...Object.keys(JSON.parse(request.body) as object)];
  return [...keys, ...new URLSearchParams(request.body).keys()];
}

describe('gateway requests conform to Twilio OpenAPI', () => {
  let server: RecordingServer;
  let gateway: TwilioGateway;

  beforeAll(async () => {
    server = await startRecordingServer();
    gateway = createSdkTwilioGateway({ master: MASTER, baseUrl: server.baseUrl, retry: { maxAttempts: 1 } }, ...everyArea);
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('covers every gateway method', () => {
    const covered = new Set(CASES.map((c) => c.name.split(' ')[0]));
    expect(Object.keys(gateway).filter((m) => !covered.has(m))).toEqual([]);
  });

  it("reads usage records for exactly the days asked, on the subaccount's path, for the subaccount alone", async () => {
    await gateway.listUsageRecords(SUB.accountSid, { startDate: '2024-02-01', endDate: '2024-02-29' });
    const url = new URL(server.requests[0]!.url);
    expect(url.pathname).toMatch(new RegExp(`/2010-04-01/Accounts/${SUB.accountSid}/Usage/Records\\.json$`));
    expect(Object.fromEntries(url.searchParams)).toEqual({ StartDate: '2024-02-01', EndDate: '2024-02-29', IncludeSubaccounts: 'false', PageSize: '1000' });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    await testCase.call(gateway);

    expect(server.requests.map((r) => findTwilioOperation(r.method, r.url)?.operationId)).toEqual(testCase.operations);
    for (const request of server.requests) {
      expect(validateTwilioRequest({ method: request.method, url: request.url, headers: request.headers, body: request.body })).toEqual([]);
      const auth = Buffer.from(String(request.headers.authorization).replace(/^Basic /, ''), 'base64').toString();
      const expectedSid = testCase.as !== 'sub' && (testCase.master || testCase.operations.some((op) => /Account$/.test(op))) ? MASTER.accountSid : SUB.accountSid;
      expect(auth.split(':')[0]).toBe(expectedSid);
    }
    const sent = server.requests.flatMap(wireKeys);
    for (const key of testCase.sends ?? []) expect(sent).toContain(key);
    for (const key of testCase.omits ?? []) expect(sent).not.toContain(key);
    for (const [name, value] of Object.entries(testCase.headers ?? {})) {
      for (const request of server.requests) expect({ [name]: request.headers[name.toLowerCase()] }).toEqual({ [name]: value });
    }
  });
});
