import { ConflictError, NotFoundError, ValidationError } from '../../shared/domain/errors';
import { ONBOARDING_STEPS, type OnboardingStep, type StepInput } from '../../shared/services/registration/contract';
import { CAMPAIGN, WEBHOOK_BASE, startRegistrationHarness, type RegistrationHarness } from './registration-support';

jest.setTimeout(30_000);

let h: RegistrationHarness;
beforeAll(async () => {
  h = await startRegistrationHarness('registration');
});
afterAll(() => h?.stop());

let partnerSeq = 0;
const newPartner = () => `ptn_reg_${++partnerSeq}`;
const input = (partnerId: string, customerId: string): StepInput => ({ partnerId, customerId, attempt: 1 });
const PAGE = { limit: 25 };

/** Lets the sandbox's zero-delay reviews happen. */
const review = () => h.sandbox.advance(1);

async function runUntil(i: StepInput, last: OnboardingStep) {
  const outcomes: Record<string, unknown> = {};
  for (const step of ONBOARDING_STEPS) {
    const outcome = await h.steps.run(step, i);
    outcomes[step] = outcome;
    if (step === last) return outcome;
    if (outcome.status === 'waiting') {
      await review();
      const checked = await h.steps.check(step, i);
      if (checked.status !== 'succeeded') return checked;
    } else if (outcome.status !== 'succeeded') return outcome;
  }
  throw new Error('unreachable');
}

describe('a waiting resource Twilio no longer has', () => {
  it('fails the step on its check with Twilio\'s code and a reason that says the resource is gone, telling the partner', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    await h.configure(partnerId, customer.id, { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN });
    const i = input(partnerId, customer.id);
    expect(await runUntil(i, 'brand')).toMatchObject({ status: 'waiting' });
    // A BN Twilio has never heard of stands in for a brand deleted at Twilio.
    await h.onboarding.setSids(partnerId, customer.id, { brandSid: 'BN' + '0'.repeat(32) }, new Date().toISOString());
    const checked = await h.steps.check('brand', i);
    expect(checked).toMatchObject({ status: 'failed', errors: [{ code: 20404, message: expect.stringContaining('Twilio no longer has the resource this step waits on'), fields: [] }] });
    const told = h.events.events.filter((e) => e.partnerId === partnerId && e.type === 'brand.updated').at(-1);
    expect(told?.data).toMatchObject({ status: 'failed' });
  });
});

describe('Standard brand, end to end through the steps', () => {
  it('registers brand, campaign and numbers, storing every SID and telling the partner', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    const policyUrls = { privacyPolicyUrl: 'https://acme.example.com/privacy', termsAndConditionsUrl: 'https://acme.example.com/terms' };
    await h.configure(partnerId, customer.id, { brandType: 'STANDARD', mock: true, campaign: { ...CAMPAIGN, ...policyUrls }, numbers: { country: 'US', count: 2, areaCode: 512 } });
    const i = input(partnerId, customer.id);

    const brand = await runUntil(i, 'brand');
    expect(brand).toMatchObject({ status: 'waiting', waitingFor: expect.stringMatching(/^brand:BN[0-9a-f]{32}$/) });
    await review();
    expect(await h.steps.check('brand', i)).toMatchObject({ status: 'succeeded' });

    expect(await h.steps.run('messagingService', i)).toMatchObject({ status: 'succeeded' });
    const campaign = await h.steps.run('campaign', i);
    const record = (await h.onboarding.get(partnerId, customer.id))!;
    expect(campaign).toMatchObject({ status: 'waiting', waitingFor: `campaign:${record.sids.messagingServiceSid}` });
    await review();
    expect(await h.steps.check('campaign', i)).toMatchObject({ status: 'succeeded' });

    const numbers = await h.steps.run('numbers', i);
    expect(numbers).toMatchObject({ status: 'waiting', waitingFor: expect.stringMatching(/^number:PN/) });
    await review();
    await h.deliverNumberEvents();
    expect(await h.steps.check('numbers', i)).toMatchObject({ status: 'succeeded' });

    const final = (await h.onboarding.get(partnerId, customer.id))!;
    for (const key of ['accountSid', 'eventSinkSid', 'eventSubscriptionSid', 'customerProfileSid', 'businessEndUserSid', 'representativeEndUserSid', 'addressSid', 'addressDocumentSid', 'trustProductSid', 'messagingProfileEndUserSid', 'brandSid', 'messagingServiceSid', 'campaignSid']) {
      expect(final.sids[key]).toMatch(/^[A-Z]{2}[0-9a-f]{32}$/);
    }
    expect(Object.values(final.steps).map((s) => s!.status)).toEqual(ONBOARDING_STEPS.map(() => 'succeeded'));
    const owned = await h.onboarding.listNumbers(partnerId, customer.id);
    expect(owned).toHaveLength(2);
    expect(owned.every((n) => n.status === 'registered' && n.messagingServiceSid === final.sids.messagingServiceSid && /^\+1512/.test(n.phoneNumber))).toBe(true);
    expect(await h.onboarding.numberOwner(owned[0]!.phoneNumber)).toEqual({ partnerId, customerId: customer.id });

    // Twilio saw the exact attribute names, the primary profile, the webhook URLs and the sink destination.
    const business = h.sandbox.requests({ method: 'POST', path: '/v1/EndUsers' }).find((r) => r.params.Type === 'customer_profile_business_information')!;
    expect(JSON.parse(String(business.params.Attributes))).toMatchObject({
      business_name: customer.legalName, business_registration_identifier: 'EIN', business_registration_number: '12-3456789', business_identity: 'direct_customer', website_url: customer.website,
    });
    const assigned = h.sandbox.requests({ method: 'POST', path: `/v1/CustomerProfiles/${final.sids.customerProfileSid}/EntityAssignments` }).map((r) => r.params.ObjectSid);
    expect(assigned).toContain(h.sandbox.primaryCustomerProfileSid);
    const sink = h.sandbox.requests({ method: 'POST', path: '/v1/Sinks', accountSid: final.sids.accountSid }).at(-1)!;
    expect(JSON.parse(String(sink.params.SinkConfiguration)).destination).toBe(`${WEBHOOK_BASE}/events?accountSid=${final.sids.accountSid}`);
    const service = h.sandbox.requests({ method: 'POST', path: '/v1/Services', accountSid: final.sids.accountSid })[0]!;
    expect(service.params).toMatchObject({ InboundRequestUrl: `${WEBHOOK_BASE}/inbound`, StatusCallback: `${WEBHOOK_BASE}/status`, UseInboundWebhookOnNumber: 'false' });
    const brandCreate = h.sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: final.sids.accountSid })[0]!;
    expect(brandCreate.params).toMatchObject({ Mock: 'true', SkipAutomaticSecVet: 'false' });
    const campaignCreate = h.sandbox.requests({ method: 'POST', path: `/v1/Services/${final.sids.messagingServiceSid}/Compliance/Usa2p` });
    expect(campaignCreate.map((r) => r.params)).toEqual([expect.objectContaining({ PrivacyPolicyUrl: policyUrls.privacyPolicyUrl, TermsAndConditionsUrl: policyUrls.termsAndConditionsUrl })]);
    // Numbers joined the service only after the campaign was verified.
    const attachSeq = h.sandbox.requests({ method: 'POST', path: /\/PhoneNumbers$/ }).map((r) => r.seq);
    const campaignCheck = h.sandbox.requests({ method: 'GET', path: `/v1/Services/${final.sids.messagingServiceSid}/Compliance/Usa2p/${final.sids.campaignSid}` }).map((r) => r.seq);
    expect(Math.min(...attachSeq)).toBeGreaterThan(Math.min(...campaignCheck));

    const types = h.events.events.filter((e) => e.partnerId === partnerId).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['onboarding.step.updated', 'brand.updated', 'campaign.updated', 'number.updated']));
    const brandEvents = h.events.events.filter((e) => e.partnerId === partnerId && e.type === 'brand.updated').map((e) => e.data.status);
    expect(brandEvents).toEqual(['waiting', 'succeeded']);

    // Re-running every step creates nothing new on Twilio.
    const before = h.sandbox.requests({ method: 'POST', accountSid: final.sids.accountSid }).length;
    const deletes = h.sandbox.requests({ method: 'DELETE' }).length;
    for (const step of ONBOARDING_STEPS) expect((await h.steps.run(step, i)).status).toBe('succeeded');
    const after = h.sandbox.requests({ method: 'POST', accountSid: final.sids.accountSid });
    expect(after.slice(before)).toEqual([]);
    expect(h.sandbox.requests({ method: 'DELETE' }).length).toBe(deletes);
  });
});

describe('brand variants', () => {
  it('sends SkipAutomaticSecVet=true for a low-volume standard brand only', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    await h.configure(partnerId, customer.id, { brandType: 'LOW_VOLUME_STANDARD', mock: true });
    expect(await runUntil(input(partnerId, customer.id), 'brand')).toMatchObject({ status: 'waiting' });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    const create = h.sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: sids.accountSid });
    expect(create.map((r) => r.params)).toEqual([expect.objectContaining({ SkipAutomaticSecVet: 'true', BrandType: 'STANDARD' })]);
  });

  it('registers a sole proprietor with the starter profile and waits for the OTP reply', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId, { businessType: 'Sole Proprietorship', registration: undefined, legalName: 'Ana Diaz', displayName: 'Ana Tutoring', industry: 'EDUCATION' });
    await h.configure(partnerId, customer.id, { brandType: 'SOLE_PROPRIETOR', campaign: { ...CAMPAIGN, useCase: 'SOLE_PROPRIETOR' } });
    const i = input(partnerId, customer.id);
    expect(await runUntil(i, 'brand')).toMatchObject({ status: 'waiting' });
    await review();
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    expect(await h.steps.check('brand', i)).toMatchObject({ status: 'waiting', waitingFor: `brand-otp:${sids.brandSid}` });

    const policies = h.sandbox.requests({ method: 'POST', accountSid: sids.accountSid }).filter((r) => r.path === '/v1/CustomerProfiles' || r.path === '/v1/TrustProducts').map((r) => r.params.PolicySid);
    expect(policies).toEqual(['RN806dd6cd175f314e1f96a9727ee271f4', 'RN670d5d2e282a6130ae063b234b6019c8']);
    const brandCreate = h.sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: sids.accountSid })[0]!;
    expect(brandCreate.params).toMatchObject({ BrandType: 'SOLE_PROPRIETOR' });
    const soleProp = h.sandbox.requests({ method: 'POST', path: '/v1/EndUsers', accountSid: sids.accountSid }).find((r) => r.params.Type === 'sole_proprietor_information')!;
    expect(JSON.parse(String(soleProp.params.Attributes))).toEqual({ brand_name: 'Ana Tutoring', vertical: 'EDUCATION', mobile_phone_number: customer.contact.phone });

    await h.sandbox.confirmBrandOtp(sids.brandSid!);
    expect(await h.steps.check('brand', i)).toMatchObject({ status: 'succeeded' });
    expect(await h.steps.run('messagingService', i)).toMatchObject({ status: 'succeeded' });
    expect(await h.steps.run('campaign', i)).toMatchObject({ status: 'waiting' });
  });

  it('fails a noncompliant customer profile with the fields to fix and never submits it', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId, { legalName: 'Acme [noncompliant] LLC' });
    await h.configure(partnerId, customer.id, { mock: true });
    const outcome = await runUntil(input(partnerId, customer.id), 'brand');
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.errors).toEqual([expect.objectContaining({ code: 22218, fields: ['legalName'], twilioFields: ['business_name'] })]);
    const { sids, steps } = (await h.onboarding.get(partnerId, customer.id))!;
    expect(steps.customerProfile).toMatchObject({ status: 'failed', errors: outcome.errors });
    expect(h.sandbox.requests({ method: 'POST', path: `/v1/CustomerProfiles/${sids.customerProfileSid}` })).toEqual([]);
    expect(h.sandbox.requests({ method: 'POST', path: '/v1/TrustProducts', accountSid: sids.accountSid })).toEqual([]);
  });

  it('resubmits a FAILED brand after the customer is fixed, without a second brand', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId, { legalName: 'Acme Widgets [fail:brand] LLC' });
    await h.configure(partnerId, customer.id, { mock: true });
    const i = input(partnerId, customer.id);
    await runUntil(i, 'brand');
    await review();
    const failed = await h.steps.check('brand', i);
    expect(failed).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ code: 30794, fields: ['legalName', 'registration.number'] })] });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;

    await expect(h.service.resubmitBrand(newPartner(), customer.id, sids.brandSid!)).rejects.toBeInstanceOf(NotFoundError);
    const current = (await h.customers.get(partnerId, customer.id))!;
    await h.customers.replace({ ...current, legalName: 'Acme Widgets LLC', version: current.version + 1 }, current.version);
    const view = await h.service.resubmitBrand(partnerId, customer.id, sids.brandSid!);
    expect(view).toMatchObject({ id: sids.brandSid, status: 'waiting' });
    const update = h.sandbox.requests({ method: 'POST', path: `/v1/EndUsers/${sids.businessEndUserSid}` });
    expect(JSON.parse(String(update[0]!.params.Attributes))).toMatchObject({ business_name: 'Acme Widgets LLC' });
    await review();
    expect(await h.steps.check('brand', i)).toMatchObject({ status: 'succeeded' });
    expect(h.sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: sids.accountSid })).toHaveLength(1);
    expect(h.sandbox.requests({ method: 'POST', path: `/v1/a2p/BrandRegistrations/${sids.brandSid}` })).toHaveLength(1);
    expect((await h.onboarding.get(partnerId, customer.id))!.steps.brand).toMatchObject({ status: 'succeeded', run: 2 });
  });

  it('adopts a brand an earlier attempt registered but never stored, instead of paying for a second', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    await h.configure(partnerId, customer.id, { mock: true });
    const i = input(partnerId, customer.id);
    expect(await runUntil(i, 'trustProduct')).toMatchObject({ status: 'succeeded' });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    // The crash: Twilio registered the brand, the answer never reached us, so no BN was stored.
    const creds = await h.deps.subaccounts.credentials(partnerId, customer.id);
    const lost = await h.deps.twilio.createBrandRegistration(creds, {
      customerProfileBundleSid: sids.customerProfileSid!,
      a2pProfileBundleSid: sids.trustProductSid!,
      mock: true,
    });
    const before = h.posts('/v1/a2p/BrandRegistrations');
    expect(await h.steps.run('brand', i)).toMatchObject({ sids: { brandSid: lost.sid } });
    expect(h.posts('/v1/a2p/BrandRegistrations')).toBe(before);
    expect((await h.onboarding.get(partnerId, customer.id))!.sids.brandSid).toBe(lost.sid);
  });

  it('retries a throttled brand registration and still creates exactly one brand', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    await h.configure(partnerId, customer.id, { mock: true });
    h.sandbox.addRule({ type: 'throttle', path: '/v1/a2p/BrandRegistrations', method: 'POST', times: 2 });
    expect(await runUntil(input(partnerId, customer.id), 'brand')).toMatchObject({ status: 'waiting' });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    const attempts = h.sandbox.requests({ method: 'POST', path: '/v1/a2p/BrandRegistrations', accountSid: sids.accountSid });
    expect(attempts.map((r) => r.status)).toEqual([429, 429, 201]);
  });
});

describe('campaigns', () => {
  async function approvedBrand(useCase = CAMPAIGN) {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    await h.configure(partnerId, customer.id, { mock: true, campaign: useCase });
    const i = input(partnerId, customer.id);
    await runUntil(i, 'brand');
    await review();
    expect(await h.steps.check('brand', i)).toMatchObject({ status: 'succeeded' });
    expect(await h.steps.run('messagingService', i)).toMatchObject({ status: 'succeeded' });
    return { partnerId, customer, i };
  }

  it('deletes a FAILED campaign and submits it again, never two on one service', async () => {
    const { partnerId, customer, i } = await approvedBrand();
    h.sandbox.addRule({ type: 'fail', step: 'campaign', times: 1 });
    expect(await h.steps.run('campaign', i)).toMatchObject({ status: 'waiting' });
    await review();
    const failed = await h.steps.check('campaign', i);
    expect(failed).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ code: 30893, fields: ['campaign.messageSamples', 'campaign.useCase'] })] });
    const first = (await h.onboarding.get(partnerId, customer.id))!.sids.campaignSid;

    expect(await h.steps.run('campaign', i)).toMatchObject({ status: 'waiting' });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    expect(sids.campaignSid).not.toBe(first);
    expect(h.sandbox.requests({ method: 'DELETE', path: `/v1/Services/${sids.messagingServiceSid}/Compliance/Usa2p/${first}` })).toHaveLength(1);
    await review();
    expect(await h.steps.check('campaign', i)).toMatchObject({ status: 'succeeded' });
    const creates = h.sandbox.requests({ method: 'POST', path: `/v1/Services/${sids.messagingServiceSid}/Compliance/Usa2p` });
    expect(creates).toHaveLength(2);
    // No policy URLs given, none sent.
    for (const create of creates) {
      expect(create.params).not.toHaveProperty('PrivacyPolicyUrl');
      expect(create.params).not.toHaveProperty('TermsAndConditionsUrl');
    }
  });

  it('refuses invalid campaign content before any Twilio call', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    const before = h.sandbox.requests().length;
    const bad = { ...CAMPAIGN, description: 'too short', messageSamples: ['only one sample, long enough'], optOutKeywords: ['STOP NOW'] };
    const error = await h.configure(partnerId, customer.id, { campaign: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).errors!.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['campaign.description', 'campaign.messageSamples', 'campaign.optOutKeywords.0', 'campaign.optOutMessage']));
    await expect(h.configure(partnerId, customer.id, { campaign: { ...CAMPAIGN, useCase: 'SOLE_PROPRIETOR' } })).rejects.toBeInstanceOf(ValidationError);
    expect(h.sandbox.requests().length).toBe(before);
  });

  it('fails a use case the brand is not offered without creating a campaign', async () => {
    const { partnerId, customer, i } = await approvedBrand({ ...CAMPAIGN, useCase: 'PROXY' });
    const outcome = await h.steps.run('campaign', i);
    expect(outcome).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ code: 'usecase-not-offered', fields: ['campaign.useCase'] })] });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    expect(h.sandbox.requests({ method: 'POST', path: `/v1/Services/${sids.messagingServiceSid}/Compliance/Usa2p` })).toEqual([]);
  });
});

describe('numbers', () => {
  it('claims a number for one customer platform-wide', async () => {
    const a = { partnerId: newPartner(), customerId: 'cus_a' };
    const b = { partnerId: newPartner(), customerId: 'cus_b' };
    const at = new Date().toISOString();
    const row = (t: typeof a) => ({ ...t, phoneNumber: '+15125550999', status: 'claimed' as const, createdAt: at, updatedAt: at });
    expect(await h.onboarding.claimNumber(row(a))).toBe('claimed');
    expect(await h.onboarding.claimNumber(row(b))).toBe('taken');
    expect(await h.onboarding.claimNumber(row(a))).toBe('mine');
    const release = () => h.deps.events.appendWith(a.partnerId, [{ type: 'number.updated', customerId: a.customerId, data: { phoneNumber: '+15125550999', status: 'released' } }], h.onboarding.releaseNumberItems(a.partnerId, a.customerId, '+15125550999', at));
    expect(await release()).toMatchObject({ committed: true });
    // Released already: the repeat writes nothing and tells nothing.
    expect(await release()).toMatchObject({ committed: false });
    expect(await h.onboarding.claimNumber(row(b))).toBe('claimed');
    expect(await h.onboarding.numberOwner('+15125550999')).toEqual(b);
  });

  it('skips a number another customer owns, buys in the subaccount, and releases detach-first', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    await h.configure(partnerId, customer.id, { mock: true, numbers: { country: 'US', count: 1, areaCode: 737 } });
    const i = input(partnerId, customer.id);
    expect(await h.steps.run('subaccount', i)).toMatchObject({ status: 'succeeded' });
    const { sids } = (await h.onboarding.get(partnerId, customer.id))!;
    const [first] = await h.deps.twilio.searchAvailableNumbers(await h.deps.subaccounts.credentials(partnerId, customer.id), { countryCode: 'US', areaCode: 737, smsEnabled: true, limit: 1 });
    const at = new Date().toISOString();
    expect(await h.onboarding.claimNumber({ partnerId: 'ptn_other', customerId: 'cus_other', phoneNumber: first!.phoneNumber, status: 'claimed', createdAt: at, updatedAt: at })).toBe('claimed');

    // Before the campaign is verified, numbers are bought but not attached.
    expect(await h.steps.run('numbers', i)).toMatchObject({ status: 'waiting', waitingFor: 'campaign:none' });
    const [bought] = await h.onboarding.listNumbers(partnerId, customer.id);
    expect(bought).toMatchObject({ status: 'purchased', sid: expect.stringMatching(/^PN/) });
    expect(bought!.phoneNumber).not.toBe(first!.phoneNumber);
    const purchase = h.sandbox.requests({ method: 'POST', path: `/2010-04-01/Accounts/${sids.accountSid}/IncomingPhoneNumbers.json` });
    expect(purchase.map((r) => r.params)).toEqual([expect.objectContaining({ PhoneNumber: bought!.phoneNumber, SmsUrl: `${WEBHOOK_BASE}/inbound` })]);
    expect(h.sandbox.requests({ method: 'POST', path: /\/PhoneNumbers$/ , accountSid: sids.accountSid })).toEqual([]);

    await expect(h.service.releaseNumber(newPartner(), customer.id, bought!.sid!)).rejects.toBeInstanceOf(NotFoundError);
    await h.service.releaseNumber(partnerId, customer.id, bought!.sid!);
    expect(h.sandbox.requests({ method: 'DELETE', path: `/2010-04-01/Accounts/${sids.accountSid}/IncomingPhoneNumbers/${bought!.sid}.json` })).toHaveLength(1);
    expect(await h.onboarding.numberOwner(bought!.phoneNumber)).toBeUndefined();
    expect(await h.service.listNumbers(partnerId, customer.id)).toEqual([]);
  });
});

describe('resource service', () => {
  it('says what is missing when numbers are asked for before the customer has a subaccount, and writes nothing', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    const refused = h.service.addNumbers(partnerId, customer.id, { country: 'US', count: 1 });
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toThrow(`has no Twilio subaccount yet, and numbers are bought in it: start the onboarding (POST /v1/customers/${customer.id}/onboarding)`);
    expect(await h.service.listNumbers(partnerId, customer.id)).toEqual([]);
    await expect(h.service.listBrands(partnerId, customer.id, PAGE)).resolves.toEqual({ data: [], nextCursor: null });
  });

  it('drives the brand and campaign for a partner, and hides another partner’s customer', async () => {
    const partnerId = newPartner();
    const customer = await h.createCustomer(partnerId);
    const brand = await h.service.registerBrand(partnerId, customer.id, { brandType: 'STANDARD', mock: true });
    expect(brand).toMatchObject({ id: expect.stringMatching(/^BN/), status: 'waiting', brandType: 'STANDARD' });
    await expect(h.service.registerCampaign(partnerId, customer.id, CAMPAIGN)).rejects.toBeInstanceOf(ConflictError);
    await review();
    expect(await h.service.listBrands(partnerId, customer.id, PAGE)).toEqual({ data: [expect.objectContaining({ id: brand.id, status: 'succeeded' })], nextCursor: null });
    const campaign = await h.service.registerCampaign(partnerId, customer.id, CAMPAIGN);
    expect(campaign).toMatchObject({ id: expect.stringMatching(/^QE/), status: 'waiting', useCase: 'ACCOUNT_NOTIFICATION' });
    await expect(h.service.listBrands(newPartner(), customer.id, PAGE)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.service.listCampaigns(newPartner(), customer.id, PAGE)).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.service.registerBrand(partnerId, customer.id, { brandType: 'LOW_VOLUME_STANDARD', mock: true })).rejects.toBeInstanceOf(ConflictError);
  });
});
