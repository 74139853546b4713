import twilio from 'twilio';
import { POLICY } from '../../../infra/local/twilio-sandbox';
import { expectTwilioError, parseForm, startHarness, subaccount, type Harness, type Twilio } from './support';
import { EVENTS_URL, TRUSTHUB_URL, campaignInput, soleProprietorBundles, standardBundles, subscribeToA2pEvents } from './a2p-fixtures';
import { validateTwilioResponse } from '../../support/twilio-openapi';

const DELAY = 60;

interface CloudEvent {
  specversion: string;
  type: string;
  source: string;
  id: string;
  time: string;
  dataschema?: string;
  data: Record<string, unknown>;
}

describe('twilio sandbox — A2P 10DLC', () => {
  let h: Harness;
  let sub: { sid: string; token: string; client: Twilio };
  beforeEach(async () => {
    h = await startHarness({ reviewDelaySeconds: DELAY });
    sub = await subaccount(h);
  });
  afterEach(() => h.sandbox.stop());

  /** Event Streams deliveries, with the signature checked against the subaccount's token. */
  const events = (): CloudEvent[] =>
    h.delivered
      .filter((d) => d.url.startsWith(EVENTS_URL))
      .flatMap((d) => {
        expect(twilio.validateRequestWithBody(sub.token, d.headers['X-Twilio-Signature']!, d.url, d.body)).toBe(true);
        return JSON.parse(d.body) as CloudEvent[];
      });
  const eventTypes = () => events().map((e) => e.type.replace('com.twilio.messaging.compliance.', ''));

  async function approvedBrand(businessName = 'Acme Dental LLC'): Promise<string> {
    const bundles = await standardBundles(h, sub.client, businessName);
    const brand = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid });
    await h.sandbox.advance(2 * DELAY);
    return brand.sid;
  }

  it('evaluates a complete secondary profile as compliant', async () => {
    const { customerProfileSid } = await standardBundles(h, sub.client, 'Acme Dental LLC', false);
    const evaluation = await sub.client.trusthub.v1.customerProfiles(customerProfileSid).customerProfilesEvaluations.create({ policySid: POLICY.secondaryCustomerProfile });
    expect(evaluation.sid).toMatch(/^EL[0-9a-f]{32}$/);
    expect(evaluation.status).toBe('compliant');
  });

  it('reports missing items (22216) and invalid fields (22218) per field', async () => {
    const profile = await sub.client.trusthub.v1.customerProfiles.create({ friendlyName: 'x', email: 'isv@isv.example', policySid: POLICY.secondaryCustomerProfile });
    const rep = await sub.client.trusthub.v1.endUsers.create({
      friendlyName: 'rep', type: 'authorized_representative_1',
      attributes: { first_name: 'Ana', last_name: 'Diaz', email: 'ana@acme.example', phone_number: '512-555-0100', business_title: 'CEO', job_position: 'CEO' },
    });
    await sub.client.trusthub.v1.customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid: rep.sid });
    const evaluation = await sub.client.trusthub.v1.customerProfiles(profile.sid).customerProfilesEvaluations.create({ policySid: POLICY.secondaryCustomerProfile });
    expect(evaluation.status).toBe('noncompliant');
    const results = evaluation.results as Array<{ requirement_name: string; passed: boolean; error_code: number; invalid: Array<{ object_field: string; error_code: number }> }>;
    expect(results.find((r) => r.requirement_name === 'business_information')).toMatchObject({ passed: false, error_code: 22216 });
    expect(results.find((r) => r.requirement_name === 'authorized_representative_1')!.invalid).toEqual([
      expect.objectContaining({ object_field: 'phone_number', error_code: 22218 }),
    ]);
  });

  it('forces noncompliance with the [noncompliant] marker', async () => {
    const { customerProfileSid } = await standardBundles(h, sub.client, 'Acme [noncompliant] LLC', false);
    const evaluation = await sub.client.trusthub.v1.customerProfiles(customerProfileSid).customerProfilesEvaluations.create({ policySid: POLICY.secondaryCustomerProfile });
    expect(evaluation.status).toBe('noncompliant');
  });

  it('walks a bundle draft → pending-review → in-review → twilio-approved and sends signed StatusCallbacks', async () => {
    const { customerProfileSid } = await standardBundles(h, sub.client);
    expect((await sub.client.trusthub.v1.customerProfiles(customerProfileSid).fetch()).status).toBe('pending-review');
    await h.sandbox.advance(DELAY);
    expect((await sub.client.trusthub.v1.customerProfiles(customerProfileSid).fetch()).status).toBe('in-review');
    await h.sandbox.advance(DELAY);
    const approved = await sub.client.trusthub.v1.customerProfiles(customerProfileSid).fetch();
    expect(approved.status).toBe('twilio-approved');
    expect(approved.validUntil).not.toBeNull();
    const callbacks = h.delivered.filter((d) => d.url === TRUSTHUB_URL).map((d) => {
      const params = parseForm(d.body);
      expect(twilio.validateRequest(sub.token, d.headers['X-Twilio-Signature']!, d.url, params)).toBe(true);
      expect(d.headers['I-Twilio-Idempotency-Token']).toBeTruthy();
      return params;
    });
    expect(callbacks.filter((p) => p.BundleSid === customerProfileSid).map((p) => p.Status)).toEqual(['pending-review', 'in-review', 'twilio-approved']);
  });

  it('rejects a bundle with errors when a rule says so', async () => {
    h.sandbox.addRule({ type: 'fail', step: 'customer-profile', errors: [{ code: 22218, description: 'EIN does not match', fields: ['business_registration_number'] }] });
    const { customerProfileSid } = await standardBundles(h, sub.client);
    await h.sandbox.advance(2 * DELAY);
    const profile = await sub.client.trusthub.v1.customerProfiles(customerProfileSid).fetch();
    expect(profile.status).toBe('twilio-rejected');
    expect(profile.errors).toEqual([{ code: 22218, message: 'EIN does not match', fields: ['business_registration_number'] }]);
  });

  it('approves a brand PENDING → IN_REVIEW → APPROVED and emits signed Event Streams CloudEvents', async () => {
    await subscribeToA2pEvents(sub.client);
    const bundles = await standardBundles(h, sub.client);
    const brand = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid });
    expect(brand.sid).toMatch(/^BN[0-9a-f]{32}$/);
    expect(brand.status).toBe('PENDING');
    await h.sandbox.advance(DELAY);
    expect((await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch()).status).toBe('IN_REVIEW');
    await h.sandbox.advance(DELAY);
    const approved = await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(approved).toMatchObject({ status: 'APPROVED', identityStatus: 'VERIFIED' });
    expect(approved.tcrId).toMatch(/^B[0-9A-F]{6}$/);

    expect(eventTypes()).toEqual(['brand-registration.brand-registered', 'brand-registration.brand-verified']);
    const registered = events()[0]!;
    expect(registered).toMatchObject({ specversion: '1.0', source: `/v1/a2p/BrandRegistrations/${brand.sid}` });
    expect(registered.id).toBeTruthy();
    expect(registered.data).toMatchObject({ accountsid: sub.sid, brandsid: brand.sid, brandstatus: 'registered', identitystatus: 'verified' });
    expect(typeof registered.data.createddate).toBe('number');
    expect(Object.keys(registered.data).every((k) => k === k.toLowerCase())).toBe(true);
    // JSON deliveries carry bodySHA256 in the signed URL.
    expect(h.delivered.find((d) => d.url.startsWith(EVENTS_URL))!.url).toMatch(/\?bodySHA256=[0-9a-f]{64}$/);
  });

  it('fails a brand with errors[] from a rule, then resubmits to APPROVED', async () => {
    await subscribeToA2pEvents(sub.client);
    h.sandbox.addRule({ type: 'fail', step: 'brand', times: 1, errors: [{ code: 30794, description: 'Legal name does not match the EIN', fields: ['business_name'] }] });
    const bundles = await standardBundles(h, sub.client);
    const brand = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid });
    await h.sandbox.advance(2 * DELAY);
    const failed = await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch();
    expect(failed.status).toBe('FAILED');
    expect(failed.errors).toEqual([{ code: 30794, description: 'Legal name does not match the EIN', fields: ['business_name'] }]);
    const failure = events().find((e) => e.type.endsWith('brand-failure'))!;
    expect(failure.data).toMatchObject({
      brandstatus: 'registration_failed',
      brandregistrationerrors: [{ registrationerrorcode: 30794, registrationerrordescription: 'Legal name does not match the EIN', registrationerrorfields: ['business_name'], registrationerrorurl: 'https://www.twilio.com/docs/errors/30794' }],
    });
    const resubmitted = await sub.client.messaging.v1.brandRegistrations(brand.sid).update();
    expect(resubmitted.status).toBe('PENDING');
    await h.sandbox.advance(2 * DELAY);
    expect((await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch()).status).toBe('APPROVED');
  });

  it('fails a brand through the [fail:brand] marker and stalls through [stall:brand]', async () => {
    const failing = await approvedBrand('Broken [fail:brand] Inc');
    expect((await sub.client.messaging.v1.brandRegistrations(failing).fetch()).status).toBe('FAILED');
    const stalled = await approvedBrand('Slow [stall:brand] Inc');
    await h.sandbox.advance(30 * 24 * 3600);
    expect((await sub.client.messaging.v1.brandRegistrations(stalled).fetch()).status).toBe('PENDING');
  });

  it('refuses a campaign before the brand is APPROVED (21717), verifies it, then registers its numbers', async () => {
    await subscribeToA2pEvents(sub.client);
    const bundles = await standardBundles(h, sub.client);
    const pending = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid });
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'A2P' });
    await expectTwilioError(sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(pending.sid)), 400, 21717);
    await h.sandbox.advance(2 * DELAY);

    const usecases = await sub.client.messaging.v1.services(service.sid).usAppToPersonUsecases.fetch({ brandRegistrationSid: pending.sid });
    expect(usecases.usAppToPersonUsecases.map((u: { code: string }) => u.code)).toContain('ACCOUNT_NOTIFICATION');
    const number = await sub.client.incomingPhoneNumbers.create({ areaCode: '512' });
    await sub.client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    const campaign = await sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(pending.sid));
    expect(campaign.sid).toMatch(/^QE[0-9a-f]{32}$/);
    expect(campaign.campaignStatus).toBe('IN_PROGRESS');
    await h.sandbox.advance(DELAY);
    const verified = await sub.client.messaging.v1.services(service.sid).usAppToPerson(campaign.sid).fetch();
    expect(verified.campaignStatus).toBe('VERIFIED');
    expect((await sub.client.messaging.v1.services(service.sid).fetch()).usAppToPersonRegistered).toBe(true);
    await h.sandbox.advance(DELAY);
    expect(eventTypes().slice(-4)).toEqual([
      'campaign-registration.campaign-submitted', 'campaign-registration.campaign-approved', 'number-registration.pending', 'number-registration.successful',
    ]);
    const approvedEvent = events().find((e) => e.type.endsWith('campaign-approved'))!;
    expect(approvedEvent.data).toMatchObject({ messagingservicesid: service.sid, brandsid: pending.sid, a2pusecase: 'ACCOUNT_NOTIFICATION' });
    expect(approvedEvent.data.campaignsid).toMatch(/^CM[0-9a-f]{32}$/);
    expect(events().at(-1)!.data).toMatchObject({ phonenumber: number.phoneNumber, phonenumbersid: number.sid, externalstatus: 'registered' });
  });

  it('takes the campaign policy URLs, returns them only under API v1.2, and refuses a malformed one (20001)', async () => {
    const brandSid = await approvedBrand();
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'A2P' });
    const usa2p = sub.client.messaging.v1.services(service.sid).usAppToPerson;
    const urls = { privacyPolicyUrl: 'https://acme.example/privacy', termsAndConditionsUrl: 'https://acme.example/terms' };
    const refused = await expectTwilioError(usa2p.create({ ...campaignInput(brandSid), ...urls, privacyPolicyUrl: 'acme.example/privacy', xTwilioApiVersion: 'v1.2' }), 400, 20001);
    expect(refused.message).toMatch(/PrivacyPolicyUrl/);
    await expectTwilioError(usa2p.create({ ...campaignInput(brandSid), ...urls, termsAndConditionsUrl: 'ftp://acme.example/terms' }), 400, 20001);
    expect(await usa2p.list()).toEqual([]);

    const campaign = await usa2p.create({ ...campaignInput(brandSid), ...urls, xTwilioApiVersion: 'v1.2' });
    expect(campaign).toMatchObject(urls);
    // The raw answers, held to Twilio's spec: the URLs appear only for requests made under v1.2.
    const fetchRaw = async (headers: Record<string, string>) => {
      const url = `${h.sandbox.url}/messaging.twilio.com/v1/Services/${service.sid}/Compliance/Usa2p/${campaign.sid}`;
      const res = await fetch(url, { headers: { Authorization: `Basic ${Buffer.from(`${sub.sid}:${sub.token}`).toString('base64')}`, ...headers } });
      const body = (await res.json()) as Record<string, unknown>;
      expect(validateTwilioResponse({ method: 'GET', url, status: res.status, body })).toEqual([]);
      return body;
    };
    expect(await fetchRaw({ 'X-Twilio-Api-Version': 'v1.2' })).toMatchObject({ privacy_policy_url: urls.privacyPolicyUrl, terms_and_conditions_url: urls.termsAndConditionsUrl });
    const unversioned = await fetchRaw({});
    expect(unversioned).toMatchObject({ sid: campaign.sid });
    expect(unversioned).not.toHaveProperty('privacy_policy_url');
    expect(unversioned).not.toHaveProperty('terms_and_conditions_url');
  });

  it('fails a campaign with 30893 via the [fail:campaign] marker', async () => {
    const brandSid = await approvedBrand('Acme [fail:campaign] LLC');
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'A2P' });
    const campaign = await sub.client.messaging.v1.services(service.sid).usAppToPerson.create(campaignInput(brandSid));
    await h.sandbox.advance(DELAY);
    const failed = await sub.client.messaging.v1.services(service.sid).usAppToPerson(campaign.sid).fetch();
    expect(failed.campaignStatus).toBe('FAILED');
    expect(failed.errors).toEqual([expect.objectContaining({ code: 30893 })]);
    await sub.client.messaging.v1.services(service.sid).usAppToPerson(campaign.sid).remove();
    expect(await sub.client.messaging.v1.services(service.sid).usAppToPerson.list()).toEqual([]);
  });

  it('holds sole proprietor brands UNVERIFIED until the OTP is confirmed; resend and expiry', async () => {
    await subscribeToA2pEvents(sub.client);
    const bundles = await soleProprietorBundles(h, sub.client);
    const brand = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid, brandType: 'SOLE_PROPRIETOR' });
    await h.sandbox.advance(2 * DELAY);
    expect(await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch()).toMatchObject({ status: 'APPROVED', identityStatus: 'UNVERIFIED' });
    await h.sandbox.advance(24 * 3600);
    expect((await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch()).errors).toEqual([expect.objectContaining({ code: 30752 })]);
    expect(eventTypes()).toContain('brand-registration.brand-unverified');

    const otp = await sub.client.messaging.v1.brandRegistrations(brand.sid).brandRegistrationOtps.create();
    expect(otp.brandRegistrationSid).toBe(brand.sid);
    const res = await fetch(`${h.sandbox.url}/__sandbox/brands/${brand.sid}/otp`, { method: 'POST' });
    expect(res.status).toBe(204);
    expect(await sub.client.messaging.v1.brandRegistrations(brand.sid).fetch()).toMatchObject({ identityStatus: 'VERIFIED', errors: [] });
    expect(eventTypes().at(-1)).toBe('brand-registration.brand-verified');
  });

  it('records a dropped event delivery without sending it (lost event → polling)', async () => {
    await subscribeToA2pEvents(sub.client);
    h.sandbox.addRule({ type: 'webhook', action: 'drop', kind: 'event-stream' });
    await approvedBrand();
    expect(events()).toEqual([]);
    const dropped = h.sandbox.webhooks({ kind: 'event-stream' });
    expect(dropped.map((d) => d.outcome)).toEqual(['dropped', 'dropped']);
    expect((await sub.client.messaging.v1.brandRegistrations.list()).map((b) => b.status)).toEqual(['APPROVED']);
  });
});
