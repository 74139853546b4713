import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { appLink, navigate } from '../router';
import { ErrorNote, Heading, Loading, Pager, useFocusOnFailure, when } from '../ui';
import { FollowError, useFollowed, valueOf } from './follow';
import './whatsapp.css';

interface Template {
  id: string;
  name: string;
  language: string;
  category: string;
  requestedCategory: string;
  categoryChanged: boolean;
  status: string;
  rejectionReason: string | null;
  variables: Record<string, string>;
  content: { type: string; body?: string };
  previousVersionId: string | null;
  nextVersionId: string | null;
  statusUpdatedAt: string | null;
  createdAt: string;
}

interface Finding {
  severity: 'error' | 'warning';
  code: string;
  field: string;
  message: string;
}

const CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
const STATUS_TEXT: Record<string, string> = {
  creating: 'Being created',
  unsubmitted: 'Not submitted yet',
  received: 'Submitted, waiting for review',
  pending: 'In review at WhatsApp',
  approved: 'Approved',
  rejected: 'Rejected',
  paused: 'Paused (low quality)',
  disabled: 'Disabled',
};
/** Statuses WhatsApp has yet to decide on: the page keeps reading until it has. */
const IN_REVIEW = ['creating', 'unsubmitted', 'received', 'pending'];
/** How long typing pauses before the draft is linted. */
const LINT_DELAY_MS = 400;

const statusText = (t: Template) => STATUS_TEXT[t.status] ?? t.status;
const hasReason = (t: Template) => !!t.rejectionReason && ['rejected', 'paused', 'disabled'].includes(t.status);

/** The variables a body uses, in the order they first appear: `{{1}}` → "1". */
function placeholders(body: string): string[] {
  return [...new Set([...body.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)].map((m) => m[1]!))];
}

/** The message as WhatsApp would show it, each variable filled with its sample (marked when it has none). */
function Preview({ body, samples }: { body: string; samples: Record<string, string> }) {
  const parts = body.split(/(\{\{\s*[^{}]*?\s*\}\})/g);
  return (
    <div class="preview">
      <div class="bubble" data-testid="template-preview">
        {body
          ? parts.map((part, i) => {
              const key = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(part)?.[1];
              if (key === undefined) return part;
              return samples[key] ? <span key={i}>{samples[key]}</span> : <span key={i} class="missing">{part}</span>;
            })
          : 'Your message appears here as you write it.'}
      </div>
    </div>
  );
}

/** The customer's templates, newest first, with where WhatsApp's review of each stands. */
export function Templates({ customerId }: { customerId: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const q = new URLSearchParams({ limit: '100' });
  if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
  const path = `/v1/customers/${customerId}/templates?${q}`;
  const [templates] = useFollowed(
    () => api<{ data: Template[]; nextCursor: string | null }>('GET', path),
    (page) => page.data.some((t) => IN_REVIEW.includes(t.status)),
    path,
  );
  const page = templates && 'value' in templates ? templates.value : undefined;
  const list = page?.data;
  return (
    <>
      <Heading>Templates</Heading>
      <p>WhatsApp templates start a conversation outside the 24 hours after a contact last wrote to you. WhatsApp reviews each one before it can be sent.</p>
      <p class="actions">
        <a class="button" {...appLink('/templates/new')}>
          New template
        </a>
      </p>
      {!templates && <Loading what="templates" />}
      {templates?.error && <FollowError error={templates.error} />}
      {list && list.length === 0 && <p>No template yet.</p>}
      {list && list.length > 0 && (
        <ul class="cards" aria-live="polite" aria-label="Your WhatsApp templates, newest first">
          {list.map((t) => (
            <li key={t.id}>
              <h2>
                <a {...appLink(`/templates/${t.id}`)}>{t.name}</a>
              </h2>
              <dl class="inline">
                <div>
                  <dt>Status</dt>
                  <dd class="template-status">{statusText(t)}</dd>
                </div>
                <div>
                  <dt>Category</dt>
                  <dd>{t.category}</dd>
                </div>
                <div>
                  <dt>Language</dt>
                  <dd>{t.language}</dd>
                </div>
              </dl>
              {hasReason(t) && <p class="error">{t.rejectionReason}</p>}
            </li>
          ))}
        </ul>
      )}
      <Pager cursors={cursors} setCursors={setCursors} next={page?.nextCursor} />
    </>
  );
}

interface Draft {
  name: string;
  language: string;
  category: string;
  body: string;
  samples: Record<string, string>;
}

/** The create (and lint) request of a draft; content this editor does not write (not text) is sent as it was. */
function requestOf(draft: Draft, kept?: Template['content']) {
  const keys = kept ? Object.keys(draft.samples) : placeholders(draft.body);
  return {
    name: draft.name.trim(),
    language: draft.language.trim(),
    category: draft.category,
    variables: Object.fromEntries(keys.map((k) => [k, draft.samples[k] ?? ''])),
    content: kept ?? { type: 'text', body: draft.body },
  };
}

/** A problem's field errors as findings (a malformed draft is refused before the lint runs). */
const findingsOf = (error: unknown): Finding[] | undefined =>
  error instanceof ApiError && error.problem.errors?.length ? error.problem.errors.map((e) => ({ severity: 'error', code: 'invalid', field: e.field, message: e.message })) : undefined;

/**
 * A template's name, category, text and samples, with the message previewed and the lint's
 * findings shown beside the fields they name as the draft is written.
 */
function TemplateEditor(props: {
  customerId: string;
  initial: Draft;
  /** Resubmitting keeps the language, and the content when it is not a text (this editor writes text only). */
  resubmitting?: { content: Template['content'] };
  submitLabel: string;
  submit: (request: ReturnType<typeof requestOf>) => Promise<Template>;
}) {
  const { customerId, initial, resubmitting, submitLabel } = props;
  const kept = resubmitting && resubmitting.content.type !== 'text' ? resubmitting.content : undefined;
  const textBody = !kept;
  const [draft, setDraft] = useState(initial);
  const [findings, setFindings] = useState<Finding[]>([]);
  /** Why the last lint could not run: then nothing is known about the draft, which is not "no findings". */
  const [lintError, setLintError] = useState<string>();
  const [failure, setFailure] = useState<string>();
  const form = useFocusOnFailure<HTMLFormElement>();
  const [busy, setBusy] = useState(false);
  const lintRound = useRef(0);
  const keys = textBody ? placeholders(draft.body) : Object.keys(draft.samples);

  useEffect(() => {
    // A blank new draft has nothing to lint yet; a rejected one is linted at once, to show what to fix.
    if (draft === initial && !resubmitting) return;
    const round = ++lintRound.current;
    const timer = setTimeout(() => {
      api<{ findings: Finding[] }>('POST', `/v1/customers/${customerId}/templates/lint`, requestOf(draft, kept)).then(
        (report) => {
          if (round !== lintRound.current) return;
          setFindings(report.findings);
          setLintError(undefined);
        },
        (error: unknown) => {
          if (round !== lintRound.current) return;
          // A malformed draft is refused with its field errors: those are the findings. Anything else leaves the draft unchecked.
          const refused = findingsOf(error);
          setFindings(refused ?? []);
          setLintError(refused ? undefined : error instanceof ApiError ? error.message : 'the platform could not be reached');
        },
      );
    }, LINT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [customerId, draft]);

  const at = (...fields: string[]) => findings.filter((f) => fields.includes(f.field));
  const placed = new Set(['body.name', 'body.language', 'body.category', 'body.content', 'body.content.body', 'body.variables', ...keys.map((k) => `body.variables.${k}`)]);
  const elsewhere = findings.filter((f) => !placed.has(f.field));
  const describedBy = (id: string, list: Finding[], hint?: boolean) => ({
    id,
    'aria-invalid': list.some((f) => f.severity === 'error') ? ('true' as const) : undefined,
    'aria-describedby': [hint && `${id}-hint`, list.length && `${id}-findings`].filter(Boolean).join(' ') || undefined,
  });
  const Findings = ({ id, list }: { id: string; list: Finding[] }) =>
    list.length ? (
      <ul class="findings" id={`${id}-findings`}>
        {list.map((f) => (
          <li key={`${f.code}-${f.message}`} class={`finding ${f.severity}`}>
            {f.severity === 'error' ? 'Error' : 'Warning'}: {f.message}
          </li>
        ))}
      </ul>
    ) : null;
  const set = (name: keyof Draft) => (e: Event) => setDraft({ ...draft, [name]: valueOf(e) });

  const onSubmit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFailure(undefined);
    props.submit(requestOf(draft, kept)).then(
      (template) => navigate(`/templates/${template.id}`),
      (error: unknown) => {
        setBusy(false);
        const refused = findingsOf(error);
        if (refused) setFindings(refused);
        else setFailure(error instanceof Error ? error.message : 'The template could not be submitted.');
        form.failed();
      },
    );
  };

  const nameFindings = at('body.name');
  const bodyFindings = at('body.content', 'body.content.body', 'body.variables');
  return (
    <div class="editor">
      <form class="stack" onSubmit={onSubmit} noValidate aria-label={submitLabel} ref={form.ref}>
        <div class="field">
          <label for="template-name">Name</label>
          <input {...describedBy('template-name', nameFindings, true)} value={draft.name} onInput={set('name')} autoComplete="off" />
          <span class="detail" id="template-name-hint">
            Lowercase letters, digits and underscores, e.g. appointment_reminder.
          </span>
          <Findings id="template-name" list={nameFindings} />
        </div>
        {!resubmitting && (
          <div class="field">
            <label for="template-language">Language</label>
            <input {...describedBy('template-language', at('body.language'))} value={draft.language} onInput={set('language')} />
            <Findings id="template-language" list={at('body.language')} />
          </div>
        )}
        <div class="field">
          <label for="template-category">Category</label>
          <select {...describedBy('template-category', at('body.category'))} value={draft.category} onChange={set('category')}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <Findings id="template-category" list={at('body.category')} />
        </div>
        {textBody && (
          <div class="field">
            <label for="template-body">Message</label>
            <textarea {...describedBy('template-body', bodyFindings, true)} value={draft.body} onInput={set('body')} />
            <span class="detail" id="template-body-hint">
              Write {'{{1}}'}, {'{{2}}'}… where each message fills in its own values.
            </span>
            <Findings id="template-body" list={bodyFindings} />
          </div>
        )}
        {keys.map((k) => {
          const list = at(`body.variables.${k}`);
          return (
            <div class="field" key={k}>
              <label for={`template-sample-${k}`}>{`Sample for {{${k}}}`}</label>
              <input
                {...describedBy(`template-sample-${k}`, list)}
                value={draft.samples[k] ?? ''}
                onInput={(e) => setDraft({ ...draft, samples: { ...draft.samples, [k]: valueOf(e) } })}
              />
              <Findings id={`template-sample-${k}`} list={list} />
            </div>
          );
        })}
        {elsewhere.length > 0 && (
          <div>
            <h3>Other findings</h3>
            <Findings id="template-other" list={elsewhere} />
          </div>
        )}
        {failure && <ErrorNote>{failure}</ErrorNote>}
        <p class="detail" aria-live="polite">
          {lintError
            ? `Lint unavailable: ${lintError.replace(/\.$/, '')}. The draft is checked again as you edit it.`
            : findings.length === 0
              ? 'No findings: nothing here is likely to be rejected.'
              : `${findings.filter((f) => f.severity === 'error').length} error(s), ${findings.filter((f) => f.severity === 'warning').length} warning(s).`}
        </p>
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
      </form>
      {textBody && (
        <section aria-labelledby="preview-title">
          <h2 id="preview-title">Preview</h2>
          <Preview body={draft.body} samples={draft.samples} />
        </section>
      )}
    </div>
  );
}

export function NewTemplate({ customerId }: { customerId: string }) {
  return (
    <>
      <Heading>New template</Heading>
      <p>
        <a {...appLink('/templates')}>Back to templates</a>
      </p>
      <TemplateEditor
        customerId={customerId}
        initial={{ name: '', language: 'en', category: 'UTILITY', body: '', samples: {} }}
        submitLabel="Submit for review"
        submit={(request) => api<Template>('POST', `/v1/customers/${customerId}/templates`, request)}
      />
    </>
  );
}

/** One template: WhatsApp's decision followed live, its reason when rejected, and its next version written here. */
export function TemplateDetail({ customerId, templateId }: { customerId: string; templateId: string }) {
  const path = `/v1/customers/${customerId}/templates/${encodeURIComponent(templateId)}`;
  const [template] = useFollowed(() => api<Template>('GET', path), (t) => IN_REVIEW.includes(t.status), path);
  const t = template && 'value' in template ? template.value : undefined;
  return (
    <>
      <Heading>{t ? `Template ${t.name}` : 'Template'}</Heading>
      <p>
        <a {...appLink('/templates')}>Back to templates</a>
      </p>
      {!template && <Loading what="the template" />}
      {template?.error && <FollowError error={template.error} message={template.error instanceof ApiError && template.error.problem.status === 404 ? 'No such template.' : undefined} />}
      {t && (
        <>
          <dl>
            <dt>Status</dt>
            <dd class="template-status" aria-live="polite">
              {statusText(t)}
              {IN_REVIEW.includes(t.status) && <span class="detail"> — this page follows the review as it happens</span>}
            </dd>
            {hasReason(t) && (
              <>
                <dt>Reason</dt>
                <dd class="error">{t.rejectionReason}</dd>
              </>
            )}
            <dt>Category</dt>
            <dd>
              {t.category}
              {t.categoryChanged && ` (submitted as ${t.requestedCategory}: WhatsApp changed it)`}
            </dd>
            <dt>Language</dt>
            <dd>{t.language}</dd>
            <dt>Last change</dt>
            <dd>{when(t.statusUpdatedAt ?? t.createdAt)}</dd>
            {t.previousVersionId && (
              <>
                <dt>Resubmits</dt>
                <dd>
                  <a {...appLink(`/templates/${t.previousVersionId}`)}>the rejected version</a>
                </dd>
              </>
            )}
          </dl>
          {t.content.body !== undefined && (
            <section aria-labelledby="message-title">
              <h2 id="message-title">As WhatsApp shows it</h2>
              <Preview body={t.content.body} samples={t.variables} />
            </section>
          )}
          {t.status === 'rejected' && t.nextVersionId && (
            <p>
              Resubmitted as <a {...appLink(`/templates/${t.nextVersionId}`)}>its next version</a>.
            </p>
          )}
          {t.status === 'rejected' && !t.nextVersionId && (
            <section aria-labelledby="resubmit-title">
              <h2 id="resubmit-title">Fix and resubmit</h2>
              <p>A rejected name cannot be used again: the next version needs a new one.</p>
              <TemplateEditor
                key={t.id}
                customerId={customerId}
                initial={{ name: `${t.name}_v2`, language: t.language, category: t.requestedCategory, body: t.content.body ?? '', samples: t.variables }}
                resubmitting={{ content: t.content }}
                submitLabel="Resubmit for review"
                submit={({ language: _language, ...request }) => api<Template>('POST', `${path}/resubmit`, request)}
              />
            </section>
          )}
        </>
      )}
    </>
  );
}
