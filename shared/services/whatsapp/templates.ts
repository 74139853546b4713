import { createHash } from 'node:crypto';
import { requireOpen } from '../../domain/customer';
import { ConflictError, CustomerNotReadyError, NotFoundError, TemplateLintError, UnprocessableError } from '../../domain/errors';
import type { PartnerEventInput } from '../../domain/event-types';
import {
  TEMPLATE_CATEGORIES,
  toContentTypes,
  type LintReport,
  type TemplateCategory,
  type TemplateCreate,
  type TemplateListQuery,
  type TemplateResubmit,
  type TemplateStatus,
  type TemplateView,
} from '../../domain/template';
import type { CustomerRecord } from '../../store/customers';
import { awaitsReview, type TemplateForSend, type TemplateRecord, type TemplateStore } from '../../store/templates';
import { TEMPLATE_REVIEW_SHARDS } from '../../store/keys';
import { TwilioPermanentError } from '../../twilio/errors';
import type { ContentApproval, SubaccountCredentials, TwilioGateway } from '../../twilio/gateway';
import type { PartnerEventLog } from '../partner-events-contract';
import { pager, type Page } from '../page';
import type { Clock, IdGenerator } from '../support';
import { lintErrors, lintTemplate, type LintInput } from './template-lint';

export type ContentPort = Pick<TwilioGateway, 'createContentTemplate' | 'requestWhatsAppApproval' | 'fetchContentApproval' | 'listContentTemplates' | 'deleteContentTemplate'>;

export interface TemplateReaderDeps {
  templates: TemplateStore;
  customers: { get(partnerId: string, customerId: string): Promise<CustomerRecord | undefined> };
}

export interface TemplateServiceDeps extends TemplateReaderDeps {
  twilio: ContentPort;
  /** The customer's subaccount credentials (decrypted): Content resources belong to the account that calls. */
  credentials(partnerId: string, customerId: string): Promise<SubaccountCredentials>;
  events: Pick<PartnerEventLog, 'appendWith'>;
  clock: Clock;
  ids: IdGenerator;
}

/** Twilio's approval states → ours; anything unknown is still under review. */
const TWILIO_STATUSES: Record<string, TemplateStatus> = {
  unsubmitted: 'unsubmitted',
  received: 'received',
  pending: 'pending',
  in_review: 'pending',
  approved: 'approved',
  rejected: 'rejected',
  paused: 'paused',
  disabled: 'disabled',
};

const isCategory = (value: string | null): value is TemplateCategory => !!value && (TEMPLATE_CATEGORIES as readonly string[]).includes(value);

export function toTemplateView(r: TemplateRecord): TemplateView {
  return {
    id: r.templateId,
    name: r.name,
    language: r.language,
    category: r.category,
    requestedCategory: r.requestedCategory,
    categoryChanged: r.category !== r.requestedCategory,
    allowCategoryChange: r.allowCategoryChange,
    status: r.status,
    rejectionReason: r.rejectionReason ?? null,
    contentSid: r.contentSid ?? null,
    variables: r.variables,
    content: r.content,
    previousVersionId: r.previousVersionId ?? null,
    nextVersionId: r.nextVersionId ?? null,
    submittedAt: r.submittedAt ?? null,
    statusUpdatedAt: r.statusUpdatedAt ?? null,
    checkedAt: r.checkedAt ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function updatedEvent(r: TemplateRecord, previousStatus: TemplateStatus | null): PartnerEventInput {
  return {
    type: 'template.updated',
    customerId: r.customerId,
    data: {
      templateId: r.templateId,
      contentSid: r.contentSid ?? null,
      name: r.name,
      language: r.language,
      status: r.status,
      previousStatus,
      category: r.category,
      requestedCategory: r.requestedCategory,
      categoryChanged: r.category !== r.requestedCategory,
      rejectionReason: r.rejectionReason ?? null,
      previousVersionId: r.previousVersionId ?? null,
    },
  };
}

function requestHash(customerId: string, input: LintInput & { allowCategoryChange: boolean }, previousVersionId?: string): string {
  const canonical = JSON.stringify([customerId, input.name, input.language, input.category, input.allowCategoryChange, Object.entries(input.variables).sort(), input.content, previousVersionId ?? null]);
  return createHash('sha256').update(canonical).digest('base64url');
}

const templatePages = pager<TemplateRecord>('templates', /^tpl_[0-9A-Za-z]{26}$/, (t) => t.templateId);

/** The read side: no Twilio and no keys, so the read functions bundle neither. */
export function templateReader({ templates, customers }: TemplateReaderDeps) {
  async function requireCustomer(partnerId: string, customerId: string): Promise<CustomerRecord> {
    const customer = await customers.get(partnerId, customerId);
    if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
    return customer;
  }

  return {
    requireCustomer,

    /** The lint alone: nothing is stored and nothing reaches Twilio (a closed customer takes no templates: 409). */
    async lint(partnerId: string, customerId: string, input: TemplateCreate): Promise<LintReport> {
      requireOpen(await requireCustomer(partnerId, customerId), customerId);
      const claim = await templates.claimOf(partnerId, customerId, input.language, input.name);
      return lintTemplate(input, { nameTaken: !!claim });
    },

    async get(partnerId: string, customerId: string, templateId: string): Promise<TemplateView> {
      const found = await templates.get(partnerId, customerId, templateId);
      if (!found) throw new NotFoundError(`Template ${templateId} not found`);
      return toTemplateView(found);
    },

    /** Newest first, filtered by status, category and language. */
    async list(partnerId: string, customerId: string, query: TemplateListQuery): Promise<Page<TemplateView>> {
      const scope = [partnerId, customerId];
      const after = templatePages.after(query.cursor, scope);
      await requireCustomer(partnerId, customerId);
      const read = await templates.list(partnerId, customerId, { status: query.status, category: query.category, language: query.language }, after, query.limit + 1);
      const { items, nextCursor } = templatePages.page(read, query.limit, scope);
      return { data: items.map(toTemplateView), nextCursor };
    },

    /**
     * For the send path: the template by id or by ContentSid, with what a send checks (status,
     * category) and the variable keys it must fill. One GetItem (by id) or one Query (by SID).
     */
    findForSend(partnerId: string, customerId: string, ref: { templateId?: string; contentSid?: string }): Promise<TemplateForSend | undefined> {
      return templates.findForSend(partnerId, customerId, ref);
    },
  };
}

/**
 * WhatsApp templates of a customer: lint, create in the customer's subaccount with the Content
 * API, submit for WhatsApp approval, follow the review, delete, resubmit a rejected one.
 *
 * Crash safety: the template row and its name claim are written before Twilio is called, and the
 * Content resource is named after the template id (`friendly_name`). A retry of the same request
 * finds the claim, resumes the same template and looks the Content resource up before creating
 * one, so it never creates a second; each SID is stored the moment it exists.
 */
export function templateService(deps: TemplateServiceDeps) {
  const { templates, twilio, events, clock, ids } = deps;
  const reader = templateReader(deps);

  async function openCustomer(partnerId: string, customerId: string): Promise<CustomerRecord> {
    const customer = requireOpen(await reader.requireCustomer(partnerId, customerId), customerId);
    if (!customer.accountSid) throw new CustomerNotReadyError('The customer has no Twilio subaccount yet: POST /v1/customers/{id}/subaccount first (its WhatsApp sender and templates live in it)');
    return customer;
  }

  async function lint(partnerId: string, customerId: string, input: LintInput): Promise<LintReport> {
    const claim = await templates.claimOf(partnerId, customerId, input.language, input.name);
    return lintTemplate(input, { nameTaken: !!claim });
  }

  /** Writes the next state (with its event when the status or category moved); false when someone else changed it first. */
  async function save(current: TemplateRecord, next: TemplateRecord, tell: boolean): Promise<TemplateRecord | undefined> {
    const stored = { ...next, version: current.version + 1, updatedAt: clock.now().toISOString() };
    const result = await events.appendWith(current.partnerId, tell ? [updatedEvent(stored, current.status)] : [], [templates.replaceItem(stored, current.version)]);
    return result.committed ? stored : undefined;
  }

  /** The template as Twilio's approval answer has it; `undefined` when nothing a partner sees changed. */
  function withApproval(r: TemplateRecord, approval: ContentApproval, at: string): { next: TemplateRecord; changed: boolean } {
    const status = (approval.status && TWILIO_STATUSES[approval.status]) || r.status;
    const category = isCategory(approval.category) && status !== 'unsubmitted' ? approval.category : r.category;
    const reason = approval.rejectionReason ? approval.rejectionReason : status === 'rejected' ? (r.rejectionReason ?? 'Rejected by WhatsApp') : undefined;
    const changed = status !== r.status || category !== r.category || (reason ?? null) !== (r.rejectionReason ?? null);
    const { rejectionReason: _r, ...rest } = r;
    return {
      next: { ...rest, status, category, ...(reason ? { rejectionReason: reason } : {}), checkedAt: at, ...(status !== r.status ? { statusUpdatedAt: at } : {}) },
      changed,
    };
  }

  /** Asks for WhatsApp approval; Twilio's refusal (e.g. a name Meta rejected before) ends the template rejected with Twilio's reason. */
  async function submit(creds: SubaccountCredentials, r: TemplateRecord): Promise<TemplateRecord> {
    const at = clock.now().toISOString();
    let approval: ContentApproval;
    try {
      approval = await twilio.requestWhatsAppApproval(creds, r.contentSid!, { name: r.name, category: r.requestedCategory });
    } catch (error) {
      if (!(error instanceof TwilioPermanentError) || error.status === 401 || error.status === 403 || error.status === 429) throw error;
      const next = { ...r, status: 'rejected' as const, rejectionReason: `Twilio refused the approval request (${error.code ?? error.status}): ${error.message}`, submittedAt: at, statusUpdatedAt: at, checkedAt: at };
      return (await save(r, next, true)) ?? reload(r);
    }
    const { next } = withApproval({ ...r, submittedAt: at }, { ...approval, status: approval.status && approval.status !== 'unsubmitted' ? approval.status : 'received' }, at);
    return (await save(r, next, true)) ?? reload(r);
  }

  async function reload(r: TemplateRecord): Promise<TemplateRecord> {
    const again = await templates.get(r.partnerId, r.customerId, r.templateId, true);
    if (!again) throw new NotFoundError(`Template ${r.templateId} was deleted meanwhile`);
    return again;
  }

  /**
   * Takes a stored template as far as it goes now: its Content resource (looked up first when an
   * earlier attempt may have made it), its SID stored at once, then the approval request.
   */
  async function advance(r: TemplateRecord, resumed: boolean): Promise<TemplateRecord> {
    let current = r;
    if (current.status !== 'creating' && current.status !== 'unsubmitted') return current;
    const creds = await deps.credentials(r.partnerId, r.customerId);
    if (!current.contentSid) {
      const earlier = resumed ? (await twilio.listContentTemplates(creds)).find((c) => c.friendlyName === current.templateId) : undefined;
      let sid = earlier?.sid;
      if (!sid) {
        try {
          sid = (await twilio.createContentTemplate(creds, { friendlyName: current.templateId, language: current.language, variables: current.variables, types: toContentTypes(current.content) })).sid;
        } catch (error) {
          if (error instanceof TwilioPermanentError && error.status === 400) {
            // Nothing exists at Twilio: the template and its name are given up, so a fixed request can use them.
            await events.appendWith(r.partnerId, [], templates.deleteItems(current));
            throw new UnprocessableError(`Twilio refused the template content (${error.code ?? error.status}): ${error.message}. Nothing was created; fix it and create it again.`);
          }
          throw error;
        }
      }
      const stored = await save(current, { ...current, contentSid: sid, status: 'unsubmitted' }, false);
      current = stored ?? (await reload(current));
      if (!current.contentSid) throw new ConflictError(`Template ${r.templateId} changed meanwhile; retry`);
    }
    if (current.status !== 'unsubmitted') return current;
    if (resumed) {
      // An earlier attempt may have submitted it: what Twilio has decides.
      const approval = await twilio.fetchContentApproval(creds, current.contentSid!);
      if (approval.status && approval.status !== 'unsubmitted') {
        const { next } = withApproval({ ...current, submittedAt: current.submittedAt ?? clock.now().toISOString() }, approval, clock.now().toISOString());
        return (await save(current, next, true)) ?? reload(current);
      }
    }
    return submit(creds, current);
  }

  /** A new template (or version) stored with its claim, or the one a retry of the same request stored. */
  async function claimAndAdvance(record: TemplateRecord, extraItems: ReturnType<TemplateStore['replaceItem']>[] = []): Promise<TemplateRecord> {
    const stored = await events.appendWith(record.partnerId, [], [...templates.createItems(record), ...extraItems]);
    if (stored.committed) return advance(record, false);
    const claim = await templates.claimOf(record.partnerId, record.customerId, record.language, record.name);
    if (claim?.requestHash === record.requestHash) {
      const earlier = await templates.get(record.partnerId, record.customerId, claim.templateId, true);
      if (earlier) return advance(earlier, true);
    }
    if (claim) throw new TemplateLintError('The template would be rejected: fix these fields first', [{ field: 'body.name', message: `another template of this customer is already named ${record.name} in ${record.language}; pick a new name (name-taken)` }]);
    throw new ConflictError('The template was changed concurrently; retry');
  }

  function newRecord(partnerId: string, customerId: string, input: LintInput & { allowCategoryChange: boolean }, hash: string, previousVersionId?: string): TemplateRecord {
    const at = clock.now().toISOString();
    return {
      partnerId, customerId, templateId: ids('tpl'), name: input.name, language: input.language,
      requestedCategory: input.category, category: input.category, allowCategoryChange: input.allowCategoryChange,
      status: 'creating', variables: input.variables, content: input.content, requestHash: hash,
      ...(previousVersionId ? { previousVersionId } : {}), createdAt: at, updatedAt: at, version: 1,
    };
  }

  return {
    ...reader,

    /**
     * Primary course: the customer is open and has a subaccount → a retry of the same request
     * resumes what its first attempt stored → the lint (422 with every error) → the template and
     * its name claim are stored → the Content resource is created and its SID stored → WhatsApp
     * approval is requested and the `template.updated` event written with the new status.
     */
    async create(partnerId: string, customerId: string, input: TemplateCreate): Promise<TemplateView> {
      await openCustomer(partnerId, customerId);
      const hash = requestHash(customerId, input);
      const claim = await templates.claimOf(partnerId, customerId, input.language, input.name);
      if (claim?.requestHash === hash) {
        const earlier = await templates.get(partnerId, customerId, claim.templateId, true);
        if (earlier) return toTemplateView(await advance(earlier, true));
      }
      const report = lintTemplate(input, { nameTaken: !!claim });
      if (!report.ok) throw new TemplateLintError(`The lint found ${lintErrors(report).length} error(s); nothing was sent to Twilio`, lintErrors(report));
      return toTemplateView(await claimAndAdvance(newRecord(partnerId, customerId, input, hash)));
    },

    /**
     * A rejected template's next version under a new name, linked both ways (`previousVersionId`,
     * `nextVersionId`); the link is written with the new version's row, so a retry of the same
     * resubmission resumes it and a different one is a 409.
     */
    async resubmit(partnerId: string, customerId: string, templateId: string, input: TemplateResubmit): Promise<TemplateView> {
      await openCustomer(partnerId, customerId);
      const old = await templates.get(partnerId, customerId, templateId, true);
      if (!old) throw new NotFoundError(`Template ${templateId} not found`);
      const merged = {
        name: input.name, language: old.language, category: input.category ?? old.requestedCategory,
        variables: input.variables ?? old.variables, content: input.content ?? old.content, allowCategoryChange: input.allowCategoryChange ?? old.allowCategoryChange,
      };
      const hash = requestHash(customerId, merged, old.templateId);
      if (old.nextVersionId) {
        const next = await templates.get(partnerId, customerId, old.nextVersionId, true);
        if (next?.requestHash === hash) return toTemplateView(await advance(next, true));
        throw new ConflictError(`Template ${templateId} was already resubmitted as ${old.nextVersionId}; resubmit that one if it is rejected too`);
      }
      if (old.status !== 'rejected') throw new ConflictError(`Template ${templateId} is ${old.status}: only a rejected template is resubmitted (a pending one is still in review)`);
      const report = await lint(partnerId, customerId, merged);
      if (!report.ok) throw new TemplateLintError(`The lint found ${lintErrors(report).length} error(s); nothing was sent to Twilio`, lintErrors(report));
      const record = newRecord(partnerId, customerId, merged, hash, old.templateId);
      const link = templates.replaceItem({ ...old, nextVersionId: record.templateId, version: old.version + 1, updatedAt: record.createdAt }, old.version);
      return toTemplateView(await claimAndAdvance(record, [link]));
    },

    /** Deletes the Content resource at Twilio (one already gone counts as deleted), then the template and its name. */
    async delete(partnerId: string, customerId: string, templateId: string): Promise<void> {
      await openCustomer(partnerId, customerId);
      const found = await templates.get(partnerId, customerId, templateId, true);
      if (!found) throw new NotFoundError(`Template ${templateId} not found`);
      if (found.contentSid) {
        try {
          await twilio.deleteContentTemplate(await deps.credentials(partnerId, customerId), found.contentSid);
        } catch (error) {
          if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
        }
      }
      const result = await events.appendWith(partnerId, [], templates.deleteItems(found));
      if (!result.committed) throw new ConflictError(`Template ${templateId} changed while it was deleted; delete it again`);
    },

    /**
     * The scheduled refresh: the least recently checked undecided templates of every review shard
     * are asked about at Twilio; a change is stored with its `template.updated` event, and each
     * check moves the template to the back of its shard. A template whose create died after its
     * Content resource existed is submitted here.
     */
    async refresh(perShard = 25): Promise<{ checked: number; changed: number; failed: number }> {
      let checked = 0;
      let changed = 0;
      let failed = 0;
      for (let shard = 0; shard < TEMPLATE_REVIEW_SHARDS; shard++) {
        for (const r of await templates.awaitingReview(shard, perShard)) {
          checked++;
          try {
            if (await this.refreshOne(r)) changed++;
          } catch {
            failed++;
          }
        }
      }
      return { checked, changed, failed };
    },

    /** One template against Twilio; true when what a partner sees changed. */
    async refreshOne(r: TemplateRecord, evenIfDecided = false): Promise<boolean> {
      if (!r.contentSid || (!evenIfDecided && !awaitsReview(r))) return false;
      const creds = await deps.credentials(r.partnerId, r.customerId);
      const at = clock.now().toISOString();
      let approval: ContentApproval;
      try {
        approval = await twilio.fetchContentApproval(creds, r.contentSid!);
      } catch (error) {
        if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
        const gone = { ...r, status: 'disabled' as const, rejectionReason: 'The Content resource no longer exists at Twilio', statusUpdatedAt: at, checkedAt: at };
        return !!(await save(r, gone, true));
      }
      if (approval.status === 'unsubmitted' || approval.status === null) {
        const after = await submit(creds, r);
        return after.status !== r.status;
      }
      const { next, changed } = withApproval(r, approval, at);
      const saved = await save(r, next, changed);
      return !!saved && changed;
    },

    /** A Twilio template event is a hint: the template is re-read at Twilio now, the event itself is not trusted. */
    async onTwilioEvent(partnerId: string, customerId: string, contentSid: string): Promise<boolean> {
      const r = await templates.byContentSid(partnerId, customerId, contentSid);
      if (!r?.contentSid) return false;
      const current = await templates.get(partnerId, customerId, r.templateId, true);
      if (!current) return false;
      // Approved templates have left the review index; an event (a pause, a re-categorisation) has them checked again.
      return this.refreshOne(current, true);
    },
  };
}

export type TemplateService = ReturnType<typeof templateService>;
export type TemplateReader = ReturnType<typeof templateReader>;
