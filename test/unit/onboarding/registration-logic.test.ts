import { CampaignOptionsSchema, OnboardingOptionsSchema, crossCheck } from '../../../shared/domain/onboarding';
import { stepErrorsFromTwilio } from '../../../shared/domain/registration';
import { brandOutcome } from '../../../shared/services/registration/brand-step';
import { campaignOptionErrors, campaignOutcome } from '../../../shared/services/registration/campaign-step';
import { registrationEventTarget, toE164 } from '../../../shared/services/registration/events';
import { evaluationErrors } from '../../../shared/services/registration/trust-bundles';
import type { BrandRegistration, Campaign } from '../../../shared/twilio/gateway';
import { validCustomer } from '../../support/fixtures';

const customer = (overrides = {}) => ({ ...validCustomer(overrides), id: 'cus_1', status: 'active' as const, createdAt: '', updatedAt: '' });
const campaign = {
  useCase: 'ACCOUNT_NOTIFICATION',
  description: 'Appointment reminders and confirmations for customers of Acme.',
  messageFlow: 'Customers opt in on https://acme.example.com/book by ticking an SMS consent box.',
  messageSamples: ['Acme: your appointment is tomorrow at [time]. Reply STOP to opt out.', 'Acme: please confirm your visit on [date]. Reply STOP.'],
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
};

describe('campaign options', () => {
  it.each([
    ['description under 40 characters', { description: 'x'.repeat(39) }, 'description'],
    ['messageFlow over 2048 characters', { messageFlow: 'x'.repeat(2049) }, 'messageFlow'],
    ['one sample', { messageSamples: [campaign.messageSamples[0]] }, 'messageSamples'],
    ['six samples', { messageSamples: Array(6).fill(campaign.messageSamples[0]) }, 'messageSamples'],
    ['a short sample', { messageSamples: [campaign.messageSamples[0], 'too short'] }, 'messageSamples.1'],
    ['a keyword with a space', { optOutKeywords: ['STOP NOW'], optOutMessage: 'You are unsubscribed from Acme alerts.' }, 'optOutKeywords.0'],
    ['keywords over 255 characters', { helpKeywords: Array(30).fill('K'.repeat(9)), helpMessage: 'Acme help: call us at the number on our site.' }, 'helpKeywords'],
    ['keywords without their message', { optInKeywords: ['JOIN'] }, 'optInMessage'],
    ['a reply under 20 characters', { optOutKeywords: ['STOP'], optOutMessage: 'Bye' }, 'optOutMessage'],
    ['an http privacy policy', { privacyPolicyUrl: 'http://acme.example.com/privacy' }, 'privacyPolicyUrl'],
    ['an unknown field', { brandName: 'Acme' }, ''],
  ])('refuses %s', (_name, patch, path) => {
    const result = CampaignOptionsSchema.safeParse({ ...campaign, ...patch });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts content within every limit and points step errors at campaign fields', () => {
    expect(CampaignOptionsSchema.safeParse(campaign).success).toBe(true);
    expect(campaignOptionErrors({ ...campaign, messageSamples: [campaign.messageSamples[0], 'short'] }).errors.map((e) => e.fields)).toEqual([['campaign.messageSamples[1]']]);
    expect(campaignOptionErrors(undefined).errors[0]!.fields).toEqual(['campaign']);
  });

  it('limits number preferences to 1–5 US numbers', () => {
    expect(OnboardingOptionsSchema.safeParse({ numbers: { count: 6 } }).success).toBe(false);
    expect(OnboardingOptionsSchema.safeParse({ numbers: { country: 'CA' } }).success).toBe(false);
    expect(OnboardingOptionsSchema.parse({ numbers: { areaCode: 512 } }).numbers).toEqual({ country: 'US', count: 1, areaCode: 512 });
  });
});

describe('cross-checks with the customer', () => {
  const fields = (c: ReturnType<typeof customer>, o: object) => crossCheck(c, OnboardingOptionsSchema.parse(o)).flatMap((e) => e.fields);

  it('requires a sole proprietor without EIN and with the SOLE_PROPRIETOR use case', () => {
    const soleProp = customer({ businessType: 'Sole Proprietorship', registration: undefined });
    expect(fields(soleProp, { brandType: 'SOLE_PROPRIETOR', campaign: { ...campaign, useCase: 'SOLE_PROPRIETOR' } })).toEqual([]);
    expect(fields(soleProp, { brandType: 'SOLE_PROPRIETOR', campaign })).toEqual(['campaign.useCase']);
    expect(fields(customer(), { brandType: 'SOLE_PROPRIETOR' })).toEqual(expect.arrayContaining(['businessType', 'registration']));
    expect(fields(soleProp, { brandType: 'STANDARD' })).toEqual(['registration', 'brandType']);
    expect(fields(customer(), { campaign: { ...campaign, useCase: 'SOLE_PROPRIETOR' } })).toEqual(['campaign.useCase']);
  });

  it('requires a ticker for public companies', () => {
    expect(fields(customer({ companyType: 'public' }), {})).toEqual(['stockExchange', 'stockTicker']);
    expect(fields(customer({ companyType: 'public', stockExchange: 'NASDAQ', stockTicker: 'ACME' }), {})).toEqual([]);
  });
});

describe('Twilio findings → customer fields', () => {
  it('maps brand and campaign errors by field, or by code when Twilio names none', () => {
    expect(stepErrorsFromTwilio([{ code: 30794, description: 'EIN mismatch', fields: ['business_name', 'business_registration_number'] }], 'x')).toEqual([
      { code: 30794, message: 'EIN mismatch', fields: ['legalName', 'registration.number'], twilioFields: ['business_name', 'business_registration_number'] },
    ]);
    expect(stepErrorsFromTwilio([{ code: 30889, description: 'phone mismatch' }], 'x')[0]!.fields).toEqual(['campaign.hasEmbeddedPhone']);
    expect(stepErrorsFromTwilio([], 'rejected')).toEqual([{ code: 'unknown', message: 'rejected', fields: [] }]);
  });

  it('maps evaluation results, including a whole missing item', () => {
    const errors = evaluationErrors({
      sid: 'EL1', bundleSid: 'BU1', status: 'noncompliant',
      results: [
        { requirement: 'Rep', objectType: 'authorized_representative_1', passed: false, failureReason: null, errorCode: 22218, invalidFields: [{ field: 'phone_number', friendlyName: 'Phone', failureReason: 'not E.164', errorCode: 22218 }] },
        { requirement: 'Address', objectType: 'customer_profile_address', passed: false, failureReason: 'missing', errorCode: 22216, invalidFields: [] },
        { requirement: 'Business', objectType: 'customer_profile_business_information', passed: true, failureReason: null, errorCode: null, invalidFields: [] },
      ],
    });
    expect(errors).toEqual([
      { code: 22218, message: 'not E.164', fields: ['contact.phone'], twilioFields: ['phone_number'] },
      { code: 22216, message: 'missing', fields: ['address'] },
    ]);
  });
});

describe('status folding', () => {
  const brand = (patch: Partial<BrandRegistration>): BrandRegistration => ({
    sid: 'BN1', status: 'PENDING', identityStatus: 'SELF_DECLARED', brandType: 'STANDARD', tcrId: null, brandScore: null, mock: true, skipAutomaticSecVet: false, customerProfileBundleSid: null, a2pProfileBundleSid: null, failureReason: null, errors: [], ...patch,
  });

  it('waits for review, then for the sole proprietor OTP', () => {
    expect(brandOutcome(brand({ status: 'IN_REVIEW' }), false)).toEqual({ status: 'waiting', waitingFor: 'brand:BN1', sids: { brandSid: 'BN1' } });
    expect(brandOutcome(brand({ status: 'APPROVED', identityStatus: 'UNVERIFIED' }), true)).toMatchObject({ status: 'waiting', waitingFor: 'brand-otp:BN1' });
    expect(brandOutcome(brand({ status: 'APPROVED', identityStatus: 'VERIFIED' }), true)).toMatchObject({ status: 'succeeded' });
    expect(brandOutcome(brand({ status: 'APPROVED', identityStatus: 'UNVERIFIED', errors: [{ code: 30752, fields: ['mobile_phone_number'] }] }), true)).toMatchObject({
      status: 'failed', errors: [{ code: 30752, fields: ['contact.phone'] }],
    });
    expect(brandOutcome(brand({ status: 'FAILED', errors: [{ code: 30794, description: 'x', fields: [] }] }), false)).toMatchObject({ status: 'failed', errors: [{ fields: ['legalName', 'registration.number'] }] });
  });

  it('waits on the messaging service for a campaign', () => {
    const c: Campaign = { sid: 'QE1', messagingServiceSid: 'MG1', brandRegistrationSid: 'BN1', usecase: 'MIXED', status: 'IN_PROGRESS', campaignId: null, mock: true, errors: [] };
    expect(campaignOutcome(c)).toEqual({ status: 'waiting', waitingFor: 'campaign:MG1', sids: { campaignSid: 'QE1', messagingServiceSid: 'MG1' } });
    expect(campaignOutcome({ ...c, status: 'VERIFIED' }).status).toBe('succeeded');
    expect(campaignOutcome({ ...c, status: 'FAILED', errors: [{ code: 30893 }] })).toMatchObject({ status: 'failed', errors: [{ code: 30893 }] });
  });
});

describe('Event Streams → waiting keys', () => {
  const event = (type: string, data: unknown) => ({ specversion: '1.0', type: `com.twilio.messaging.compliance.${type}`, id: 'EV1', data });

  it('finds the step an event resumes', () => {
    expect(registrationEventTarget(event('brand-registration.brand-failure', { accountsid: 'AC1', brandsid: 'BN1' }))).toEqual({ accountSid: 'AC1', waitingKeys: ['brand:BN1', 'brand-otp:BN1'] });
    expect(registrationEventTarget(event('campaign-registration.campaign-approved', { accountsid: 'AC1', campaignsid: 'CM1', messagingservicesid: 'MG1' }))).toEqual({ accountSid: 'AC1', waitingKeys: ['campaign:MG1'] });
    expect(registrationEventTarget(event('number-registration.failed', JSON.stringify({ accountsid: 'AC1', phonenumbersid: 'PN1', phonenumber: '5125550100', failureReason: 'carrier' })))).toEqual({
      accountSid: 'AC1', waitingKeys: ['number:PN1'], number: { phoneNumberSid: 'PN1', phoneNumber: '+15125550100', outcome: 'failed', failureReason: 'carrier' },
    });
    expect(registrationEventTarget({ type: 'com.twilio.messaging.message.sent', data: { accountsid: 'AC1' } })).toBeUndefined();
    expect(registrationEventTarget(event('brand-registration.brand-registered', { brandsid: 'BN1' }))).toBeUndefined();
  });

  it('normalises phone numbers to E.164', () => {
    expect(toE164('+1 (512) 555-0100')).toBe('+15125550100');
    expect(toE164('5125550100')).toBe('+15125550100');
    expect(toE164(null)).toBeNull();
  });
});
