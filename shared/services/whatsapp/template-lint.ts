import type { LintFinding, LintReport, TemplateCategory, TemplateContent } from '../../domain/template';

/**
 * The template lint: Meta's review rules that can be checked before anything is sent to Twilio.
 * A rejection costs a name (a rejected name cannot be reused) and a review that takes minutes to a
 * day, and most rejections come from what can be read beforehand: placeholders at the edge of the
 * body, too close together or without samples, texts over Meta's limits, link shorteners, and
 * promotional wording in a UTILITY template. `error` findings stop the create (422); `warning`s are
 * common reasons for rejection or re-categorisation, for the partner to judge. Every finding points
 * at the request field to fix, indexes as path segments (`body.content.buttons.0.title`).
 *
 * Limits (Meta's template components, as Twilio documents them for the Content API): body 1,024
 * characters, header text 60, footer 60, button text 25, button URL 2,000; at most 10 buttons, of
 * which 2 URL, 1 phone number and 1 copy code; one media sample; a variable's sample 255 characters,
 * with no newline, tab or more than four consecutive spaces; an authentication code expiry of
 * 1–90 minutes.
 */

export const LIMITS = {
  nameLength: 512,
  body: 1024,
  header: 60,
  footer: 60,
  buttonText: 25,
  buttonUrl: 2000,
  buttons: 10,
  urlButtons: 2,
  phoneButtons: 1,
  copyCodeButtons: 1,
  media: 1,
  sampleLength: 255,
  codeExpirationMinutes: { min: 1, max: 90 },
  /** Fixed (non-variable) words a body needs per variable: fewer reads as "too many variables for its length". */
  wordsPerVariable: 2,
} as const;

export interface LintInput {
  name: string;
  language: string;
  category: TemplateCategory;
  variables: Record<string, string>;
  content: TemplateContent;
  allowCategoryChange?: boolean;
}

export interface LintContext {
  /** Another template of the customer already has this name in this language. */
  nameTaken?: boolean;
}

const NAME = /^[a-z0-9_]+$/;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NUMBERED = /^[1-9]\d*$/;
/** A brace that is not part of a well-formed `{{…}}`: `{1}`, `{{1}`, `{{{1}}}`. */
const STRAY_BRACE = /[{}]/;

/** Public link shorteners: Meta rejects templates that hide the destination of a link. */
export const URL_SHORTENERS = [
  'bit.ly', 'bitly.com', 'tinyurl.com', 'goo.gl', 't.co', 'ow.ly', 'is.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly', 'shorturl.at',
  'tiny.cc', 'rb.gy', 't.ly', 'v.gd', 'bl.ink', 'short.io', 'lnkd.in', 'soo.gd', 's.id', 'tr.im', 'x.co', 'qr.net', '1url.com', 'wa.link',
];
const HOSTS = /\b(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?=[/\s?#:]|$)/gi;

/** Wording Meta reads as marketing: in a UTILITY template it is the most common reason for rejection or re-categorisation. */
const PROMOTIONAL =
  /\b(?:sale|sales|discount|discounts|deal|deals|promo|promos|promotion|promotional|coupon|coupons|offer|offers|free gift|limited time|buy now|shop now|don'?t miss|exclusive|special price|save \d+|\d+\s?% off|percent off|new arrivals?|best price|black friday|cyber monday)\b/i;
/** Words of a one-time-password message: in a non-AUTHENTICATION template they get it re-categorised. */
const CODE_WORDING = /\b(?:verification code|one[- ]time (?:password|code|passcode)|otp|passcode|login code|security code)\b/i;

const E164 = /^\+[1-9]\d{6,14}$/;

interface Text {
  field: string;
  value: string;
  /** Variables allowed in this text: `any`, at most `one`, `none`, or only as the `last` thing (URLs). */
  variables: 'any' | 'one' | 'none' | 'last';
}

/** The texts of a content, each with the field it comes from. */
function textsOf(content: TemplateContent): Text[] {
  const at = (path: string) => `body.content.${path}`;
  const texts: Text[] = [];
  if ('body' in content && content.body !== undefined) texts.push({ field: at('body'), value: content.body, variables: 'any' });
  if (content.type === 'card') {
    if (content.header !== undefined) texts.push({ field: at('header'), value: content.header, variables: 'one' });
    if (content.footer !== undefined) texts.push({ field: at('footer'), value: content.footer, variables: 'none' });
  }
  if (content.type === 'media' || content.type === 'card') {
    (content.media ?? []).forEach((m, i) => texts.push({ field: at(`media.${i}`), value: m, variables: 'last' }));
  }
  if (content.type === 'quick-reply' || content.type === 'call-to-action' || content.type === 'card') {
    (content.buttons ?? []).forEach((b, i) => {
      texts.push({ field: at(`buttons.${i}.title`), value: b.title, variables: 'none' });
      if ('url' in b) texts.push({ field: at(`buttons.${i}.url`), value: b.url, variables: 'last' });
      if ('code' in b) texts.push({ field: at(`buttons.${i}.code`), value: b.code, variables: 'one' });
    });
  }
  if (content.type === 'authentication') texts.push({ field: at('copyCodeText'), value: content.copyCodeText, variables: 'none' });
  return texts;
}

/** Characters as WhatsApp counts them (code points, so an emoji is one). */
const length = (s: string) => [...s].length;

export function lintTemplate(input: LintInput, context: LintContext = {}): LintReport {
  const findings: LintFinding[] = [];
  const error = (code: string, field: string, message: string) => findings.push({ severity: 'error', code, field, message });
  const warning = (code: string, field: string, message: string) => findings.push({ severity: 'warning', code, field, message });
  const { content, variables, category } = input;

  // --- Name ---
  if (!NAME.test(input.name)) error('name-format', 'body.name', 'use lowercase letters, digits and underscores only (e.g. order_shipped_v2)');
  if (length(input.name) > LIMITS.nameLength) error('name-too-long', 'body.name', `is ${length(input.name)} characters; Meta allows ${LIMITS.nameLength}`);
  if (context.nameTaken) error('name-taken', 'body.name', `another template of this customer is already named ${input.name} in ${input.language}; pick a new name`);

  // --- Category and content type ---
  if (content.type === 'authentication' && category !== 'AUTHENTICATION') {
    error('category-mismatch', 'body.category', 'an authentication (one-time code) template must be in the AUTHENTICATION category');
  }
  if (category === 'AUTHENTICATION' && content.type !== 'authentication') {
    error('category-mismatch', 'body.content.type', 'an AUTHENTICATION template takes the authentication content type (Meta writes its body)');
  }

  // --- Texts and their variables ---
  const texts = textsOf(content);
  const used = new Map<string, string>();
  for (const t of texts) {
    const names = [...t.value.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    const rest = t.value.replace(PLACEHOLDER, '');
    if (STRAY_BRACE.test(rest)) error('variable-malformed', t.field, 'has a brace outside a {{n}} variable; write variables as {{1}}, {{2}}, …');
    for (const name of names) {
      if (!NUMBERED.test(name)) error('variable-not-numbered', t.field, `{{${name}}}: WhatsApp templates number their variables {{1}}, {{2}}, …`);
      else if (!used.has(name)) used.set(name, t.field);
    }
    if (names.length > 0 && t.variables === 'none') error('variable-not-allowed', t.field, 'cannot hold variables');
    if (names.length > 1 && t.variables === 'one') error('too-many-variables', t.field, 'holds at most one variable');
    if (t.variables === 'last' && names.length > 0) {
      if (names.length > 1 || !/\{\{\s*[^{}]*?\s*\}\}$/.test(t.value)) error('variable-not-last', t.field, 'may hold one variable, at its very end (e.g. https://acme.example/orders/{{1}})');
    }
  }
  if (content.type === 'authentication' && !used.has('1')) used.set('1', 'body.variables.1');

  const numbers = [...used.keys()].filter((k) => NUMBERED.test(k)).map(Number).sort((a, b) => a - b);
  numbers.forEach((n, i) => {
    if (n !== i + 1) {
      const missing = i + 1;
      if (numbers[i - 1] !== missing) error('variable-gap', used.get(String(n))!, `uses {{${n}}} but not {{${missing}}}: number variables from 1 without gaps`);
    }
  });
  for (const [key, field] of used) {
    const sample = variables[key];
    if (sample === undefined || sample.trim() === '') {
      error('variable-without-sample', `body.variables.${key}`, `{{${key}}} (in ${field}) needs a sample value: Meta reviews the template with it`);
    }
  }
  for (const [key, sample] of Object.entries(variables)) {
    const field = `body.variables.${key}`;
    if (!used.has(key)) warning('variable-unused', field, `{{${key}}} has a sample but appears nowhere in the content`);
    if (length(sample) > LIMITS.sampleLength) error('sample-too-long', field, `is ${length(sample)} characters; a variable takes at most ${LIMITS.sampleLength}`);
    if (/[\n\t]| {5,}/.test(sample)) error('sample-whitespace', field, 'cannot hold a newline, a tab or more than four consecutive spaces');
    if (/\{\{|\}\}/.test(sample)) error('sample-placeholder', field, 'must be a realistic value, not a placeholder');
  }

  // --- The body: edges, neighbours, density, length ---
  const body = 'body' in content ? content.body : undefined;
  if (body !== undefined) {
    const field = 'body.content.body';
    const stripped = body.trim();
    if (/^\{\{[^{}]*\}\}/.test(stripped)) error('variable-at-edge', field, 'starts with a variable; begin with fixed text (“Hi {{1}}, …”)');
    if (/\{\{[^{}]*\}\}[\s.!?,;:)"'…]*$/.test(stripped)) error('variable-at-edge', field, 'ends with a variable; end with fixed text (“… {{2}}. Thank you.”)');
    if (/\}\}[\s.,;:\-–—/|]*\{\{/.test(body)) error('variables-adjacent', field, 'has two variables next to each other; put words between them');
    const count = [...body.matchAll(PLACEHOLDER)].length;
    const words = body.replace(PLACEHOLDER, ' ').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
    if (count > 0 && words < LIMITS.wordsPerVariable * count) {
      error('variables-too-dense', field, `has ${count} variable(s) in ${words} fixed word(s); Meta rejects templates with too many variables for their length (write at least ${LIMITS.wordsPerVariable * count} words around them)`);
    }
    if (length(body) > LIMITS.body) error('body-too-long', field, `is ${length(body)} characters; Meta allows ${LIMITS.body}`);
    if (/\n{3,}/.test(body)) warning('body-blank-lines', field, 'has more than one blank line in a row; Meta may reject it as malformed');
  }
  if (content.type === 'media' && (content.body === undefined || content.body.trim() === '')) {
    warning('media-without-body', 'body.content.body', 'a media template without text is often rejected as too generic; add a caption');
  }

  // --- Header, footer, media ---
  if (content.type === 'card') {
    if (content.header !== undefined && length(content.header) > LIMITS.header) error('header-too-long', 'body.content.header', `is ${length(content.header)} characters; Meta allows ${LIMITS.header}`);
    if (content.footer !== undefined && length(content.footer) > LIMITS.footer) error('footer-too-long', 'body.content.footer', `is ${length(content.footer)} characters; Meta allows ${LIMITS.footer}`);
    if (content.header !== undefined && content.media?.length) error('header-and-media', 'body.content.header', 'a card has a text header or a media header, not both');
  }
  if (content.type === 'media' || content.type === 'card') {
    const media = content.media ?? [];
    if (media.length > LIMITS.media) error('too-many-media', 'body.content.media', `has ${media.length} items; a WhatsApp template takes one media sample`);
    media.forEach((m, i) => {
      if (!/^https:\/\//i.test(m)) error('url-not-https', `body.content.media.${i}`, 'must be a public https URL Meta can fetch the sample from');
    });
  }

  // --- Buttons ---
  if (content.type === 'quick-reply' || content.type === 'call-to-action' || content.type === 'card') {
    const list = content.buttons ?? [];
    if (list.length > LIMITS.buttons) error('too-many-buttons', 'body.content.buttons', `has ${list.length} buttons; Meta allows ${LIMITS.buttons}`);
    const ofType = (t: string) => list.filter((b) => ('type' in b ? b.type : 'QUICK_REPLY') === t).length;
    if (ofType('URL') > LIMITS.urlButtons) error('too-many-url-buttons', 'body.content.buttons', `has ${ofType('URL')} URL buttons; Meta allows ${LIMITS.urlButtons}`);
    if (ofType('PHONE_NUMBER') > LIMITS.phoneButtons) error('too-many-phone-buttons', 'body.content.buttons', `has ${ofType('PHONE_NUMBER')} phone buttons; Meta allows ${LIMITS.phoneButtons}`);
    if (ofType('COPY_CODE') > LIMITS.copyCodeButtons) error('too-many-copy-code-buttons', 'body.content.buttons', `has ${ofType('COPY_CODE')} copy-code buttons; Meta allows ${LIMITS.copyCodeButtons}`);
    const titles = new Set<string>();
    list.forEach((b, i) => {
      const at = `body.content.buttons.${i}`;
      if (length(b.title) > LIMITS.buttonText) error('button-text-too-long', `${at}.title`, `is ${length(b.title)} characters; Meta allows ${LIMITS.buttonText}`);
      if (titles.has(b.title.trim().toLowerCase())) error('button-text-duplicate', `${at}.title`, 'two buttons have this text; each needs its own');
      titles.add(b.title.trim().toLowerCase());
      if ('url' in b) {
        if (length(b.url) > LIMITS.buttonUrl) error('button-url-too-long', `${at}.url`, `is ${length(b.url)} characters; Meta allows ${LIMITS.buttonUrl}`);
        if (!/^https:\/\//i.test(b.url)) error('url-not-https', `${at}.url`, 'must be an https URL');
      }
      if ('phone' in b && !E164.test(b.phone)) error('phone-format', `${at}.phone`, 'must be an E.164 number, e.g. +14155550100');
    });
  }

  // --- Authentication ---
  if (content.type === 'authentication') {
    if (length(content.copyCodeText) > LIMITS.buttonText) error('button-text-too-long', 'body.content.copyCodeText', `is ${length(content.copyCodeText)} characters; Meta allows ${LIMITS.buttonText}`);
    const minutes = content.codeExpirationMinutes;
    if (minutes !== undefined && (minutes < LIMITS.codeExpirationMinutes.min || minutes > LIMITS.codeExpirationMinutes.max)) {
      error('code-expiration-range', 'body.content.codeExpirationMinutes', `must be ${LIMITS.codeExpirationMinutes.min}–${LIMITS.codeExpirationMinutes.max} minutes`);
    }
    const code = variables['1'];
    if (code !== undefined && !/^[A-Za-z0-9-]{1,15}$/.test(code)) error('code-sample-format', 'body.variables.1', 'the sample code is 1–15 letters, digits or dashes (e.g. 123456)');
  }

  // --- Links: shorteners hide where a link goes, in any text or sample ---
  const linkTexts = [...texts.map((t) => ({ field: t.field, value: t.value })), ...Object.entries(variables).map(([k, v]) => ({ field: `body.variables.${k}`, value: v }))];
  for (const { field, value } of linkTexts) {
    for (const match of value.matchAll(HOSTS)) {
      const host = match[1]!.toLowerCase().replace(/^www\./, '');
      if (URL_SHORTENERS.includes(host)) {
        error('url-shortener', field, `${host} is a link shortener; Meta rejects links whose destination is hidden — use the full https URL of your own domain`);
        break;
      }
    }
  }

  // --- Category hints ---
  const wording = texts.filter((t) => t.variables !== 'last').map((t) => t.value).join('\n');
  if (category === 'UTILITY' && PROMOTIONAL.test(wording)) {
    const word = PROMOTIONAL.exec(wording)![0];
    const then = input.allowCategoryChange === false ? 'rejected (allowCategoryChange is false)' : 're-categorised as MARKETING (billed as marketing)';
    warning('promotional-utility', 'body.category', `“${word}” reads as promotional; a UTILITY template with marketing wording is the most common rejection — it would be ${then}. Remove the wording or submit as MARKETING`);
  }
  if (category !== 'AUTHENTICATION' && CODE_WORDING.test(wording)) {
    warning('code-not-authentication', 'body.category', 'reads as a one-time code message: Meta expects those as AUTHENTICATION templates (content type authentication)');
  }
  if (category === 'MARKETING' && body !== undefined && !/\b(?:stop|unsubscribe|opt[\s-]?out)\b/i.test(wording) && content.type !== 'quick-reply') {
    warning('marketing-without-opt-out', 'body.content.body', 'marketing templates do best with a way to opt out (a “Stop promotions” quick reply or “Reply STOP to unsubscribe”)');
  }

  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { ok: !findings.some((f) => f.severity === 'error'), findings };
}

/** The error findings as problem+json field errors. */
export const lintErrors = (report: LintReport) => report.findings.filter((f) => f.severity === 'error').map(({ field, message, code }) => ({ field, message: `${message} (${code})` }));
