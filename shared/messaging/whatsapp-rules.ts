import { TemplateMismatchError, TemplateNotApprovedError, TemplateRequiredError, type FieldError } from '../domain/errors';
import { WHATSAPP_WINDOW_MS } from '../domain/message';

/**
 * WhatsApp's two sending rules, checked before Twilio is called so a partner hears the reason at
 * once instead of in a failed status callback: free-form content only inside the 24-hour window
 * the contact's last inbound message opened (Twilio's 63016 otherwise), and outside it only an
 * approved template whose variables are all given (63040–63042 for a template that is not).
 */

/** What a send needs of a template: the store's read for sends returns this. */
export interface TemplateForSend {
  id: string;
  contentSid: string;
  name: string;
  language: string;
  category: string;
  /** Its WhatsApp approval status: only `approved` sends. */
  status: string;
  /** The variable keys the template has, e.g. ["1", "2"]. */
  variables: string[];
}

export interface TemplateLookup {
  findForSend(partnerId: string, customerId: string, ref: { templateId?: string; contentSid?: string }): Promise<TemplateForSend | undefined>;
}

/**
 * Free-form is allowed while the window is open at the moment the message goes out (its send
 * time when scheduled): replies of the business never extend it.
 */
export function requireOpenWindow(contact: string, lastInboundAt: string | undefined, sendsAt: Date): void {
  const closesAt = lastInboundAt ? Date.parse(lastInboundAt) + WHATSAPP_WINDOW_MS : undefined;
  if (closesAt !== undefined && sendsAt.getTime() < closesAt) return;
  const since = lastInboundAt ? `its last message to this customer was at ${lastInboundAt}, so the window closed at ${new Date(closesAt!).toISOString()}` : 'it has never written to this customer on WhatsApp';
  throw new TemplateRequiredError(
    `WhatsApp allows free-form messages only within 24 hours of the contact's last message, and ${contact} is outside that window (${since}). Send an approved template (templateId or contentSid with contentVariables); the contact's reply opens the window again.`,
    [{ field: 'body.body', message: 'free-form content outside the 24-hour window: send an approved template' }],
  );
}

/** An approved template, and exactly its variables, each non-empty (the schema refuses empty values). */
export function requireSendableTemplate(template: TemplateForSend | undefined, ref: { templateId?: string; contentSid?: string }, variables: Record<string, string> = {}): void {
  const field = ref.templateId !== undefined ? 'body.templateId' : 'body.contentSid';
  if (!template) throw new TemplateMismatchError(`No template ${ref.templateId ?? ref.contentSid} exists for this customer (GET …/templates lists them)`, [{ field, message: 'no such template for this customer' }]);
  if (template.status !== 'approved') {
    throw new TemplateNotApprovedError(`Template ${template.name} (${template.id}, ${template.language}) is ${template.status}: only an approved template can be sent${template.status === 'rejected' ? '; resubmit it under a new name (POST …/templates/{templateId}/resubmit)' : ''}`);
  }
  const errors: FieldError[] = [];
  for (const name of template.variables) if (variables[name] === undefined) errors.push({ field: `body.contentVariables.${name}`, message: `template ${template.name} needs variable ${name}` });
  for (const name of Object.keys(variables)) if (!template.variables.includes(name)) errors.push({ field: `body.contentVariables.${name}`, message: `template ${template.name} has no variable ${name}` });
  if (errors.length) {
    const wanted = template.variables.length ? template.variables.map((v) => `{{${v}}}`).join(', ') : 'none';
    throw new TemplateMismatchError(`The variables do not fit template ${template.name}, which has ${wanted}`, errors);
  }
}

/** Twilio's WhatsApp refusals that mean the same as our own checks, when they arrive anyway. */
export const TEMPLATE_STATUS_BY_CODE: Record<number, string> = { 63040: 'rejected', 63041: 'paused', 63042: 'disabled' };
