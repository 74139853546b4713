import { TwilioError, missingParameter } from '../core/errors';
import { iso8601, metaPage, pageOf } from '../core/format';
import { created, noContent, ok, route, type Route, type SandboxContext } from '../core/context';
import type { ContentRecord, TemplateApprovalStatus } from '../core/state';
import { hostUrl, jsonBody, ownedByCaller } from './v1-common';

const HOST = 'content.twilio.com';
const contentUrl = (sid: string): string => hostUrl(HOST, `/v1/Content/${sid}`);

function renderContent(c: ContentRecord): Record<string, unknown> {
  return {
    date_created: iso8601(c.createdAt),
    date_updated: iso8601(c.updatedAt),
    sid: c.sid,
    account_sid: c.accountSid,
    friendly_name: c.friendlyName,
    language: c.language,
    variables: c.variables,
    types: c.types,
    url: contentUrl(c.sid),
    links: { approval_create: `${contentUrl(c.sid)}/ApprovalRequests/whatsapp`, approval_fetch: `${contentUrl(c.sid)}/ApprovalRequests` },
  };
}

function contentType(c: ContentRecord): string {
  return Object.keys(c.types)[0] ?? 'twilio/text';
}

function renderApproval(c: ContentRecord): Record<string, unknown> {
  const a = c.approval;
  return {
    type: 'whatsapp',
    name: a?.name ?? '',
    category: a?.category ?? '',
    content_type: contentType(c),
    status: a?.status ?? 'unsubmitted',
    rejection_reason: a?.rejectionReason ?? '',
    allow_category_change: a?.allowCategoryChange ?? true,
  };
}

/** The text a template sends: its body with `{{n}}` filled from ContentVariables, else the sample values. */
export function renderTemplateText(c: ContentRecord, contentVariables: string | undefined): string {
  let supplied: Record<string, unknown> = {};
  try {
    supplied = contentVariables ? (JSON.parse(contentVariables) as Record<string, unknown>) : {};
  } catch {
    throw new TwilioError(400, 21656, 'The ContentVariables Parameter is invalid');
  }
  const type = Object.values(c.types).find((t): t is { body: string } => !!t && typeof (t as { body?: unknown }).body === 'string');
  const body = type?.body ?? '';
  return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => String(supplied[key] ?? c.variables[key] ?? ''));
}

function templateEvent(ctx: SandboxContext, c: ContentRecord, type: 'status_update' | 'category_update', previous: string, current: string): Promise<void> {
  // Template events are the one family with camelCase data keys.
  return ctx.hooks.emitEvent(
    c.accountSid,
    'com.twilio.messaging.template.approval.updated',
    {
      type,
      accountSid: c.accountSid,
      dateUpdated: c.updatedAt,
      channel: 'whatsapp',
      template: { sid: c.sid, friendlyName: c.friendlyName, externalTemplateName: c.approval!.name, language: c.language, previousValue: previous, currentValue: current },
    },
    `/v1/Templates/${c.sid}`,
  );
}

function setApprovalStatus(ctx: SandboxContext, c: ContentRecord, status: TemplateApprovalStatus, rejectionReason = ''): Promise<void> {
  const approval = c.approval!;
  const previous = approval.status;
  approval.status = status;
  approval.rejectionReason = rejectionReason;
  c.updatedAt = ctx.clock.now();
  return templateEvent(ctx, c, 'status_update', previous, status);
}

/** Meta's decision on a re-categorised template: approved under the new category, or rejected when the submission forbade the change. */
async function approve(ctx: SandboxContext, c: ContentRecord): Promise<void> {
  const approval = c.approval!;
  const to = approval.recategorizeTo;
  if (to && to !== approval.category) {
    if (!approval.allowCategoryChange) {
      await setApprovalStatus(ctx, c, 'rejected', `INCORRECT_CATEGORY - The template reads as ${to}, not ${approval.category}, and a category change was not allowed`);
      return;
    }
    const previous = approval.category;
    approval.category = to;
    c.updatedAt = ctx.clock.now();
    await templateEvent(ctx, c, 'category_update', previous, to);
  }
  await setApprovalStatus(ctx, c, 'approved');
  scheduleAftermath(ctx, c);
}

/** approved → paused (→ disabled), a review delay apart, when the scenario asked for it. */
function scheduleAftermath(ctx: SandboxContext, c: ContentRecord): void {
  const aftermath = c.approval?.aftermath;
  const status = c.approval?.status;
  if (!aftermath) return;
  if (status === 'approved') {
    ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `template ${c.sid} → paused`, async () => {
      if (c.approval?.status !== 'approved' || !ctx.state.contents.has(c.sid)) return;
      await setApprovalStatus(ctx, c, 'paused', 'PAUSED - Low quality rating: recipients blocked or reported the template');
      scheduleAftermath(ctx, c);
    });
  } else if (status === 'paused' && aftermath === 'disable') {
    ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `template ${c.sid} → disabled`, async () => {
      if (c.approval?.status !== 'paused' || !ctx.state.contents.has(c.sid)) return;
      await setApprovalStatus(ctx, c, 'disabled', 'DISABLED - The template stayed at low quality after its pause');
    });
  }
}

/** received → pending → approved | rejected, a review delay apart; a stall leaves it received. */
function scheduleReview(ctx: SandboxContext, c: ContentRecord, from: 'received' | 'pending' = 'received'): void {
  const decision = ctx.rules.decide('template', c.accountSid, [c.friendlyName, c.approval?.name, JSON.stringify(c.types)]);
  if (decision.outcome === 'stall') return;
  const decide = () =>
    ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `template ${c.sid} → decided`, () => {
      if (!ctx.state.contents.has(c.sid)) return Promise.resolve();
      return decision.outcome === 'fail'
        ? setApprovalStatus(ctx, c, 'rejected', decision.errors?.[0]?.description ?? 'INVALID_FORMAT - Template body is generic or misses a sample for a variable')
        : approve(ctx, c);
    });
  if (from === 'pending') return void decide();
  ctx.clock.schedule(ctx.settings.reviewDelaySeconds, `template ${c.sid} → pending`, async () => {
    if (!ctx.state.contents.has(c.sid)) return;
    await setApprovalStatus(ctx, c, 'pending');
    decide();
  });
}

/** After a restart: a template still in WhatsApp review, or waiting to be paused or disabled, continues from where it stood. */
export function resumeTemplateReview(ctx: SandboxContext, c: ContentRecord): void {
  const status = c.approval?.status;
  if (status === 'received' || status === 'pending') scheduleReview(ctx, c, status);
  else scheduleAftermath(ctx, c);
}

export const contentRoutes: Route[] = [
  route('POST', HOST, '/v1/Content', (req, ctx) => {
    const body = jsonBody(req);
    if (typeof body.language !== 'string' || !body.language) throw missingParameter('language');
    if (!body.types || typeof body.types !== 'object') throw missingParameter('types');
    const now = ctx.clock.now();
    const content: ContentRecord = {
      sid: ctx.sids.next('HX'),
      accountSid: req.account.sid,
      friendlyName: typeof body.friendly_name === 'string' ? body.friendly_name : '',
      language: body.language,
      variables: (body.variables as Record<string, unknown>) ?? {},
      types: body.types as Record<string, unknown>,
      approval: null,
      createdAt: now,
      updatedAt: now,
    };
    ctx.state.contents.set(content.sid, content);
    return created(renderContent(content));
  }),
  route('GET', HOST, '/v1/Content', (req, ctx) => {
    const items = ctx.state.ownedBy(ctx.state.contents, req.account.sid).map(renderContent);
    return ok(metaPage('contents', hostUrl(HOST, '/v1/Content'), items, pageOf(req.params)));
  }),
  route('GET', HOST, '/v1/Content/{Sid}', (req, ctx) => ok(renderContent(ownedByCaller(ctx.state.contents, req.pathParams.Sid, req)))),
  route('DELETE', HOST, '/v1/Content/{Sid}', (req, ctx) => {
    ctx.state.contents.delete(ownedByCaller(ctx.state.contents, req.pathParams.Sid, req).sid);
    return noContent();
  }),
  route('POST', HOST, '/v1/Content/{Sid}/ApprovalRequests/whatsapp', (req, ctx) => {
    const content = ownedByCaller(ctx.state.contents, req.pathParams.Sid, req);
    const body = jsonBody(req);
    if (typeof body.name !== 'string' || !body.name) throw missingParameter('name');
    if (typeof body.category !== 'string' || !body.category) throw missingParameter('category');
    if (content.approval && content.approval.status !== 'rejected') throw new TwilioError(400, 20001, 'An approval request for this content was already submitted');
    if (content.approval?.name === body.name) throw new TwilioError(400, 20001, `The template name ${body.name} was rejected and cannot be reused`);
    const next = ctx.rules.templateAction(content.accountSid, [content.friendlyName, body.name, JSON.stringify(content.types)]);
    content.approval = {
      name: body.name, category: body.category, status: 'received', rejectionReason: '', allowCategoryChange: body.allow_category_change !== false,
      ...(next?.action === 'recategorize' && next.category ? { recategorizeTo: next.category } : {}),
      ...(next?.action === 'pause' || next?.action === 'disable' ? { aftermath: next.action } : {}),
    };
    content.updatedAt = ctx.clock.now();
    scheduleReview(ctx, content);
    const { type: _type, ...approval } = renderApproval(content);
    return created(approval);
  }),
  route('GET', HOST, '/v1/Content/{Sid}/ApprovalRequests', (req, ctx) => {
    const content = ownedByCaller(ctx.state.contents, req.pathParams.Sid, req);
    return ok({ sid: content.sid, account_sid: content.accountSid, whatsapp: renderApproval(content), url: `${contentUrl(content.sid)}/ApprovalRequests` });
  }),
];
