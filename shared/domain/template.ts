import { z } from 'zod';
import { pageOf, pageQuery } from './page';

/**
 * WhatsApp templates as partners see them: what they send to create, lint or resubmit one, and
 * what they get back. The content is written in the API's own camelCase shape, one `type` at a
 * time, and turned into the Content API's snake_case `types` by {@link toContentTypes}. The schemas
 * only check structure (400); every rule Meta's review applies — names, variables, lengths,
 * buttons, links, category wording — is the lint's (template-lint.ts), which reports each finding
 * with the field it points at, so a partner sees all of them at once.
 */

const iso = () => z.iso.datetime({ offset: true });

export const TEMPLATE_CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/**
 * `creating`: stored, not yet (fully) at Twilio; `unsubmitted`: a Content resource, not yet sent
 * for approval; then Twilio's and Meta's review states. `approved`, `rejected` and `disabled` are
 * final; a `paused` template (low quality) comes back or gets disabled.
 */
export const TEMPLATE_STATUSES = ['creating', 'unsubmitted', 'received', 'pending', 'approved', 'rejected', 'paused', 'disabled'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];
/** States the scheduled refresh keeps asking Twilio about. */
export const UNDECIDED_TEMPLATE_STATUSES: readonly TemplateStatus[] = ['unsubmitted', 'received', 'pending', 'paused'];

export const CONTENT_TYPES = ['text', 'media', 'quick-reply', 'call-to-action', 'card', 'authentication'] as const;
export type TemplateContentType = (typeof CONTENT_TYPES)[number];

/** Generous structural bounds; the lint holds texts to Meta's limits with a finding per field. */
const text = (max = 4096) => z.string().max(max);
const url = () => z.string().min(1).max(4096).describe('https URL; may end in a variable, e.g. `https://acme.example/orders/{{2}}`');

const QuickReplyButton = z.strictObject({
  title: text(200).min(1).describe('Button text (Meta: 25 characters)'),
  id: text(200).optional().describe('Payload the reply carries back; default the title'),
});

const CallToActionButton = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('URL'), title: text(200).min(1), url: url() }),
  z.strictObject({ type: z.literal('PHONE_NUMBER'), title: text(200).min(1), phone: text(40).min(1).describe('E.164') }),
  z.strictObject({ type: z.literal('COPY_CODE'), title: text(200).min(1), code: text(200).min(1).describe('Sample code, or a variable') }),
]);

const CardButton = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('QUICK_REPLY'), title: text(200).min(1), id: text(200).optional() }),
  z.strictObject({ type: z.literal('URL'), title: text(200).min(1), url: url() }),
  z.strictObject({ type: z.literal('PHONE_NUMBER'), title: text(200).min(1), phone: text(40).min(1) }),
]);

const buttons = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(20);

export const TemplateContentSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('text'), body: text().min(1) }).describe('twilio/text'),
    z
      .strictObject({ type: z.literal('media'), body: text().optional(), media: z.array(url()).min(1).max(10).describe('The media sample (WhatsApp: one)') })
      .describe('twilio/media'),
    z.strictObject({ type: z.literal('quick-reply'), body: text().min(1), buttons: buttons(QuickReplyButton) }).describe('twilio/quick-reply'),
    z.strictObject({ type: z.literal('call-to-action'), body: text().min(1), buttons: buttons(CallToActionButton) }).describe('twilio/call-to-action'),
    z
      .strictObject({
        type: z.literal('card'),
        body: text().min(1),
        header: text(1000).optional().describe('Header text (or media instead)'),
        footer: text(1000).optional(),
        media: z.array(url()).max(10).optional().describe('A media header instead of a text one'),
        buttons: buttons(CardButton).optional(),
      })
      .describe('whatsapp/card'),
    z
      .strictObject({
        type: z.literal('authentication'),
        copyCodeText: text(200).min(1).describe('The copy-code button text'),
        addSecurityRecommendation: z.boolean().optional().describe('Adds “For your security, do not share this code.”'),
        codeExpirationMinutes: z.number().int().optional().describe('Adds “This code expires in N minutes.” (1–90)'),
      })
      .describe('whatsapp/authentication: Meta writes the body; variable 1 is the code'),
  ])
  .describe('What the template sends, one content type');
export type TemplateContent = z.infer<typeof TemplateContentSchema>;

const Variables = z
  .record(z.string().min(1).max(16), z.string().max(1000))
  .describe('Each variable (`"1"`, `"2"`, …) with the sample value Meta reviews it by');

const templateFields = {
  name: z.string().min(1).max(600).describe('The WhatsApp template name: lowercase letters, digits and underscores; unique per customer and language'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(?:_[A-Z]{2})?$/, 'a language code such as en, es, pt_BR')
    .describe('ISO 639-1 language, optionally with a region (`en`, `en_US`, `pt_BR`)'),
  category: z.enum(TEMPLATE_CATEGORIES).describe('What Meta bills and reviews it as; Meta may re-categorise it'),
  variables: Variables.default({}),
  content: TemplateContentSchema,
};

export const TemplateCreateSchema = z.strictObject({
  ...templateFields,
  allowCategoryChange: z.boolean().default(true).describe('Let Meta change the category instead of rejecting the template'),
});
export type TemplateCreate = z.infer<typeof TemplateCreateSchema>;

/** A rejected template's next version: a new name (a rejected name cannot be reused) and the fixed content. */
export const TemplateResubmitSchema = z.strictObject({
  name: templateFields.name,
  category: templateFields.category.optional().describe('Default: the rejected version’s'),
  variables: Variables.optional().describe('Default: the rejected version’s'),
  content: TemplateContentSchema.optional().describe('Default: the rejected version’s'),
  allowCategoryChange: z.boolean().optional(),
});
export type TemplateResubmit = z.infer<typeof TemplateResubmitSchema>;

export const TemplateListQuerySchema = z.strictObject({
  status: z.enum(TEMPLATE_STATUSES).optional(),
  category: z.enum(TEMPLATE_CATEGORIES).optional(),
  language: templateFields.language.optional(),
  ...pageQuery(),
});
export type TemplateListQuery = z.infer<typeof TemplateListQuerySchema>;

export const LintFindingSchema = z.object({
  severity: z.enum(['error', 'warning']).describe('error: the create refuses (422); warning: a common reason for rejection, for the partner to judge'),
  code: z.string().describe('The rule, e.g. name-format, variable-gap, variable-at-edge, url-shortener, body-too-long, promotional-utility'),
  field: z.string().describe('The request field at fault, e.g. body.content.buttons.0.title, body.variables.2'),
  message: z.string(),
});
export type LintFinding = z.infer<typeof LintFindingSchema>;

export const LintReportSchema = z
  .object({
    ok: z.boolean().describe('No error findings: the create would send it to Twilio'),
    findings: z.array(LintFindingSchema).describe('Errors first, then warnings'),
  })
  .describe('What Meta would most likely reject, found before anything is created');
export type LintReport = z.infer<typeof LintReportSchema>;

export const TemplateSchema = z
  .object({
    id: z.string().describe('tpl_…'),
    name: z.string(),
    language: z.string(),
    category: z.enum(TEMPLATE_CATEGORIES).describe('The category it is billed as now: Meta’s, once it decided'),
    requestedCategory: z.enum(TEMPLATE_CATEGORIES).describe('The category it was submitted with'),
    categoryChanged: z.boolean().describe('Meta re-categorised it (category ≠ requestedCategory)'),
    allowCategoryChange: z.boolean(),
    status: z.enum(TEMPLATE_STATUSES),
    rejectionReason: z.string().nullable().describe('Meta’s reason, when rejected (or paused / disabled)'),
    contentSid: z.string().nullable().describe('HX…, once the Content resource exists'),
    variables: z.record(z.string(), z.string()),
    content: TemplateContentSchema,
    previousVersionId: z.string().nullable().describe('The rejected template this one resubmits'),
    nextVersionId: z.string().nullable().describe('The template that resubmitted this one'),
    submittedAt: iso().nullable(),
    statusUpdatedAt: iso().nullable(),
    checkedAt: iso().nullable().describe('When Twilio was last asked about it'),
    createdAt: iso(),
    updatedAt: iso(),
  })
  .describe('A WhatsApp template of the customer, with its approval state');
export type TemplateView = z.infer<typeof TemplateSchema>;

export const TemplateListSchema = pageOf(TemplateSchema, 'Newest first');

/** The Content API's `types` for a content: Twilio's type key and its snake_case fields. */
export function toContentTypes(content: TemplateContent): Record<string, Record<string, unknown>> {
  switch (content.type) {
    case 'text':
      return { 'twilio/text': { body: content.body } };
    case 'media':
      return { 'twilio/media': { ...(content.body !== undefined ? { body: content.body } : {}), media: content.media } };
    case 'quick-reply':
      return { 'twilio/quick-reply': { body: content.body, actions: content.buttons.map((b) => ({ type: 'QUICK_REPLY', title: b.title, id: b.id ?? b.title })) } };
    case 'call-to-action':
      return { 'twilio/call-to-action': { body: content.body, actions: content.buttons.map((b) => ({ ...b })) } };
    case 'card':
      return {
        'whatsapp/card': {
          body: content.body,
          ...(content.header !== undefined ? { header_text: content.header } : {}),
          ...(content.footer !== undefined ? { footer: content.footer } : {}),
          ...(content.media ? { media: content.media } : {}),
          ...(content.buttons ? { actions: content.buttons.map((b) => (b.type === 'QUICK_REPLY' ? { ...b, id: b.id ?? b.title } : { ...b })) } : {}),
        },
      };
    case 'authentication':
      return {
        'whatsapp/authentication': {
          ...(content.addSecurityRecommendation !== undefined ? { add_security_recommendation: content.addSecurityRecommendation } : {}),
          ...(content.codeExpirationMinutes !== undefined ? { code_expiration_minutes: content.codeExpirationMinutes } : {}),
          actions: [{ type: 'COPY_CODE', copy_code_text: content.copyCodeText }],
        },
      };
  }
}
