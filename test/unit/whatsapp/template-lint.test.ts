import { lintTemplate, lintErrors, type LintInput } from '../../../shared/services/whatsapp/template-lint';
import { TemplateCreateSchema, toContentTypes } from '../../../shared/domain/template';

const GOOD: LintInput = {
  name: 'order_shipped',
  language: 'en',
  category: 'UTILITY',
  variables: { '1': 'Ana', '2': 'A-1234' },
  content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.' },
};
const lint = (patch: Partial<LintInput>, context = {}) => lintTemplate({ ...GOOD, ...patch }, context);
const codes = (patch: Partial<LintInput>, context = {}) => lint(patch, context).findings.map((f) => `${f.severity}:${f.code}:${f.field}`);

describe('template lint', () => {
  it('passes a well-formed utility template with no findings', () => {
    expect(lint({})).toEqual({ ok: true, findings: [] });
  });

  it('names: lowercase, digits and underscores, not too long, not taken', () => {
    expect(codes({ name: 'Order-Shipped' })).toEqual(['error:name-format:body.name']);
    expect(codes({ name: 'a'.repeat(513) })).toEqual(['error:name-too-long:body.name']);
    expect(codes({}, { nameTaken: true })).toEqual(['error:name-taken:body.name']);
  });

  it('variables: numbered from 1 without gaps, each with a sample, none unused', () => {
    expect(codes({ content: { type: 'text', body: 'Hello {{1}}, your order {{3}} has shipped and will arrive soon. Thank you.' }, variables: { '1': 'Ana', '3': 'x' } })).toEqual(['error:variable-gap:body.content.body']);
    expect(codes({ content: { type: 'text', body: 'Hello {{2}}, your order has shipped and will arrive soon. Thank you.' }, variables: { '2': 'Ana' } })).toEqual(['error:variable-gap:body.content.body']);
    expect(codes({ variables: { '1': 'Ana' } })).toEqual(['error:variable-without-sample:body.variables.2']);
    expect(codes({ variables: { '1': 'Ana', '2': ' ' } })).toEqual(['error:variable-without-sample:body.variables.2']);
    expect(codes({ variables: { ...GOOD.variables, '3': 'extra' } })).toEqual(['warning:variable-unused:body.variables.3']);
    expect(codes({ content: { type: 'text', body: 'Hello {{name}}, your order has shipped and will arrive within three days.' }, variables: {} })).toEqual(['error:variable-not-numbered:body.content.body']);
    expect(codes({ content: { type: 'text', body: 'Hello {1}, your order {{1}} has shipped and will arrive within three days.' }, variables: { '1': 'x' } })).toEqual(['error:variable-malformed:body.content.body']);
  });

  it('variables: not at the very start or end, not adjacent, not denser than Meta accepts', () => {
    expect(codes({ content: { type: 'text', body: '{{1}}, your order {{2}} has shipped and will arrive within three days.' } })).toEqual(['error:variable-at-edge:body.content.body']);
    expect(codes({ content: { type: 'text', body: 'Hello {{1}}, your order has shipped and will arrive within three days: {{2}}.' } })).toEqual(['error:variable-at-edge:body.content.body']);
    expect(codes({ content: { type: 'text', body: 'Hello {{1}} {{2}}, your order has shipped and will arrive within three days.' } })).toEqual(['error:variables-adjacent:body.content.body']);
    expect(codes({ content: { type: 'text', body: 'Reminder: {{1}} at {{2}} ok' } })).toEqual(['error:variables-too-dense:body.content.body']);
  });

  it('samples: length, whitespace and placeholders', () => {
    expect(codes({ variables: { '1': 'a'.repeat(256), '2': 'x' } })).toEqual(['error:sample-too-long:body.variables.1']);
    expect(codes({ variables: { '1': 'Ana\nBo', '2': 'x' } })).toEqual(['error:sample-whitespace:body.variables.1']);
    expect(codes({ variables: { '1': '{{name}}', '2': 'x' } })).toEqual(['error:sample-placeholder:body.variables.1']);
  });

  it('lengths: body 1024, header 60, footer 60, button text 25, button URL 2000', () => {
    const long = `Hello {{1}}, your order {{2}} has shipped. ${'More details follow. '.repeat(60)}Thank you.`;
    expect(codes({ content: { type: 'text', body: long } })).toEqual(['error:body-too-long:body.content.body']);
    const card = { type: 'card' as const, body: GOOD.content.type === 'text' ? GOOD.content.body : '', header: 'H'.repeat(61), footer: 'F'.repeat(61), buttons: [{ type: 'URL' as const, title: 'T'.repeat(26), url: `https://acme.example/${'p'.repeat(2000)}` }] };
    expect(codes({ content: card })).toEqual([
      'error:header-too-long:body.content.header',
      'error:footer-too-long:body.content.footer',
      'error:button-text-too-long:body.content.buttons.0.title',
      'error:button-url-too-long:body.content.buttons.0.url',
    ]);
  });

  it('buttons: counts per type, duplicates, https, E.164 phones, no variables in titles', () => {
    const body = 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.';
    const many = Array.from({ length: 11 }, (_, i) => ({ title: `Option ${i}` }));
    expect(codes({ content: { type: 'quick-reply', body, buttons: many } })).toEqual(['error:too-many-buttons:body.content.buttons']);
    expect(codes({ content: { type: 'quick-reply', body, buttons: [{ title: 'Yes' }, { title: 'yes' }] } })).toEqual(['error:button-text-duplicate:body.content.buttons.1.title']);
    expect(codes({ content: { type: 'quick-reply', body, buttons: [{ title: 'Yes {{1}}' }] } })).toEqual(['error:variable-not-allowed:body.content.buttons.0.title']);
    expect(
      codes({
        content: {
          type: 'call-to-action', body,
          buttons: [
            { type: 'URL', title: 'Track', url: 'http://acme.example/t' },
            { type: 'URL', title: 'Help', url: 'https://acme.example/h' },
            { type: 'URL', title: 'More', url: 'https://acme.example/m' },
            { type: 'PHONE_NUMBER', title: 'Call', phone: '4155550100' },
          ],
        },
      }),
    ).toEqual(['error:too-many-url-buttons:body.content.buttons', 'error:url-not-https:body.content.buttons.0.url', 'error:phone-format:body.content.buttons.3.phone']);
    expect(codes({ content: { type: 'call-to-action', body, buttons: [{ type: 'URL', title: 'Track', url: 'https://acme.example/{{3}}/x' }] }, variables: { ...GOOD.variables, '3': 'a1' } })).toEqual([
      'error:variable-not-last:body.content.buttons.0.url',
    ]);
  });

  it('media: one https sample; a card has a text or a media header', () => {
    const body = 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.';
    expect(codes({ content: { type: 'media', body, media: ['https://acme.example/a.png', 'http://acme.example/b.png'] } })).toEqual(['error:too-many-media:body.content.media', 'error:url-not-https:body.content.media.1']);
    expect(codes({ content: { type: 'media', media: ['https://acme.example/a.png'] }, variables: {} })).toEqual(['warning:media-without-body:body.content.body']);
    expect(codes({ content: { type: 'card', body, header: 'Shipped', media: ['https://acme.example/a.png'] } })).toEqual(['error:header-and-media:body.content.header']);
    expect(codes({ content: { type: 'card', body, footer: 'Ref {{1}}' } })).toEqual(['error:variable-not-allowed:body.content.footer']);
  });

  it('no URL shorteners, in texts, buttons or samples', () => {
    expect(codes({ content: { type: 'text', body: 'Hello {{1}}, track order {{2}} at https://bit.ly/abc and expect it within days.' } })).toEqual(['error:url-shortener:body.content.body']);
    expect(codes({ variables: { '1': 'Ana', '2': 'tinyurl.com/x' } })).toEqual(['error:url-shortener:body.variables.2']);
  });

  it('category: authentication content only as AUTHENTICATION, with its own limits', () => {
    const auth = { type: 'authentication' as const, copyCodeText: 'Copy code', codeExpirationMinutes: 10 };
    expect(lint({ category: 'AUTHENTICATION', content: auth, variables: { '1': '123456' } })).toEqual({ ok: true, findings: [] });
    expect(codes({ category: 'UTILITY', content: auth, variables: { '1': '123456' } })).toEqual(['error:category-mismatch:body.category']);
    expect(codes({ category: 'AUTHENTICATION' })).toEqual(['error:category-mismatch:body.content.type']);
    expect(codes({ category: 'AUTHENTICATION', content: { ...auth, codeExpirationMinutes: 120, copyCodeText: 'C'.repeat(26) }, variables: { '1': '12 34' } })).toEqual([
      'error:button-text-too-long:body.content.copyCodeText',
      'error:code-expiration-range:body.content.codeExpirationMinutes',
      'error:code-sample-format:body.variables.1',
    ]);
    expect(codes({ category: 'AUTHENTICATION', content: auth, variables: {} })).toEqual(['error:variable-without-sample:body.variables.1']);
  });

  it('category hints: promotional wording in UTILITY, code wording outside AUTHENTICATION, marketing opt-out', () => {
    const promo = { type: 'text' as const, body: 'Hello {{1}}, your order {{2}} has shipped. Use coupon SAVE10 for 10% off your next purchase today.' };
    const found = lint({ content: promo });
    expect(found.ok).toBe(true);
    expect(found.findings).toEqual([expect.objectContaining({ severity: 'warning', code: 'promotional-utility', field: 'body.category' })]);
    expect(lint({ content: promo, allowCategoryChange: false }).findings[0]!.message).toMatch(/rejected/);
    expect(codes({ content: { type: 'text', body: 'Hello {{1}}, your verification code for order {{2}} is below, valid for ten minutes.' } })).toEqual(['warning:code-not-authentication:body.category']);
    expect(codes({ category: 'MARKETING' })).toEqual(['warning:marketing-without-opt-out:body.content.body']);
  });

  it('puts errors first and turns them into problem field errors', () => {
    const report = lint({ name: 'Bad Name', category: 'MARKETING' });
    expect(report.findings.map((f) => f.severity)).toEqual(['error', 'warning']);
    expect(lintErrors(report)).toEqual([{ field: 'body.name', message: expect.stringContaining('(name-format)') }]);
  });
});

describe('template content', () => {
  it('maps every content type to the Content API types with snake_case fields', () => {
    expect(toContentTypes({ type: 'text', body: 'b' })).toEqual({ 'twilio/text': { body: 'b' } });
    expect(toContentTypes({ type: 'media', body: 'b', media: ['https://a/x.png'] })).toEqual({ 'twilio/media': { body: 'b', media: ['https://a/x.png'] } });
    expect(toContentTypes({ type: 'quick-reply', body: 'b', buttons: [{ title: 'Yes' }] })).toEqual({ 'twilio/quick-reply': { body: 'b', actions: [{ type: 'QUICK_REPLY', title: 'Yes', id: 'Yes' }] } });
    expect(toContentTypes({ type: 'call-to-action', body: 'b', buttons: [{ type: 'URL', title: 'Go', url: 'https://a' }] })).toEqual({ 'twilio/call-to-action': { body: 'b', actions: [{ type: 'URL', title: 'Go', url: 'https://a' }] } });
    expect(toContentTypes({ type: 'card', body: 'b', header: 'h', footer: 'f' })).toEqual({ 'whatsapp/card': { body: 'b', header_text: 'h', footer: 'f' } });
    expect(toContentTypes({ type: 'authentication', copyCodeText: 'Copy', addSecurityRecommendation: true, codeExpirationMinutes: 5 })).toEqual({
      'whatsapp/authentication': { add_security_recommendation: true, code_expiration_minutes: 5, actions: [{ type: 'COPY_CODE', copy_code_text: 'Copy' }] },
    });
  });

  it('refuses unknown fields and content types as bad input', () => {
    expect(TemplateCreateSchema.safeParse({ ...GOOD, status: 'approved' }).success).toBe(false);
    expect(TemplateCreateSchema.safeParse({ ...GOOD, content: { type: 'carousel', body: 'x' } }).success).toBe(false);
    expect(TemplateCreateSchema.safeParse({ ...GOOD, category: 'PROMO' }).success).toBe(false);
  });
});
