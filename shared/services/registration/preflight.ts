import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { Customer } from '../../domain/customer';
import { crossCheck, NumberOptionsSchema, OnboardingOptionsSchema, type CampaignOptions, type OnboardingOptions } from '../../domain/onboarding';
import type { AvailableNumber, NumberSearch } from '../../twilio/gateway';

/**
 * Onboarding preflight: every check that costs nothing, run before anything billable exists.
 * A brand registration is a fee and a campaign vetting takes days, and most rejections come from
 * content that can be read beforehand: a malformed EIN, a postal code that is not one, samples
 * that do not name the brand or say how to opt out, links nobody declared. `error` findings stop
 * the onboarding start; `warning`s are what reviewers often reject, for the partner to judge.
 *
 * Every finding points at the field to fix: `customer.<path>` (PATCH the customer) or
 * `options.<path>` (the onboarding options), indexes as path segments (`options.campaign.messageSamples.1`).
 */

export const PreflightFindingSchema = z.object({
  severity: z.enum(['error', 'warning']).describe('error: the start refuses (422); warning: a common reason for rejection, for the partner to judge'),
  code: z.string().describe('The rule, e.g. ein-invalid, samples-without-opt-out, undeclared-link, url-shortener, numbers-unavailable'),
  field: z.string().describe('customer.<path> (PATCH the customer) or options.<path> (the onboarding options), e.g. options.campaign.messageSamples.1'),
  message: z.string(),
});
export const PreflightReportSchema = z
  .object({
    ok: z.boolean().describe('No error findings: POST …/onboarding would start'),
    findings: z.array(PreflightFindingSchema).describe('Errors first, then warnings'),
  })
  .describe('What would make the onboarding fail, found before anything is created or billed');
export type PreflightFinding = z.infer<typeof PreflightFindingSchema>;
export type FindingSeverity = PreflightFinding['severity'];
export type PreflightReport = z.infer<typeof PreflightReportSchema>;

/**
 * IRS campus prefixes of EINs (the first two digits); the others are never issued
 * (IRS "How EINs are assigned and valid EIN prefixes").
 */
const VALID_EIN_PREFIXES = new Set(
  [[1, 6], [10, 16], [20, 27], [30, 39], [40, 48], [50, 68], [71, 77], [80, 88], [90, 95], [98, 99]].flatMap(([from, to]) =>
    Array.from({ length: to! - from! + 1 }, (_, i) => String(from! + i).padStart(2, '0')),
  ),
);
const US_ZIP = /^\d{5}(?:-\d{4})?$/;
/** Canadian postal codes never use D, F, I, O, Q or U, nor W or Z as the first letter. */
const CA_POSTAL_CODE = /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i;

/** Public link shorteners: carriers filter them, and reviewers reject campaigns whose samples use them. */
const URL_SHORTENERS = [
  'bit.ly', 'bitly.com', 'tinyurl.com', 'goo.gl', 't.co', 'ow.ly', 'is.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly', 'shorturl.at',
  'tiny.cc', 'rb.gy', 't.ly', 'v.gd', 'bl.ink', 'short.io', 'lnkd.in', 'soo.gd', 's.id', 'tr.im', 'x.co', 'qr.net', '1url.com',
];
const LINK = /\b(?:https?:\/\/)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/[^\s]*)?/gi;
/** A phone number inside a text: 10+ digits with the usual separators (placeholders such as [phone] are not numbers). */
const PHONE_IN_TEXT = /(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b/;
const OPT_OUT_LANGUAGE = /\b(?:stop|opt[\s-]?out|unsubscribe)\b|\b(?:reply|text)\s+(?:end|cancel|quit)\b/i;
const CONSENT_LANGUAGE = /\b(?:opt(?:s|ed)?[\s-]?in|consent|agree|check(?:s|ed|ing)?\s+(?:a|the)\s+box|checkbox|sign(?:s|ed)?[\s-]?up|subscribe|enroll|text(?:s|ing)?\s+[A-Z0-9]+\s+to|keyword|web\s*form|verbal(?:ly)?)\b/i;
const PROMOTIONAL = /\b(?:sale|% off|percent off|discount|deal|promo(?:tion)?|coupon|offer|free gift|limited time|buy now|shop now)\b/i;
const CODE_LIKE = /\b\d{4,8}\b|\[(?:code|otp|pin)[^\]]*\]|\{\{?\s*(?:code|otp|pin)/i;

/** Use cases whose samples must not read as promotions. */
const NON_MARKETING = new Set(['2FA', 'ACCOUNT_NOTIFICATION', 'CUSTOMER_CARE', 'DELIVERY_NOTIFICATION', 'FRAUD_ALERT', 'SECURITY_ALERT', 'HIGHER_EDUCATION', 'K12_EDUCATION', 'PUBLIC_SERVICE_ANNOUNCEMENT', 'POLLING_VOTING', 'EMERGENCY']);
const CODE_USE_CASES = new Set(['2FA']);

function hostsIn(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) => m[0].replace(/^https?:\/\//i, '').split('/')[0]!.toLowerCase());
}
const isShortener = (host: string) => URL_SHORTENERS.some((s) => host === s || host.endsWith(`.${s}`));

/** The rules on the customer's own data for the brand it is about to register. */
function customerFindings(customer: Customer, options: OnboardingOptions): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  const add = (severity: FindingSeverity, code: string, field: string, message: string) => findings.push({ severity, code, field: `customer.${field}`, message });

  const ein = customer.registration?.type === 'EIN' ? customer.registration.number.replace('-', '') : undefined;
  if (ein !== undefined) {
    if (/^(\d)\1{8}$/.test(ein) || !VALID_EIN_PREFIXES.has(ein.slice(0, 2))) {
      add('error', 'ein-invalid', 'registration.number', `${customer.registration!.number} is not an EIN the IRS issues: its prefix ${ein.slice(0, 2)} is not a valid campus code`);
    }
  }
  if (customer.address.isoCountry === 'US' && customer.registration && customer.registration.type !== 'EIN' && options.brandType !== 'SOLE_PROPRIETOR') {
    add('error', 'registration-type', 'registration.type', 'a US business registers its brand with its EIN');
  }

  const { postalCode, isoCountry } = customer.address;
  if (isoCountry === 'US' && !US_ZIP.test(postalCode)) add('error', 'postal-code-invalid', 'address.postalCode', `${postalCode} is not a US ZIP code (12345 or 12345-6789)`);
  if (isoCountry === 'CA' && !CA_POSTAL_CODE.test(postalCode)) add('error', 'postal-code-invalid', 'address.postalCode', `${postalCode} is not a Canadian postal code (A1A 1A1)`);

  if (!isValidPhoneNumber(customer.contact.phone)) add('error', 'phone-invalid', 'contact.phone', `${customer.contact.phone} is not a valid phone number for its country`);
  if (!customer.website.startsWith('https://')) add('warning', 'website-not-https', 'website', 'reviewers check the website; one served over plain http is a common reason for rejection');
  if (options.brandType === 'SOLE_PROPRIETOR' && !/^\+1/.test(customer.contact.phone)) {
    add('error', 'sole-proprietor-phone', 'contact.phone', 'a sole proprietor verifies the brand with a one-time code sent to a US or Canadian mobile number');
  }
  return findings;
}

/** Corporate suffixes a sample leaves out: "Acme" names "Acme Inc". */
const CORPORATE_SUFFIX = /[\s,]+(?:inc|incorporated|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|llp|lp|plc|pllc|gmbh)\.?$/i;
/** The names a sample may call the brand by: its display and legal names, each with and without its corporate suffix. */
function brandNamesOf(customer: Customer): string[] {
  return [...new Set([customer.displayName, customer.legalName].flatMap((name) => [name, name.replace(CORPORATE_SUFFIX, '')]).map((n) => n.trim().toLowerCase()).filter((n) => n.length >= 2))];
}

/** The rules on campaign content that decide most vetting outcomes. */
function campaignFindings(customer: Customer, campaign: CampaignOptions): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  const add = (severity: FindingSeverity, code: string, field: string, message: string) => findings.push({ severity, code, field: `options.campaign.${field}`, message });
  const samples = campaign.messageSamples;
  const brandNames = brandNamesOf(customer);

  const naming = samples.map((s) => brandNames.some((name) => s.toLowerCase().includes(name)));
  if (!naming.some(Boolean)) {
    add('error', 'samples-without-brand', 'messageSamples', `no sample names the brand ("${customer.displayName}"); every message must say who sends it`);
  } else {
    naming.forEach((named, i) => named || add('warning', 'sample-without-brand', `messageSamples.${i}`, `this sample does not name the brand ("${customer.displayName}")`));
  }
  if (!samples.some((s) => OPT_OUT_LANGUAGE.test(s))) {
    add('error', 'samples-without-opt-out', 'messageSamples', 'at least one sample must say how to opt out (for example "Reply STOP to opt out")');
  }
  if (!CONSENT_LANGUAGE.test(campaign.messageFlow)) {
    add('warning', 'message-flow-without-consent', 'messageFlow', 'describe how each recipient gives consent: where they opt in (a web form with its URL, a checkbox, a keyword texted to the number) and what they are told');
  }

  samples.forEach((sample, i) => {
    const hosts = hostsIn(sample);
    if (hosts.length > 0 && !campaign.hasEmbeddedLinks) add('error', 'undeclared-link', `messageSamples.${i}`, 'this sample contains a link: set hasEmbeddedLinks to true');
    if (PHONE_IN_TEXT.test(sample) && !campaign.hasEmbeddedPhone) add('error', 'undeclared-phone', `messageSamples.${i}`, 'this sample contains a phone number: set hasEmbeddedPhone to true');
    for (const host of hosts.filter(isShortener)) add('error', 'url-shortener', `messageSamples.${i}`, `${host} is a public link shortener, which carriers filter; use a link on the brand's own domain`);
  });
  for (const host of hostsIn(campaign.messageFlow).filter(isShortener)) add('error', 'url-shortener', 'messageFlow', `${host} is a public link shortener; link the opt-in page on the brand's own domain`);
  if (campaign.hasEmbeddedLinks && !samples.some((s) => hostsIn(s).length > 0)) add('warning', 'declared-link-unused', 'hasEmbeddedLinks', 'links are declared but no sample shows one; add a sample with the link as it will be sent');
  if (campaign.hasEmbeddedLinks) {
    if (!campaign.privacyPolicyUrl) add('warning', 'privacy-policy-missing', 'privacyPolicyUrl', 'messages with links are reviewed against the privacy policy; give its URL');
    if (!campaign.termsAndConditionsUrl) add('warning', 'terms-missing', 'termsAndConditionsUrl', 'messages with links are reviewed against the terms and conditions; give their URL');
  }

  if (NON_MARKETING.has(campaign.useCase)) {
    samples.forEach((s, i) => PROMOTIONAL.test(s) && add('warning', 'promotional-content', `messageSamples.${i}`, `this sample reads as a promotion, which ${campaign.useCase} campaigns may not send; use MARKETING or MIXED for promotions`));
  }
  if (CODE_USE_CASES.has(campaign.useCase) && !samples.some((s) => CODE_LIKE.test(s))) {
    add('warning', 'use-case-mismatch', 'useCase', 'a 2FA campaign sends codes; no sample carries one (a number or a placeholder such as [code])');
  }
  return findings;
}

/** zod issues of the options as findings on `options.<path>`. */
export function optionFindings(error: z.ZodError): PreflightFinding[] {
  return error.issues.flatMap((issue) => {
    const field = ['options', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ severity: 'error' as const, code: 'unknown-option', field: `${field}.${key}`, message: 'is not an onboarding option' }));
    return [{ severity: 'error' as const, code: 'invalid-option', field, message: issue.message }];
  });
}

/** Everything that needs neither Twilio nor a write: the customer, the options and the two together. */
export function contentFindings(customer: Customer, options: OnboardingOptions): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  for (const problem of crossCheck(customer, options)) {
    for (const field of problem.fields) {
      const isOption = field === 'brandType' || field === 'mock' || field.startsWith('campaign.') || field.startsWith('numbers.');
      findings.push({ severity: 'error', code: 'brand-type-mismatch', field: `${isOption ? 'options' : 'customer'}.${field}`, message: problem.message });
    }
  }
  findings.push(...customerFindings(customer, options));
  if (options.campaign) findings.push(...campaignFindings(customer, options.campaign));
  else findings.push({ severity: 'error', code: 'campaign-missing', field: 'options.campaign', message: 'the campaign content is required: the brand and messaging service are only worth registering with a campaign to send under' });
  return findings;
}

/**
 * Asks Twilio (or the sandbox) for numbers as the numbers step will: a search costs nothing. A
 * search that fails is a warning, not a refusal: the numbers step searches again when it runs.
 */
export async function numberFindings(options: OnboardingOptions, search: (query: NumberSearch) => Promise<AvailableNumber[]>): Promise<PreflightFinding[]> {
  const prefs = NumberOptionsSchema.parse(options.numbers ?? {});
  let found: AvailableNumber[];
  try {
    found = await search({ countryCode: prefs.country, areaCode: prefs.areaCode, inRegion: prefs.region, contains: prefs.contains, smsEnabled: true, limit: Math.min(30, prefs.count * 3) });
  } catch (error) {
    return [{ severity: 'warning', code: 'numbers-not-checked', field: 'options.numbers', message: `number availability could not be checked (${(error as Error).message}); the numbers step will search when it runs` }];
  }
  if (found.length >= prefs.count) return [];
  const wanted = [prefs.areaCode && `area code ${prefs.areaCode}`, prefs.region && `region ${prefs.region}`, prefs.contains && `containing ${prefs.contains}`].filter(Boolean).join(', ');
  const field = prefs.areaCode !== undefined ? 'options.numbers.areaCode' : prefs.region ? 'options.numbers.region' : prefs.contains ? 'options.numbers.contains' : 'options.numbers';
  return [
    {
      severity: 'error',
      code: 'numbers-unavailable',
      field,
      message: `${found.length === 0 ? 'no' : `only ${found.length}`} SMS-capable ${prefs.country} number${found.length === 1 ? ' is' : 's are'} available${wanted ? ` with ${wanted}` : ''}; ${prefs.count} wanted. Try a neighbouring area code or none`,
    },
  ];
}

/**
 * The options of an attempt: those of the previous attempt with the given ones laid over them
 * (`campaign` and `numbers` field by field), then validated as a whole. Unknown fields and bad
 * values are findings, so one answer lists everything to fix.
 */
export function mergeOptions(previous: OnboardingOptions | undefined, given: Record<string, unknown>): { options?: OnboardingOptions; findings: PreflightFinding[] } {
  const merged: Record<string, unknown> = { ...previous, ...given };
  for (const key of ['campaign', 'numbers'] as const) {
    const over = given[key];
    if (previous?.[key] && over && typeof over === 'object' && !Array.isArray(over)) merged[key] = { ...previous[key], ...over };
  }
  const parsed = OnboardingOptionsSchema.safeParse(merged);
  return parsed.success ? { options: parsed.data, findings: [] } : { findings: optionFindings(parsed.error) };
}

export const reportOf = (findings: PreflightFinding[]): PreflightReport => ({
  ok: !findings.some((f) => f.severity === 'error'),
  // Errors first, then warnings; each in the order the rules found them.
  findings: [...findings.filter((f) => f.severity === 'error'), ...findings.filter((f) => f.severity === 'warning')],
});
