import { useState } from 'preact/hooks';
import { BUSINESS_TYPES, CAMPAIGN_USE_CASES, COMPANY_TYPES, INDUSTRIES, JOB_POSITIONS, REGISTRATION_ID_TYPES, STOCK_EXCHANGES } from '../../../shared/domain/customer-values';
import { ApiError, api } from '../api';
import { ErrorNote, useFocusOnFailure } from '../ui';

/**
 * Fix and resubmit a failed onboarding step. Twilio's reasons sit on the very fields they point at
 * (the API has already translated Twilio's names into customer and campaign fields); the customer
 * edits them and one click saves the customer, runs the preflight and resumes the onboarding. The
 * API does all the validating, so the form accepts exactly what the API accepts: its problem
 * details and preflight findings come back onto the same fields.
 */

type Kind = 'text' | 'email' | 'url' | 'tel' | 'textarea' | 'select' | 'checkbox' | 'keywords' | 'samples';
interface FieldSpec {
  label: string;
  kind: Kind;
  choices?: readonly string[];
  hint?: string;
}

const text = (label: string, hint?: string): FieldSpec => ({ label, kind: 'text', hint });
const choice = (label: string, choices: readonly string[]): FieldSpec => ({ label, kind: 'select', choices });
const yes = (label: string): FieldSpec => ({ label, kind: 'checkbox' });

/** Every field a registration error can point at, by the path the API names it with. */
export const FIELDS: Record<string, FieldSpec> = {
  legalName: text('Legal business name', 'Exactly as registered with the tax authority (for an EIN, as on the IRS CP-575 letter)'),
  displayName: text('Brand name'),
  businessType: choice('Business type', BUSINESS_TYPES),
  industry: choice('Industry', INDUSTRIES),
  'registration.type': choice('Registration type', REGISTRATION_ID_TYPES),
  'registration.number': text('Registration number', 'For an EIN, the 9 digits, e.g. 12-3456789 (never a DUNS number)'),
  website: { label: 'Website', kind: 'url' },
  companyType: choice('Company type', COMPANY_TYPES),
  stockExchange: choice('Stock exchange', STOCK_EXCHANGES),
  stockTicker: text('Stock ticker'),
  'contact.firstName': text('Contact first name'),
  'contact.lastName': text('Contact last name'),
  'contact.email': { label: 'Contact email', kind: 'email' },
  'contact.phone': { label: 'Contact phone', kind: 'tel', hint: 'E.164, e.g. +14155550100' },
  'contact.businessTitle': text('Contact business title'),
  'contact.jobPosition': choice('Contact job position', JOB_POSITIONS),
  'address.street': text('Street'),
  'address.streetSecondary': text('Street, second line'),
  'address.city': text('City'),
  'address.region': text('State or province', 'e.g. CA'),
  'address.postalCode': text('Postal code'),
  'address.isoCountry': text('Country code', 'Two letters, e.g. US'),
  'campaign.useCase': choice('Campaign use case', CAMPAIGN_USE_CASES),
  'campaign.description': { label: 'Campaign description', kind: 'textarea', hint: '40–4096 characters: what the campaign sends and why' },
  'campaign.messageFlow': { label: 'How people opt in', kind: 'textarea', hint: '40–2048 characters: every opt-in path, with URLs' },
  'campaign.messageSamples': { label: 'Message samples', kind: 'samples', hint: '2–5 samples, 20–1024 characters each, naming the brand, with opt-out language' },
  'campaign.hasEmbeddedLinks': yes('Messages contain links'),
  'campaign.hasEmbeddedPhone': yes('Messages contain phone numbers'),
  'campaign.optInKeywords': { label: 'Opt-in keywords', kind: 'keywords', hint: 'Comma separated' },
  'campaign.optInMessage': { label: 'Opt-in reply', kind: 'textarea' },
  'campaign.optOutKeywords': { label: 'Opt-out keywords', kind: 'keywords', hint: 'Comma separated' },
  'campaign.optOutMessage': { label: 'Opt-out reply', kind: 'textarea' },
  'campaign.helpKeywords': { label: 'Help keywords', kind: 'keywords', hint: 'Comma separated' },
  'campaign.helpMessage': { label: 'Help reply', kind: 'textarea' },
  'campaign.privacyPolicyUrl': { label: 'Privacy policy URL', kind: 'url' },
  'campaign.termsAndConditionsUrl': { label: 'Terms and conditions URL', kind: 'url' },
};

/**
 * `customer.x`, `options.x` (preflight), `body.x` (a 422) all name field `x`; `…messageSamples.1`
 * (the preflight) and `…messageSamples[1]` (the campaign step) are one sample of it.
 */
const fieldOf = (path: string) => path.replace(/^(body|customer|options)\./, '').replace(/\[(\d+)\]/g, '.$1');
const baseOf = (path: string) => path.replace(/\.\d+$/, '');
/** Whether a note on `key` concerns field `path`: on the field itself, one of its items, or a group holding it (`address`). */
const concerns = (key: string, path: string) => key === path || baseOf(key) === path || path.startsWith(`${key}.`);

/** The form fields a list of error paths asks for: a group (`address`) opens all of its fields. */
export function fieldsFor(paths: readonly string[]): string[] {
  const wanted = new Set<string>();
  for (const path of paths.map((p) => baseOf(fieldOf(p)))) {
    if (FIELDS[path]) wanted.add(path);
    else for (const known of Object.keys(FIELDS)) if (known.startsWith(`${path}.`)) wanted.add(known);
  }
  return Object.keys(FIELDS).filter((f) => wanted.has(f));
}

export const fieldLabel = (path: string) => FIELDS[baseOf(fieldOf(path))]?.label ?? path;

type Value = string | boolean | string[];
type Notes = Record<string, string[]>;

function valueAt(source: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), source);
}

function formValue(spec: FieldSpec, raw: unknown): Value {
  if (spec.kind === 'checkbox') return raw === true;
  if (spec.kind === 'samples') return Array.isArray(raw) ? raw.map(String) : ['', ''];
  if (spec.kind === 'keywords') return Array.isArray(raw) ? raw.join(', ') : '';
  return raw === undefined || raw === null ? '' : String(raw);
}

/** A form value as the API takes it; undefined leaves the field out (an emptied optional field). */
function apiValue(spec: FieldSpec, value: Value): unknown {
  if (spec.kind === 'checkbox') return value;
  if (spec.kind === 'samples') return (value as string[]).map((s) => s.trim()).filter(Boolean);
  if (spec.kind === 'keywords') {
    const words = (value as string).split(/[\s,]+/).filter(Boolean);
    return words.length ? words : undefined;
  }
  const trimmed = (value as string).trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `a.b` = v written into a copy of `target`, a missing value deleting the key. */
function withValue(target: Record<string, unknown>, path: string, v: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const copy = { ...target };
  if (rest.length === 0) {
    if (v === undefined) delete copy[head!];
    else copy[head!] = v;
    return copy;
  }
  copy[head!] = withValue((copy[head!] as Record<string, unknown>) ?? {}, rest.join('.'), v);
  return copy;
}

interface StepErrorView {
  code: number | string;
  message: string;
  fields: string[];
}

export interface FixProps {
  customerId: string;
  customer: Record<string, unknown>;
  options: { campaign?: Record<string, unknown> } & Record<string, unknown>;
  errors: StepErrorView[];
  /** Called once the onboarding has been resumed. */
  resumed: () => void;
}

export function FixRegistration({ customerId, customer, options, errors, resumed }: FixProps) {
  const [extra, setExtra] = useState<string[]>([]);
  const fields = fieldsFor([...errors.flatMap((e) => e.fields), ...extra]);
  const initial = (path: string) => formValue(FIELDS[path]!, valueAt(path.startsWith('campaign.') ? options : customer, path));
  const [values, setValues] = useState<Record<string, Value>>({});
  const value = (path: string) => (path in values ? values[path]! : initial(path));
  const set = (path: string, v: Value) => setValues({ ...values, [path]: v });
  const [notes, setNotes] = useState<{ errors: Notes; warnings: Notes; general: string[] }>({ errors: {}, warnings: {}, general: [] });
  const [busy, setBusy] = useState<'check' | 'resubmit' | undefined>();
  const [checked, setChecked] = useState(false);

  const twilioReasons: Notes = {};
  for (const e of errors) for (const f of e.fields) (twilioReasons[fieldOf(f)] ??= []).push(`Twilio ${e.code}: ${e.message}`);
  const unplaced = errors.filter((e) => fieldsFor(e.fields).length === 0);
  const form = useFocusOnFailure<HTMLElement>();

  /** The customer's changed top-level fields, each whole (a nested group is sent complete). */
  function customerPatch(): Record<string, unknown> {
    let merged: Record<string, unknown> = customer;
    const touched = new Set<string>();
    for (const path of fields.filter((f) => !f.startsWith('campaign.') && f in values)) {
      merged = withValue(merged, path, apiValue(FIELDS[path]!, values[path]!));
      touched.add(path.split('.')[0]!);
    }
    return Object.fromEntries([...touched].filter((k) => merged[k] !== undefined).map((k) => [k, merged[k]]));
  }
  /** The onboarding body: only the campaign, whole, when one of its fields is on the form. */
  function optionChanges(): Record<string, unknown> {
    const campaignFields = fields.filter((f) => f.startsWith('campaign.'));
    if (campaignFields.length === 0) return {};
    let campaign: Record<string, unknown> = options.campaign ?? {};
    for (const path of campaignFields) campaign = withValue(campaign, path.slice('campaign.'.length), apiValue(FIELDS[path]!, value(path)));
    return { campaign };
  }

  function place(found: Array<{ field: string; message: string; severity?: string }>) {
    const next = { errors: {} as Notes, warnings: {} as Notes, general: [] as string[] };
    for (const f of found) {
      const path = fieldOf(f.field);
      if (fieldsFor([path]).length === 0) next.general.push(`${f.field}: ${f.message}`);
      else (f.severity === 'warning' ? next.warnings : next.errors)[path] = [...((f.severity === 'warning' ? next.warnings : next.errors)[path] ?? []), f.message];
    }
    setNotes(next);
    // A finding on a field not yet on the form puts it there, so that it can be fixed here too.
    setExtra([...new Set([...extra, ...found.map((f) => fieldOf(f.field))])]);
  }

  async function run(kind: 'check' | 'resubmit') {
    setBusy(kind);
    setNotes({ errors: {}, warnings: {}, general: [] });
    try {
      const patch = customerPatch();
      if (Object.keys(patch).length > 0) await api('PATCH', `/v1/customers/${customerId}`, patch);
      const report = await api<{ ok: boolean; findings: Array<{ severity: string; field: string; message: string }> }>(
        'POST',
        `/v1/customers/${customerId}/onboarding/preflight`,
        optionChanges(),
      );
      place(report.findings);
      setChecked(true);
      if (!report.ok) form.failed();
      else if (kind === 'resubmit') {
        await api('POST', `/v1/customers/${customerId}/onboarding`, optionChanges());
        resumed();
      }
    } catch (error) {
      if (error instanceof ApiError && error.problem.errors?.length) place(error.problem.errors);
      else setNotes({ errors: {}, warnings: {}, general: [error instanceof ApiError ? error.message : 'The platform could not be reached; nothing was resubmitted.'] });
      form.failed();
    } finally {
      setBusy(undefined);
    }
  }

  const describedBy = (path: string) => [`${id(path)}-reason`, `${id(path)}-hint`, `${id(path)}-error`].join(' ');
  /** Notes on a field: its own, its items' and its groups' (`address` for `address.street`). */
  const notesFor = (map: Notes, path: string) =>
    Object.entries(map)
      .filter(([key]) => concerns(key, path))
      .flatMap(([, m]) => m);
  /** Notes on the field as a whole: its own and its groups', not its items'. */
  const wholeNotes = (map: Notes, path: string) =>
    Object.entries(map)
      .filter(([key]) => key === path || path.startsWith(`${key}.`))
      .flatMap(([, m]) => m);
  /** The notes of one item of a field (one sample). */
  const itemNotes = (map: Notes, path: string, index: number) => map[`${path}.${index}`] ?? [];

  return (
    <section aria-labelledby="fix" ref={form.ref}>
      <h2 id="fix">Fix and resubmit</h2>
      <p>Twilio's reasons are shown on the fields they concern. Correct them, check, and resubmit: onboarding resumes at the step that failed.</p>
      {unplaced.map((e) => (
        <p key={String(e.code)} class="error">
          Twilio {e.code}: {e.message}
        </p>
      ))}
      <form
        class="fix"
        onSubmit={(e) => {
          e.preventDefault();
          void run('resubmit');
        }}
      >
        {fields.map((path) => {
          const spec = FIELDS[path]!;
          // A sample's own findings sit beside it; the field's line holds the rest.
          const errorsHere = spec.kind === 'samples' ? wholeNotes(notes.errors, path) : notesFor(notes.errors, path);
          const warningsHere = spec.kind === 'samples' ? wholeNotes(notes.warnings, path) : notesFor(notes.warnings, path);
          const reasons = notesFor(twilioReasons, path);
          const marked = notesFor(notes.errors, path).length > 0 || (!checked && reasons.length > 0);
          // One sample is invalid by its own notes or the whole field's, not by another sample's.
          const sampleInvalid = (i: number) =>
            itemNotes(notes.errors, path, i).length > 0 || errorsHere.length > 0 || (!checked && itemNotes(twilioReasons, path, i).length + wholeNotes(twilioReasons, path).length > 0);
          /** The ids of a sample's own error and warning lines, when it has them. */
          const sampleLines = (i: number) => [itemNotes(notes.errors, path, i).length > 0 && `${id(path)}-${i}-error`, itemNotes(notes.warnings, path, i).length > 0 && `${id(path)}-${i}-warning`];
          const control = (index?: number) => {
            const common = {
              id: index === undefined ? id(path) : `${id(path)}-${index}`,
              'aria-invalid': (index === undefined ? marked : sampleInvalid(index)) ? ('true' as const) : undefined,
              'aria-describedby': [describedBy(path), ...(index === undefined ? [] : sampleLines(index))].filter(Boolean).join(' '),
            };
            if (spec.kind === 'checkbox') return <input type="checkbox" {...common} checked={value(path) as boolean} onChange={(e) => set(path, (e.target as HTMLInputElement).checked)} />;
            if (spec.kind === 'select')
              return (
                <select {...common} value={value(path) as string} onChange={(e) => set(path, (e.target as HTMLSelectElement).value)}>
                  {(spec.choices ?? []).map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              );
            if (spec.kind === 'samples') {
              const samples = value(path) as string[];
              return (
                <textarea
                  {...common}
                  rows={3}
                  aria-label={`Sample ${index! + 1}`}
                  value={samples[index!]}
                  onInput={(e) => set(path, samples.map((s, i) => (i === index ? (e.target as HTMLTextAreaElement).value : s)))}
                />
              );
            }
            if (spec.kind === 'textarea') return <textarea {...common} rows={4} value={value(path) as string} onInput={(e) => set(path, (e.target as HTMLTextAreaElement).value)} />;
            return <input {...common} type={spec.kind === 'keywords' ? 'text' : spec.kind} value={value(path) as string} onInput={(e) => set(path, (e.target as HTMLInputElement).value)} />;
          };
          return (
            <div key={path} class={`field${spec.kind === 'checkbox' ? ' check' : ''}${marked ? ' marked' : ''}`}>
              {spec.kind === 'samples' ? (
                <fieldset aria-describedby={describedBy(path)}>
                  <legend>{spec.label}</legend>
                  {(value(path) as string[]).map((_, i) => (
                    <div key={i} class="sample">
                      {control(i)}
                      {itemNotes(notes.errors, path, i).length > 0 && (
                        <span id={`${id(path)}-${i}-error`} class="error">
                          {itemNotes(notes.errors, path, i).join(' ')}
                        </span>
                      )}
                      {itemNotes(notes.warnings, path, i).length > 0 && (
                        <span id={`${id(path)}-${i}-warning`} class="warning">
                          {itemNotes(notes.warnings, path, i)
                            .map((m) => `Warning: ${m}`)
                            .join(' ')}
                        </span>
                      )}
                    </div>
                  ))}
                  {(value(path) as string[]).length < 5 && (
                    <button type="button" class="secondary" onClick={() => set(path, [...(value(path) as string[]), ''])}>
                      Add a sample
                    </button>
                  )}
                </fieldset>
              ) : (
                <>
                  <label for={id(path)}>{spec.label}</label>
                  {control()}
                </>
              )}
              <span id={`${id(path)}-reason`} class="reason">
                {reasons.join(' ')}
              </span>
              <span id={`${id(path)}-hint`} class="detail">
                {spec.hint}
              </span>
              <span id={`${id(path)}-error`} class="error">
                {errorsHere.join(' ')}
              </span>
              {warningsHere.map((m) => (
                <span key={m} class="warning">
                  Warning: {m}
                </span>
              ))}
            </div>
          );
        })}
        {notes.general.length > 0 && <ErrorNote>{notes.general.join(' ')}</ErrorNote>}
        <p class="actions" aria-live="polite">
          <button type="button" class="secondary" disabled={!!busy} onClick={() => void run('check')}>
            {busy === 'check' ? 'Checking…' : 'Save and check'}
          </button>
          <button type="submit" disabled={!!busy}>
            {busy === 'resubmit' ? 'Resubmitting…' : 'Save and resubmit'}
          </button>
          {checked && !busy && Object.keys(notes.errors).length === 0 && notes.general.length === 0 && <span role="status">The preflight found nothing to fix.</span>}
        </p>
      </form>
    </section>
  );
}

const id = (path: string) => `fix-${path.replace(/\./g, '-')}`;
