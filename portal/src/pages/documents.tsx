import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, apiForm } from '../api';
import { ErrorNote, Heading, Loading, Pager, Table, useFocusOnFailure, when } from '../ui';

interface Document {
  id: string;
  type: string;
  purpose: string | null;
  fileName: string;
  contentType: string;
  size: number;
  registration: { kind: string; sid: string | null } | null;
  twilio: { status: string; supportingDocumentSid: string | null; reason: string | null };
  createdAt: string;
  downloadUrl: string;
}

const TYPES: Record<string, string> = {
  'business-registration': 'Business registration',
  'tax-id-letter': 'Tax ID letter (e.g. IRS CP-575)',
  'proof-of-address': 'Proof of address',
  'opt-in-evidence': 'Opt-in evidence',
  other: 'Other',
};
const REGISTRATIONS: Record<string, string> = {
  'customer-profile': 'Customer profile',
  'trust-product': 'A2P trust product',
  brand: 'Brand',
  campaign: 'Campaign',
};
const TWILIO: Record<string, string> = {
  'not-linked': 'Not linked',
  'not-required': 'Kept here (Twilio takes none)',
  sent: 'Sent to Twilio',
  failed: 'Refused by Twilio',
};
const LIMIT_TEXT = '4 MB';
const FIELDS = ['file', 'type', 'purpose', 'registration'] as const;

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** The customer's supporting documents: what is kept, what went to Twilio; upload, download, delete. */
export function Documents({ customerId }: { customerId: string }) {
  const [list, setList] = useState<{ data: Document[]; nextCursor: string | null } | { error: string } | undefined>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [errors, setErrors] = useState<Partial<Record<(typeof FIELDS)[number], string>>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [uploading, setUploading] = useState(false);
  const [uploaded, setUploaded] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  /** The document whose deletion is on its way: its "Yes, delete" is not sent twice. */
  const [deleting, setDeleting] = useState<string | undefined>();
  const [deleteError, setDeleteError] = useState<string | undefined>();
  const upload = useFocusOnFailure<HTMLElement>();

  const base = `/v1/customers/${customerId}/documents`;
  const load = () => {
    const q = new URLSearchParams({ limit: '100' });
    if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
    return api<{ data: Document[]; nextCursor: string | null }>('GET', `${base}?${q}`).then(setList, (error: Error) => setList({ error: error.message }));
  };
  useEffect(() => void load(), [customerId, cursors]);

  const submit = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    for (const optional of ['purpose', 'registration']) if (data.get(optional) === '') data.delete(optional);
    setUploading(true);
    setErrors({});
    setFormError(undefined);
    setUploaded(undefined);
    try {
      const created = await apiForm<Document>('POST', base, data);
      form.reset();
      setUploaded(`${created.fileName} was uploaded as ${created.contentType}.`);
      // The newest document is on the first page.
      if (cursors.length > 0) setCursors([]);
      else await load();
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : undefined;
      const byField: typeof errors = {};
      for (const e of problem?.errors ?? []) {
        const name = e.field.replace(/^body\./, '') as (typeof FIELDS)[number];
        if (FIELDS.includes(name)) byField[name] ??= e.message;
      }
      setErrors(byField);
      // Whatever is not about one field is said above the form.
      if (Object.keys(byField).length === 0) setFormError((error as Error).message);
      upload.failed();
    } finally {
      setUploading(false);
    }
  };

  const remove = async (doc: Document) => {
    setDeleting(doc.id);
    setDeleteError(undefined);
    try {
      await api('DELETE', `${base}/${doc.id}`);
      setConfirming(undefined);
      await load();
    } catch (error) {
      setDeleteError(`${doc.fileName} could not be deleted: ${(error as Error).message}`);
    } finally {
      setDeleting(undefined);
    }
  };

  const described = (name: (typeof FIELDS)[number], hint?: string) => ({
    'aria-invalid': errors[name] ? ('true' as const) : undefined,
    'aria-describedby': [hint, errors[name] ? `doc-${name}-error` : undefined].filter(Boolean).join(' ') || undefined,
  });
  const fieldError = (name: (typeof FIELDS)[number]) =>
    errors[name] && (
      <span class="error" id={`doc-${name}-error`}>
        {errors[name]}
      </span>
    );

  return (
    <>
      <Heading>Documents</Heading>
      <section aria-labelledby="upload" ref={upload.ref}>
        <h2 id="upload">Upload a document</h2>
        {formError && <ErrorNote>{formError}</ErrorNote>}
        {uploaded && <p role="status">{uploaded}</p>}
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(e.currentTarget as HTMLFormElement);
          }}
        >
          <div class="field file">
            <label for="doc-file">File (PDF, PNG or JPEG)</label>
            <input id="doc-file" name="file" type="file" accept="application/pdf,image/png,image/jpeg" required {...described('file', 'doc-file-hint')} />
            <span class="detail" id="doc-file-hint">
              Up to {LIMIT_TEXT}.
            </span>
            {fieldError('file')}
          </div>
          <div class="field">
            <label for="doc-type">Type</label>
            <select id="doc-type" name="type" required {...described('type')}>
              {Object.entries(TYPES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {fieldError('type')}
          </div>
          <div class="field">
            <label for="doc-purpose">Purpose (optional)</label>
            <input id="doc-purpose" name="purpose" maxLength={200} {...described('purpose')} />
            {fieldError('purpose')}
          </div>
          <div class="field">
            <label for="doc-registration">For registration (optional)</label>
            <select id="doc-registration" name="registration" {...described('registration')}>
              <option value="">None</option>
              {Object.entries(REGISTRATIONS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {fieldError('registration')}
          </div>
          <button type="submit" disabled={uploading}>
            {uploading ? 'Uploading…' : 'Upload'}
          </button>
        </form>
      </section>

      <section aria-labelledby="kept">
        <h2 id="kept">Your documents</h2>
        {deleteError && <ErrorNote>{deleteError}</ErrorNote>}
        {!list && <Loading what="documents" />}
        {list && 'error' in list && <ErrorNote>{list.error}</ErrorNote>}
        {list && 'data' in list && list.data.length === 0 && <p>No documents yet.</p>}
        {list && 'data' in list && list.data.length > 0 && (
          <Table caption="Your documents, newest first">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Type</th>
                <th scope="col">Size</th>
                <th scope="col">Registration</th>
                <th scope="col">Twilio</th>
                <th scope="col">Uploaded</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={d.downloadUrl} download={d.fileName}>
                      {d.fileName}
                      <span class="visually-hidden"> (download)</span>
                    </a>
                  </td>
                  <td>
                    {TYPES[d.type] ?? d.type}
                    <br />
                    <span class="detail">{d.contentType}</span>
                  </td>
                  <td>{kb(d.size)}</td>
                  <td>{d.registration ? (REGISTRATIONS[d.registration.kind] ?? d.registration.kind) : '—'}</td>
                  <td>
                    {TWILIO[d.twilio.status] ?? d.twilio.status}
                    {d.twilio.supportingDocumentSid && <span class="detail"> ({d.twilio.supportingDocumentSid})</span>}
                    {d.twilio.status === 'failed' && d.twilio.reason && <span class="detail"> — {d.twilio.reason}</span>}
                  </td>
                  <td>{when(d.createdAt)}</td>
                  <td>
                    {confirming === d.id ? (
                      <span role="group" aria-label={`Confirm deleting ${d.fileName}`}>
                        Delete {d.fileName}?{' '}
                        <button type="button" disabled={deleting === d.id} onClick={() => void remove(d)}>
                          {deleting === d.id ? 'Deleting…' : 'Yes, delete'}
                        </button>{' '}
                        <button type="button" class="link dark" onClick={() => setConfirming(undefined)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button type="button" class="link dark" aria-label={`Delete ${d.fileName}`} onClick={() => setConfirming(d.id)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager cursors={cursors} setCursors={setCursors} next={list && 'data' in list ? list.nextCursor : undefined} />
      </section>
    </>
  );
}
