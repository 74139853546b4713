import type { Customer } from '../../../shared/domain/customer';
import { OnboardingOptionsSchema, type CampaignOptions } from '../../../shared/domain/onboarding';
import { contentFindings, mergeOptions, numberFindings, reportOf, type PreflightFinding } from '../../../shared/services/registration/preflight';
import type { AvailableNumber } from '../../../shared/twilio/gateway';
import { validCustomer } from '../../support/fixtures';

const customer = (overrides: Partial<Customer> = {}): Customer => ({
  ...validCustomer(),
  id: 'cus_1',
  status: 'active',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const CAMPAIGN: CampaignOptions = OnboardingOptionsSchema.parse({
  campaign: {
    useCase: 'ACCOUNT_NOTIFICATION',
    description: 'Acme sends order confirmations and delivery updates to customers who ordered online.',
    messageFlow: 'Customers opt in by checking an SMS box at checkout on https://acme.example.com/checkout.',
    messageSamples: ['Acme: your order [order_id] has shipped. Reply STOP to opt out.', 'Acme: your order [order_id] was delivered. Reply HELP for help.'],
    hasEmbeddedLinks: false,
    hasEmbeddedPhone: false,
  },
}).campaign!;
const options = (overrides: Record<string, unknown> = {}, campaign: Partial<CampaignOptions> = {}) =>
  OnboardingOptionsSchema.parse({ brandType: 'STANDARD', campaign: { ...CAMPAIGN, ...campaign }, ...overrides });
const codes = (findings: PreflightFinding[]) => findings.map((f) => `${f.severity} ${f.code} ${f.field}`);

describe('preflight: the customer', () => {
  it('passes a complete customer with a good campaign', () => {
    expect(contentFindings(customer(), options())).toEqual([]);
  });

  it.each([
    ['00-0000000', false],
    ['07-1234567', false],
    ['89-1234567', false],
    ['11-1111111', false],
    ['01-2345678', true],
    ['98-7654321', true],
    ['123456789', true],
  ])('EIN %s is %s', (number, valid) => {
    const findings = contentFindings(customer({ registration: { type: 'EIN', number } }), options());
    expect(codes(findings)).toEqual(valid ? [] : ['error ein-invalid customer.registration.number']);
  });

  it.each([
    ['US', '94105', true],
    ['US', '94105-1234', true],
    ['US', '9410', false],
    ['US', 'SW1A 1AA', false],
    ['CA', 'K1A 0B1', true],
    ['CA', 'k1a0b1', true],
    ['CA', 'D1A 0B1', false],
    ['CA', '12345', false],
    ['GB', 'SW1A 1AA', true],
  ])('a %s postal code %s is %s', (isoCountry, postalCode, valid) => {
    const c = customer({ address: { ...validCustomer().address, isoCountry, postalCode } });
    expect(codes(contentFindings(c, options())).filter((f) => f.includes('postal'))).toEqual(valid ? [] : ['error postal-code-invalid customer.address.postalCode']);
  });

  it('checks the phone with the numbering plan, the website scheme, and the registration a US brand needs', () => {
    const c = customer({
      contact: { ...validCustomer().contact, phone: '+11005550100' },
      website: 'http://acme.example.com',
      registration: { type: 'Other', number: 'X-1' },
    });
    expect(codes(contentFindings(c, options()))).toEqual([
      'error registration-type customer.registration.type',
      'error phone-invalid customer.contact.phone',
      'warning website-not-https customer.website',
    ]);
  });

  it('maps the brand type rules onto customer and option fields', () => {
    const c = customer({ companyType: 'public' });
    expect(codes(contentFindings(c, options()))).toEqual(['error brand-type-mismatch customer.stockExchange', 'error brand-type-mismatch customer.stockTicker']);
    const sole = customer({ businessType: 'Sole Proprietorship', registration: undefined, contact: { ...validCustomer().contact, phone: '+447911123456' } });
    expect(codes(contentFindings(sole, options({ brandType: 'SOLE_PROPRIETOR' }, { useCase: 'SOLE_PROPRIETOR' })))).toEqual(['error sole-proprietor-phone customer.contact.phone']);
    expect(codes(contentFindings(sole, options({ brandType: 'SOLE_PROPRIETOR' })))).toContain('error brand-type-mismatch options.campaign.useCase');
  });

  it('requires the campaign content', () => {
    expect(codes(contentFindings(customer(), OnboardingOptionsSchema.parse({})))).toEqual(['error campaign-missing options.campaign']);
  });
});

describe('preflight: the campaign content', () => {
  const check = (campaign: Partial<CampaignOptions>) => codes(contentFindings(customer(), options({}, campaign)));

  it('wants the brand named and a way to opt out', () => {
    expect(check({ messageSamples: ['Your order has shipped and will arrive soon.', 'Your order was delivered today, enjoy it.'] })).toEqual([
      'error samples-without-brand options.campaign.messageSamples',
      'error samples-without-opt-out options.campaign.messageSamples',
    ]);
    // The display name without its suffix counts: "Acme" names "Acme Inc".
    expect(codes(contentFindings(customer({ displayName: 'Acme Inc', legalName: 'Acme Holdings, L.L.C.' }), options()))).toEqual([]);
    // The legal name counts as the brand; "end of the day" is not opt-out language, "text END" is.
    expect(check({ messageSamples: ['Acme Widgets LLC: your order ships by the end of the day.', 'Your order was delivered. Text END to stop these.'] })).toEqual([
      'warning sample-without-brand options.campaign.messageSamples.1',
    ]);
  });

  it('wants links and phone numbers declared, and no public shorteners anywhere', () => {
    expect(check({ messageSamples: ['Acme: track it at acme.example.com/t/1. Reply STOP to opt out.', 'Acme: call (415) 555-0199 with questions.'] })).toEqual([
      'error undeclared-link options.campaign.messageSamples.0',
      'error undeclared-phone options.campaign.messageSamples.1',
    ]);
    expect(check({ hasEmbeddedLinks: true, messageSamples: ['Acme: track it at https://TinyURL.com/x1. Reply STOP to opt out.', 'Acme: your parcel was delivered today.'], messageFlow: 'Customers opt in at https://bit.ly/acme-optin on the form.' })).toEqual([
      'error url-shortener options.campaign.messageSamples.0',
      'error url-shortener options.campaign.messageFlow',
      'warning privacy-policy-missing options.campaign.privacyPolicyUrl',
      'warning terms-missing options.campaign.termsAndConditionsUrl',
    ]);
    expect(check({ hasEmbeddedLinks: true, privacyPolicyUrl: 'https://acme.example.com/privacy', termsAndConditionsUrl: 'https://acme.example.com/terms' })).toEqual([
      'warning declared-link-unused options.campaign.hasEmbeddedLinks',
    ]);
  });

  it('wants the message flow to say how consent is given', () => {
    expect(check({ messageFlow: 'We send these messages to people who bought something from the store.' })).toEqual(['warning message-flow-without-consent options.campaign.messageFlow']);
    expect(check({ messageFlow: 'Customers text JOIN to the number on posters in the store and get a confirmation.' })).toEqual([]);
  });

  it('hints when the samples do not fit the use case', () => {
    expect(check({ messageSamples: ['Acme: 20% off everything this weekend only! Reply STOP to opt out.', 'Acme: your order has shipped today.'] })).toEqual([
      'warning promotional-content options.campaign.messageSamples.0',
    ]);
    expect(check({ useCase: 'MARKETING', messageSamples: ['Acme: 20% off everything this weekend only! Reply STOP to opt out.', 'Acme: new arrivals are in the store.'] })).toEqual([]);
    expect(check({ useCase: '2FA', messageSamples: ['Acme: sign in to continue. Reply STOP to opt out.', 'Acme: welcome back to your account.'] })).toEqual(['warning use-case-mismatch options.campaign.useCase']);
    expect(check({ useCase: '2FA', messageSamples: ['Acme: your code is [code]. Reply STOP to opt out.', 'Acme: 482913 is your login code.'] })).toEqual([]);
  });
});

describe('preflight: options over the previous attempt’s', () => {
  const previous = options({ numbers: { count: 2, areaCode: 415 } });

  it('keeps the previous options when nothing is given, and lays the given ones over them field by field', () => {
    expect(mergeOptions(previous, {})).toEqual({ options: previous, findings: [] });
    const merged = mergeOptions(previous, { numbers: { count: 3 }, campaign: { hasEmbeddedPhone: true } }).options!;
    expect(merged.numbers).toEqual({ country: 'US', count: 3, areaCode: 415 });
    expect(merged.campaign).toEqual({ ...previous.campaign, hasEmbeddedPhone: true });
  });

  it('turns every bad or unknown option into a finding on options.<path>', () => {
    const { options: parsed, findings } = mergeOptions(undefined, { brandType: 'GOLD', numbers: { count: 0, colour: 'red' } });
    expect(parsed).toBeUndefined();
    expect(codes(findings)).toEqual(['error invalid-option options.brandType', 'error invalid-option options.numbers.count', 'error unknown-option options.numbers.colour']);
  });

  it('orders a report errors first and is ok only without errors', () => {
    const warning: PreflightFinding = { severity: 'warning', code: 'w', field: 'options.x', message: 'm' };
    const error: PreflightFinding = { severity: 'error', code: 'e', field: 'options.y', message: 'm' };
    expect(reportOf([warning, error])).toEqual({ ok: false, findings: [error, warning] });
    expect(reportOf([warning])).toEqual({ ok: true, findings: [warning] });
  });
});

describe('preflight: numbers', () => {
  const available = (n: number): AvailableNumber[] =>
    Array.from({ length: n }, (_, i) => ({ phoneNumber: `+1415555010${i}`, friendlyName: null, locality: null, region: null, postalCode: null, isoCountry: 'US', capabilities: { voice: true, sms: true, mms: true } }));

  it('searches as the numbers step will, and says how many are missing', async () => {
    const searches: unknown[] = [];
    const search = async (query: unknown) => (searches.push(query), available(1));
    expect(await numberFindings(options({ numbers: { count: 1, areaCode: 415 } }), search)).toEqual([]);
    expect(searches[0]).toEqual({ countryCode: 'US', areaCode: 415, smsEnabled: true, limit: 3 });
    expect(await numberFindings(options({ numbers: { count: 2, region: 'TX' } }), search)).toEqual([
      expect.objectContaining({ severity: 'error', code: 'numbers-unavailable', field: 'options.numbers.region', message: expect.stringMatching(/^only 1 SMS-capable US number is available with region TX; 2 wanted/) }),
    ]);
  });

  it('a search that fails is a warning: the numbers step searches again when it runs', async () => {
    const findings = await numberFindings(options(), async () => Promise.reject(new Error('Twilio answered 503')));
    expect(codes(findings)).toEqual(['warning numbers-not-checked options.numbers']);
  });
});
