import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { appLink } from '../router';
import { ErrorNote, Heading, Loading, Pager, Table, when } from '../ui';

interface Message {
  id: string;
  direction: 'inbound' | 'outbound';
  channel: 'sms' | 'whatsapp';
  contact: string;
  body?: string;
  status: string;
  errorCode?: number;
  errorReason?: string;
  timeline: Array<{ status: string; at: string }>;
  createdAt: string;
}

interface Filters {
  contact: string;
  direction: string;
  status: string;
  channel: string;
  /** `datetime-local` values, in the browser's time zone. */
  createdAfter: string;
  createdBefore: string;
}

const STATUSES = ['pending', 'accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled', 'received'];

function query(filters: Filters, cursor?: string): string {
  const q = new URLSearchParams({ limit: '25' });
  for (const [name, value] of Object.entries(filters)) {
    if (!value) continue;
    // The API takes an instant: a local date and time becomes one with its offset.
    const at = name.startsWith('created') ? new Date(value) : undefined;
    q.set(name, at && !Number.isNaN(at.getTime()) ? at.toISOString() : value);
  }
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** The message log: newest first, filtered by contact, direction, status and channel, a page at a time. */
export function Messages({ customerId }: { customerId: string }) {
  const [filters, setFilters] = useState<Filters>({ contact: '', direction: '', status: '', channel: '', createdAfter: '', createdBefore: '' });
  const [applied, setApplied] = useState(filters);
  const [page, setPage] = useState<{ data: Message[]; nextCursor: string | null } | { error: ApiError | Error } | undefined>();
  const [cursors, setCursors] = useState<string[]>([]);

  useEffect(() => {
    setPage(undefined);
    api<{ data: Message[]; nextCursor: string | null }>('GET', `/v1/customers/${customerId}/messages?${query(applied, cursors.at(-1))}`).then(setPage, (error: Error) => setPage({ error }));
  }, [customerId, applied, cursors]);

  const fieldError = (name: string) =>
    page && 'error' in page && page.error instanceof ApiError ? page.error.problem.errors?.find((e) => e.field === `query.${name}`)?.message : undefined;
  const field = (name: keyof Filters, label: string, input: preact.JSX.Element) => (
    <div class="field">
      <label for={`filter-${name}`}>{label}</label>
      {input}
      {fieldError(name) && (
        <span class="error" id={`filter-${name}-error`}>
          {fieldError(name)}
        </span>
      )}
    </div>
  );
  const invalid = (name: keyof Filters) => ({
    'aria-invalid': fieldError(name) ? ('true' as const) : undefined,
    'aria-describedby': fieldError(name) ? `filter-${name}-error` : undefined,
  });
  const select = (name: keyof Filters, options: string[]) => (
    <select id={`filter-${name}`} value={filters[name]} {...invalid(name)} onChange={(e) => setFilters({ ...filters, [name]: (e.target as HTMLSelectElement).value })}>
      <option value="">Any</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );

  const dateTime = (name: 'createdAfter' | 'createdBefore') => (
    <input
      id={`filter-${name}`}
      type="datetime-local"
      value={filters[name]}
      {...invalid(name)}
      onInput={(e) => setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value })}
    />
  );

  return (
    <>
      <Heading>Messages</Heading>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([]);
          setApplied(filters);
        }}
      >
        {field(
          'contact',
          'Contact (E.164)',
          <input
            id="filter-contact"
            type="tel"
            placeholder="+14155550123"
            value={filters.contact}
            {...invalid('contact')}
            onInput={(e) => setFilters({ ...filters, contact: (e.target as HTMLInputElement).value.trim() })}
          />,
        )}
        {field('direction', 'Direction', select('direction', ['inbound', 'outbound']))}
        {field('status', 'Status', select('status', STATUSES))}
        {field('channel', 'Channel', select('channel', ['sms', 'whatsapp']))}
        {field('createdAfter', 'From', dateTime('createdAfter'))}
        {field('createdBefore', 'Until', dateTime('createdBefore'))}
        <button type="submit">Filter</button>
      </form>
      {!page && <Loading what="messages" />}
      {page && 'error' in page && <ErrorNote>{page.error.message}</ErrorNote>}
      {page && 'data' in page && page.data.length === 0 && <p>No messages match.</p>}
      {page && 'data' in page && page.data.length > 0 && (
        <Table caption="Messages, newest first">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Contact</th>
              <th scope="col">Direction</th>
              <th scope="col">Status</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((m) => (
              <tr key={m.id}>
                <td>{when(m.createdAt)}</td>
                <td>
                  {m.contact} <span class="detail">({m.channel})</span>
                </td>
                <td>{m.direction}</td>
                <td>{m.status}</td>
                <td>
                  <a {...appLink(`/messages/${encodeURIComponent(m.id)}`)}>{m.body ? m.body.slice(0, 60) : 'Open'}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager cursors={cursors} setCursors={setCursors} next={page && 'data' in page ? page.nextCursor : undefined} />
    </>
  );
}

/** One message: every status it reached with its time, and what its error code means. */
export function MessageDetail({ customerId, messageId }: { customerId: string; messageId: string }) {
  const [message, setMessage] = useState<Message | { error: string } | undefined>();
  useEffect(() => {
    api<Message>('GET', `/v1/customers/${customerId}/messages/${encodeURIComponent(messageId)}`).then(setMessage, (error: unknown) =>
      setMessage({ error: error instanceof ApiError && error.problem.status === 404 ? 'No such message.' : 'The message could not be loaded.' }),
    );
  }, [customerId, messageId]);
  return (
    <>
      <Heading>Message</Heading>
      <p>
        <a {...appLink('/messages')}>Back to messages</a>
      </p>
      {!message && <Loading what="the message" />}
      {message && 'error' in message && <ErrorNote>{message.error}</ErrorNote>}
      {message && 'timeline' in message && (
        <>
          <dl>
            <dt>Contact</dt>
            <dd>
              {message.contact} ({message.channel}, {message.direction})
            </dd>
            {message.body !== undefined && (
              <>
                <dt>Text</dt>
                <dd>{message.body}</dd>
              </>
            )}
            <dt>Status</dt>
            <dd>{message.status}</dd>
            {message.errorCode !== undefined && (
              <>
                <dt>Error</dt>
                <dd>
                  {message.errorCode}: {message.errorReason ?? 'see Twilio’s error reference'}
                </dd>
              </>
            )}
          </dl>
          <h2>Status timeline</h2>
          {message.timeline.length === 0 ? (
            <p>No status recorded yet.</p>
          ) : (
            <ol class="steps">
              {message.timeline.map((t) => (
                <li key={`${t.status}-${t.at}`}>
                  <span class="name">{t.status}</span> <span class="detail">— {when(t.at)}</span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}
