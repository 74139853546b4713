/**
 * The validator itself: it must fail on what Twilio would silently ignore or reject, otherwise
 * the gateway and sandbox contract tests prove nothing.
 */
import { createSdkTwilioGateway } from '../../shared/twilio/sdk-gateway';
import { everyArea } from '../../shared/twilio/sdk/areas';
import { TwilioRequestClient } from '../../shared/twilio/request-client';
import { exampleTwilioResponse, findTwilioOperation, validateTwilioRequest, validateTwilioResponse } from '../support/twilio-openapi';
import { startRecordingServer, type RecordingServer } from './recording-server';

const SUB = `AC${'2'.repeat(32)}`;
const MG = `MG${'a'.repeat(32)}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const SERVICES = 'https://messaging.twilio.com/v1/Services';

describe('locating operations', () => {
  it('matches real hosts and the base-URL layout alike', () => {
    expect(findTwilioOperation('POST', 'https://api.twilio.com/2010-04-01/Accounts.json')?.operationId).toBe('CreateAccount');
    expect(findTwilioOperation('POST', 'http://127.0.0.1:4010/api.twilio.com/2010-04-01/Accounts.json')?.operationId).toBe('CreateAccount');
    expect(findTwilioOperation('GET', `http://127.0.0.1:4010/messaging.twilio.com/v2/Channels/Senders/XE${'a'.repeat(32)}`)?.operationId).toBe('FetchChannelsSender');
  });

  it('prefers literal segments over path templates', () => {
    expect(findTwilioOperation('GET', `${SERVICES}/${MG}/Compliance/Usa2p/Usecases`)?.operationId).toBe('FetchUsAppToPersonUsecase');
    expect(findTwilioOperation('GET', `${SERVICES}/${MG}/Compliance/Usa2p/QE${'a'.repeat(32)}`)?.operationId).toBe('FetchUsAppToPerson');
    expect(findTwilioOperation('GET', `${SERVICES}/Usecases`)?.operationId).toBe('FetchUsecase');
  });

  it('extracts path parameters, including those glued to ".json"', () => {
    expect(findTwilioOperation('GET', `https://api.twilio.com/2010-04-01/Accounts/${SUB}/Messages/SM${'b'.repeat(32)}.json`)?.pathParams).toEqual({
      AccountSid: SUB,
      Sid: `SM${'b'.repeat(32)}`,
    });
  });
});

describe('validateTwilioRequest', () => {
  const createService = (body: string) => validateTwilioRequest({ method: 'POST', url: SERVICES, headers: FORM, body });

  it('accepts a conforming form request', () => {
    expect(createService('FriendlyName=Acme&InboundRequestUrl=https%3A%2F%2Fh.example%2Fin&UseInboundWebhookOnNumber=false&ValidityPeriod=600')).toEqual([]);
  });

  it('fails an unknown path or method', () => {
    expect(validateTwilioRequest({ method: 'GET', url: 'https://messaging.twilio.com/v1/Nope' })[0]).toMatch(/no such operation/);
    expect(validateTwilioRequest({ method: 'PUT', url: SERVICES })[0]).toMatch(/no such operation/);
  });

  it('fails a misspelt (undeclared) parameter', () => {
    expect(createService('FriendlyName=Acme&InboundRequestURL=https%3A%2F%2Fh.example%2Fin')).toEqual([expect.stringMatching(/body\/InboundRequestURL is not declared/)]);
  });

  it('fails a missing required parameter', () => {
    expect(createService('InboundRequestUrl=https%3A%2F%2Fh.example%2Fin')).toEqual([expect.stringMatching(/missing required FriendlyName/)]);
  });

  it('coerces form strings per schema type and checks them', () => {
    expect(createService('FriendlyName=Acme&StickySender=true&ValidityPeriod=600')).toEqual([]);
    expect(createService('FriendlyName=Acme&StickySender=yes')).toEqual([expect.stringMatching(/StickySender: must be boolean/)]);
    expect(createService('FriendlyName=Acme&ValidityPeriod=ten')).toEqual([expect.stringMatching(/ValidityPeriod: must be integer/)]);
  });

  it('checks enums', () => {
    expect(createService('FriendlyName=Acme&InboundMethod=PATCH')).toEqual([expect.stringMatching(/InboundMethod: must be equal to one of the allowed values/)]);
  });

  it('reads repeated keys as arrays and a repeated scalar as an error', () => {
    const url = `${SERVICES}/${MG}/Compliance/Usa2p`;
    const base = 'BrandRegistrationSid=BN' + 'a'.repeat(32) + '&Description=d&MessageFlow=f&UsAppToPersonUsecase=MIXED&HasEmbeddedLinks=false&HasEmbeddedPhone=false';
    expect(validateTwilioRequest({ method: 'POST', url, headers: FORM, body: `${base}&MessageSamples=one&MessageSamples=two` })).toEqual([]);
    expect(validateTwilioRequest({ method: 'POST', url, headers: FORM, body: `${base}&MessageSamples=one&Description=again` })).toEqual([
      expect.stringMatching(/Description: must be string/),
    ]);
  });

  it('knows the campaign policy URLs the pinned spec predates, on campaign create only', () => {
    const url = `${SERVICES}/${MG}/Compliance/Usa2p`;
    const base = 'BrandRegistrationSid=BN' + 'a'.repeat(32) + '&Description=d&MessageFlow=f&UsAppToPersonUsecase=MIXED&HasEmbeddedLinks=false&HasEmbeddedPhone=false&MessageSamples=one';
    const urls = '&PrivacyPolicyUrl=https%3A%2F%2Fa.example%2Fprivacy&TermsAndConditionsUrl=https%3A%2F%2Fa.example%2Fterms';
    const v12 = { ...FORM, 'x-twilio-api-version': 'v1.2' };
    expect(validateTwilioRequest({ method: 'POST', url, headers: v12, body: `${base}${urls}` })).toEqual([]);
    expect(validateTwilioRequest({ method: 'POST', url, headers: v12, body: `${base}&PrivacyPolicyUrl=not%20a%20url` })).toEqual([expect.stringMatching(/PrivacyPolicyUrl: must match format "uri"/)]);
    expect(validateTwilioRequest({ method: 'POST', url, headers: v12, body: `${base}&PrivacyPolicyURL=https%3A%2F%2Fa.example` })).toEqual([expect.stringMatching(/PrivacyPolicyURL is not declared/)]);
    // Campaign update and other operations are untouched.
    expect(validateTwilioRequest({ method: 'POST', url: `${url}/QE${'a'.repeat(32)}`, headers: FORM, body: `HasEmbeddedLinks=false${urls}` })).toEqual(
      expect.arrayContaining([expect.stringMatching(/PrivacyPolicyUrl is not declared/), expect.stringMatching(/TermsAndConditionsUrl is not declared/)]),
    );
    expect(createService(`FriendlyName=Acme${urls}`)).toEqual([expect.stringMatching(/PrivacyPolicyUrl is not declared/), expect.stringMatching(/TermsAndConditionsUrl is not declared/)]);
  });

  it('checks path parameters and undeclared query parameters', () => {
    expect(validateTwilioRequest({ method: 'GET', url: `${SERVICES}/not-a-sid` })).toEqual([expect.stringMatching(/path\/Sid: must/), expect.stringMatching(/path\/Sid: must/)]);
    expect(validateTwilioRequest({ method: 'GET', url: `${SERVICES}/${MG}?Foo=1` })).toEqual([expect.stringMatching(/query\/Foo is not declared/)]);
    expect(validateTwilioRequest({ method: 'GET', url: `https://api.twilio.com/2010-04-01/Accounts.json?Status=suspended&PageSize=50` })).toEqual([]);
    expect(validateTwilioRequest({ method: 'GET', url: `https://api.twilio.com/2010-04-01/Accounts.json?Status=paused` })).toEqual([expect.stringMatching(/query\/Status/)]);
  });

  it('fails a body on an operation that takes none, and the wrong media type', () => {
    expect(validateTwilioRequest({ method: 'DELETE', url: `${SERVICES}/${MG}`, body: 'Force=true' })).toEqual([expect.stringMatching(/takes no request body/)]);
    expect(validateTwilioRequest({ method: 'POST', url: SERVICES, headers: JSON_TYPE, body: '{"FriendlyName":"x"}' })).toEqual([expect.stringMatching(/Content-Type "application\/json"/)]);
  });

  it('holds nested JSON bodies to the declared properties', () => {
    const url = 'https://messaging.twilio.com/v2/Channels/Senders';
    const ok = { sender_id: 'whatsapp:+15125550100', profile: { name: 'Acme' } };
    expect(validateTwilioRequest({ method: 'POST', url, headers: JSON_TYPE, body: JSON.stringify(ok) })).toEqual([]);
    expect(validateTwilioRequest({ method: 'POST', url, headers: JSON_TYPE, body: JSON.stringify({ ...ok, profile: { name: 'Acme', logoUrl: 'x' } }) })).toEqual([
      expect.stringMatching(/body\/profile\/logoUrl is not declared/),
    ]);
    expect(validateTwilioRequest({ method: 'POST', url, headers: JSON_TYPE, body: JSON.stringify({ senderId: 'whatsapp:+1' }) })).toEqual([
      expect.stringMatching(/missing required sender_id/),
      expect.stringMatching(/senderId is not declared/),
    ]);
  });

  it('rejects the SDK-typed camelCase Content body the spec does not know', () => {
    const url = 'https://content.twilio.com/v1/Content';
    const camel = { friendlyName: 'x', language: 'en', types: { twilioText: { body: 'hi' } } };
    expect(validateTwilioRequest({ method: 'POST', url, headers: JSON_TYPE, body: JSON.stringify(camel) }).join('\n')).toMatch(/friendlyName is not declared[\s\S]*twilioText is not declared/);
  });
});

describe('validateTwilioResponse', () => {
  const url = `https://api.twilio.com/2010-04-01/Accounts/${SUB}.json`;
  const account = exampleTwilioResponse('GET', url)?.body as Record<string, unknown>;

  it("accepts Twilio's own example", () => {
    expect(validateTwilioResponse({ method: 'GET', url, status: 200, body: account })).toEqual([]);
  });

  it('fails undeclared properties, wrong types and undeclared statuses', () => {
    expect(validateTwilioResponse({ method: 'GET', url, status: 200, body: { ...account, secret_field: 1 } })).toEqual([expect.stringMatching(/secret_field is not declared/)]);
    expect(validateTwilioResponse({ method: 'GET', url, status: 200, body: { ...account, status: 'paused' } })).toEqual([expect.stringMatching(/body\/status/)]);
    expect(validateTwilioResponse({ method: 'GET', url, status: 201, body: account })).toEqual([expect.stringMatching(/status 201 is not declared/)]);
  });

  it('accepts the policy URLs Twilio returns on a campaign under API v1.2, and nothing else new', () => {
    const campaignUrl = `${SERVICES}/${MG}/Compliance/Usa2p`;
    const campaign = exampleTwilioResponse('POST', campaignUrl)?.body as Record<string, unknown>;
    expect(validateTwilioResponse({ method: 'POST', url: campaignUrl, status: 201, body: { ...campaign, privacy_policy_url: 'https://a.example/privacy', terms_and_conditions_url: null } })).toEqual([]);
    expect(validateTwilioResponse({ method: 'POST', url: campaignUrl, status: 201, body: { ...campaign, privacy_policy: 'https://a.example/privacy' } })).toEqual([expect.stringMatching(/privacy_policy is not declared/)]);
  });

  it("holds error answers to Twilio's error shape", () => {
    expect(validateTwilioResponse({ method: 'GET', url, status: 404, body: { code: 20404, message: 'Not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 } })).toEqual([]);
    expect(validateTwilioResponse({ method: 'GET', url, status: 404, body: { error: 'nope' } }).length).toBeGreaterThan(0);
  });

  it('requires an empty body on 204', () => {
    const del = `${SERVICES}/${MG}`;
    expect(validateTwilioResponse({ method: 'DELETE', url: del, status: 204, body: '' })).toEqual([]);
    expect(validateTwilioResponse({ method: 'DELETE', url: del, status: 204, body: '{}' })).toEqual([expect.stringMatching(/declares no body/)]);
  });
});

describe('a deliberately broken call', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(() => server.close());

  it('is caught: a message without To, sent through the real HTTP client and base-URL rewrite', async () => {
    const http = new TwilioRequestClient({ baseUrl: server.baseUrl, retry: { maxAttempts: 1 } });
    await http.request({
      method: 'post',
      uri: `https://api.twilio.com/2010-04-01/Accounts/${SUB}/Messages.json`,
      username: SUB,
      password: 'token',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      data: { Body: 'hello', MessagingServiceSid: MG },
    });
    const [recorded] = server.requests;
    expect(validateTwilioRequest({ ...recorded })).toEqual([expect.stringMatching(/CreateMessage.*missing required To/)]);
  });

  it('is caught: the same gateway call validates once the parameter is present', async () => {
    server.reset();
    const gateway = createSdkTwilioGateway({ master: { accountSid: SUB, authToken: 'token' }, baseUrl: server.baseUrl }, ...everyArea);
    await gateway.sendMessage({ accountSid: SUB, authToken: 'token' }, { to: '+15125550111', messagingServiceSid: MG, body: 'hello' });
    expect(validateTwilioRequest({ ...server.requests[0] })).toEqual([]);
  });
});
