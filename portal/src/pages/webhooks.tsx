import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { appLink } from '../router';
import { ErrorNote, Heading, Loading, Pager, Table, TextField, useFocusOnFailure, when } from '../ui';

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  description?: string;
  enabled: boolean;
  disabledReason?: string;
  failingSince?: string;
  lastFailureAt?: string;
  createdAt: string;
}

interface Attempt {
  eventId: string;
  eventType: string;
  attempt: number;
  origin: string;
  attemptedAt: string;
  outcome: 'succeeded' | 'failed' | 'refused';
  responseStatus?: number;
  durationMs: number;
  error?: string;
  nextAttemptAt?: string;
}

/** The event types the API takes (`*` alone: every type, including types added later); a unit test keeps this list equal to the API's. */
export const EVENT_TYPES = [
  'onboarding.step.updated', 'onboarding.completed', 'onboarding.failed', 'brand.updated', 'campaign.updated', 'number.updated',
  'subaccount.updated', 'subaccount.suspended', 'subaccount.reactivated', 'subaccount.closed', 'customer.deleted', 'whatsapp_sender.updated',
  'message.created', 'message.status.updated', 'message.received', 'message.canceled', 'contact.opted_out', 'contact.opted_in',
  'template.updated', 'webhook_endpoint.disabled',
];

const health = (e: Endpoint) => (!e.enabled ? `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}` : e.failingSince ? `failing since ${when(e.failingSince)}` : 'healthy');

/** The partner's webhook endpoints and the form that registers one. */
export function Webhooks() {
  const [list, setList] = useState<{ data: Endpoint[]; nextCursor: string | null } | { error: string } | undefined>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [created, setCreated] = useState<(Endpoint & { secret?: string }) | undefined>();
  const load = () => {
    const q = new URLSearchParams({ limit: '100' });
    if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
    return api<{ data: Endpoint[]; nextCursor: string | null }>('GET', `/v1/webhook-endpoints?${q}`).then(setList, (error: unknown) =>
      setList({ error: error instanceof ApiError ? error.message : 'The endpoints could not be loaded.' }),
    );
  };
  useEffect(() => void load(), [cursors]);

  return (
    <>
      <Heading>Webhooks</Heading>
      {!list && <Loading what="webhook endpoints" />}
      {list && 'error' in list && <ErrorNote>{list.error}</ErrorNote>}
      {list && 'data' in list && list.data.length === 0 && <p>No endpoints yet: register one below.</p>}
      {list && 'data' in list && list.data.length > 0 && (
        <Table caption="Webhook endpoints, oldest first">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Event types</th>
              <th scope="col">Health</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((e) => (
              <tr key={e.id}>
                <td>
                  <a {...appLink(`/webhooks/${encodeURIComponent(e.id)}`)}>{e.url}</a>
                </td>
                <td>{e.eventTypes.join(', ')}</td>
                <td>{health(e)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager cursors={cursors} setCursors={setCursors} next={list && 'data' in list ? list.nextCursor : undefined} />
      {created && <Registered key={created.id} endpoint={created} />}
      <Register
        onCreated={(endpoint) => {
          setCreated(endpoint);
          if (cursors.length > 0) setCursors([]);
          else void load();
        }}
      />
    </>
  );
}

/** The endpoint just registered; its heading takes focus, so that the one-time secret is not missed. */
function Registered({ endpoint }: { endpoint: Endpoint & { secret?: string } }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="created" class="notice">
      <h2 id="created" ref={heading} tabIndex={-1}>
        Endpoint registered
      </h2>
      {endpoint.secret && (
        <>
          <p>
            Its signing secret, shown this once: store it now. It signs every delivery (<code>webhook-signature</code>); rotate it with POST
            /v1/webhook-endpoints/{'{'}id{'}'}/rotate-secret.
          </p>
          <p>
            <code class="secret" aria-label="Signing secret">
              {endpoint.secret}
            </code>
          </p>
        </>
      )}
      <p>
        <a {...appLink(`/webhooks/${encodeURIComponent(endpoint.id)}`)}>Open {endpoint.url}</a>
      </p>
    </section>
  );
}

function Register({ onCreated }: { onCreated: (endpoint: Endpoint & { secret?: string }) => void }) {
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>(['*']);
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<ApiError | Error | undefined>();
  const [busy, setBusy] = useState(false);
  const form = useFocusOnFailure<HTMLFormElement>();

  const fieldError = (name: string) => (problem instanceof ApiError ? problem.problem.errors?.find((e) => e.field === `body.${name}` || e.field.startsWith(`body.${name}.`))?.message : undefined);
  const toggle = (type: string, on: boolean) => {
    if (type === '*') setTypes(on ? ['*'] : []);
    else setTypes(on ? [...types.filter((t) => t !== '*'), type] : types.filter((t) => t !== type));
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const endpoint = await api<Endpoint & { secret?: string }>('POST', '/v1/webhook-endpoints', { url: url.trim(), eventTypes: types, ...(description.trim() ? { description: description.trim() } : {}) });
      setUrl('');
      setDescription('');
      setTypes(['*']);
      onCreated(endpoint);
    } catch (error) {
      setProblem(error instanceof Error ? error : new Error('The endpoint could not be registered.'));
      form.failed();
    } finally {
      setBusy(false);
    }
  };
  const urlError = fieldError('url');
  const typesError = fieldError('eventTypes');
  const descriptionError = fieldError('description');
  const otherError = problem && !urlError && !typesError && !descriptionError ? problem.message : undefined;

  return (
    <section aria-labelledby="register">
      <h2 id="register">Register an endpoint</h2>
      <form class="register" onSubmit={submit} noValidate ref={form.ref}>
        <TextField id="endpoint-url" label="URL (https, a public host)" type="url" required placeholder="https://example.com/switchboard" value={url} onInput={setUrl} error={urlError} />
        <fieldset aria-describedby={typesError ? 'endpoint-types-error' : undefined}>
          <legend>Event types</legend>
          <label class="check">
            <input
              type="checkbox"
              checked={types.includes('*')}
              aria-invalid={typesError ? 'true' : undefined}
              aria-describedby={typesError ? 'endpoint-types-error' : undefined}
              onChange={(e) => toggle('*', (e.target as HTMLInputElement).checked)}
            />{' '}
            Every type (*), including types added later
          </label>
          <div class="types">
            {EVENT_TYPES.map((type) => (
              <label key={type} class="check">
                <input type="checkbox" checked={types.includes(type)} onChange={(e) => toggle(type, (e.target as HTMLInputElement).checked)} /> {type}
              </label>
            ))}
          </div>
          {typesError && (
            <span class="error" id="endpoint-types-error">
              {typesError}
            </span>
          )}
        </fieldset>
        <TextField id="endpoint-description" label="Description (optional)" value={description} onInput={setDescription} error={descriptionError} />
        {otherError && <ErrorNote>{otherError}</ErrorNote>}
        <p>
          <button type="submit" disabled={busy}>
            {busy ? 'Registering…' : 'Register endpoint'}
          </button>
        </p>
      </form>
    </section>
  );
}

/** How often, and how many times, the log is read again after a redelivery until its attempt shows. */
const FOLLOW_MS = 1500;
const FOLLOW_READS = 20;

/** One endpoint: what it takes, its health, and its delivery log with a redelivery per event. */
export function WebhookDetail({ endpointId }: { endpointId: string }) {
  const [endpoint, setEndpoint] = useState<Endpoint | { error: string } | undefined>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [log, setLog] = useState<{ data: Attempt[]; nextCursor: string | null } | { error: string } | undefined>();
  const [reads, setReads] = useState(0);
  const [follows, setFollows] = useState(0);
  /** The redelivery asked for, and how many redelivered attempts of its event the log showed before it. */
  const [redelivery, setRedelivery] = useState<{ eventId: string; message: string; failed?: boolean; before?: number } | undefined>();
  /** The event whose redelivery request is on its way: its buttons wait for the answer, so that it is not queued twice. */
  const [redelivering, setRedelivering] = useState<string | undefined>();
  const path = `/v1/webhook-endpoints/${encodeURIComponent(endpointId)}`;

  useEffect(() => {
    api<Endpoint>('GET', path).then(setEndpoint, (error: unknown) =>
      setEndpoint({ error: error instanceof ApiError && error.problem.status === 404 ? 'No such endpoint.' : 'The endpoint could not be loaded.' }),
    );
  }, [path]);

  useEffect(() => {
    const q = new URLSearchParams({ limit: '25' });
    if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
    api<{ data: Attempt[]; nextCursor: string | null }>('GET', `${path}/deliveries?${q}`).then(setLog, (error: unknown) =>
      setLog({ error: error instanceof ApiError ? error.message : 'The delivery log could not be loaded.' }),
    );
  }, [path, cursors, reads]);

  const redelivered = (eventId: string) => (log && 'data' in log ? log.data.filter((a) => a.eventId === eventId && a.origin === 'redeliver').length : 0);
  // After a redelivery, the log is read again until its attempt is in it (a bounded number of times: then Refresh).
  const pending = redelivery?.before !== undefined && redelivered(redelivery.eventId) <= redelivery.before;
  useEffect(() => {
    if (!pending || follows >= FOLLOW_READS) return;
    const timer = setTimeout(() => {
      setFollows((n) => n + 1);
      setReads((n) => n + 1);
    }, FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [pending, follows]);

  const redeliver = async (eventId: string) => {
    const before = redelivered(eventId);
    setRedelivering(eventId);
    setRedelivery({ eventId, message: `Redelivering ${eventId}…` });
    try {
      const result = await api<{ endpointIds: string[] }>('POST', `/v1/events/${encodeURIComponent(eventId)}/redeliver`, { endpointId });
      setRedelivery({ eventId, before, message: `${eventId} is queued again for ${result.endpointIds.length === 1 ? 'this endpoint' : `${result.endpointIds.length} endpoints`}; its attempt appears below.` });
      setFollows(0);
      setCursors([]);
      setReads((n) => n + 1);
    } catch (error) {
      setRedelivery({ eventId, failed: true, message: error instanceof ApiError ? error.message : 'The event could not be redelivered.' });
    } finally {
      setRedelivering(undefined);
    }
  };

  /** The redelivery's own attempt, once the log has it (the log is newest first). */
  const redeliveredNote = (eventId: string) => {
    const attempt = log && 'data' in log ? log.data.find((a) => a.eventId === eventId && a.origin === 'redeliver') : undefined;
    return attempt ? `Redelivered ${eventId}: ${attempt.outcome}${attempt.responseStatus !== undefined ? ` (HTTP ${attempt.responseStatus})` : ''}${attempt.error ? ` — ${attempt.error}` : ''}.` : '';
  };

  const found = endpoint && 'id' in endpoint ? endpoint : undefined;
  return (
    <>
      <Heading>Webhook endpoint</Heading>
      <p>
        <a {...appLink('/webhooks')}>Back to webhooks</a>
      </p>
      {!endpoint && <Loading what="the endpoint" />}
      {endpoint && 'error' in endpoint && <ErrorNote>{endpoint.error}</ErrorNote>}
      {found && (
        <dl>
          <dt>URL</dt>
          <dd class="wrap">{found.url}</dd>
          <dt>Event types</dt>
          <dd>{found.eventTypes.join(', ')}</dd>
          <dt>Health</dt>
          <dd>{health(found)}</dd>
          {found.description && (
            <>
              <dt>Description</dt>
              <dd>{found.description}</dd>
            </>
          )}
        </dl>
      )}
      <section aria-labelledby="deliveries">
        <h2 id="deliveries">Delivery log</h2>
        <p role="status" class={redelivery?.failed ? 'error' : undefined}>
          {redelivery && (redelivery.before !== undefined && !pending ? redeliveredNote(redelivery.eventId) : redelivery.message)}
        </p>
        <p class="actions">
          <button type="button" onClick={() => setReads((n) => n + 1)}>
            Refresh
          </button>
        </p>
        {!log && <Loading what="the delivery log" />}
        {log && 'error' in log && <ErrorNote>{log.error}</ErrorNote>}
        {log && 'data' in log && log.data.length === 0 && <p>No deliveries yet: events the endpoint takes are sent as they happen.</p>}
        {log && 'data' in log && log.data.length > 0 && (
          <Table caption="Delivery attempts, newest first">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Outcome</th>
                <th scope="col">Redeliver</th>
              </tr>
            </thead>
            <tbody>
              {log.data.map((a) => (
                <tr key={`${a.eventId}-${a.attempt}-${a.attemptedAt}`} class={`attempt ${a.outcome}`}>
                  <td>{when(a.attemptedAt)}</td>
                  <td>
                    {a.eventType} <span class="detail wrap">{a.eventId}</span>
                  </td>
                  <td>
                    {a.attempt} <span class="detail">({a.origin})</span>
                  </td>
                  <td>
                    <span class="state">{a.outcome}</span>
                    {a.responseStatus !== undefined && ` HTTP ${a.responseStatus}`}
                    {a.error && <span class="detail"> — {a.error}</span>}
                    {a.nextAttemptAt && <span class="detail"> — next {when(a.nextAttemptAt)}</span>}
                  </td>
                  <td>
                    {a.origin !== 'test' && (
                      <button
                        type="button"
                        class="small"
                        aria-label={`Redeliver ${a.eventType} ${a.eventId}`}
                        disabled={redelivering === a.eventId}
                        onClick={() => void redeliver(a.eventId)}
                      >
                        Redeliver
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager cursors={cursors} setCursors={setCursors} next={log && 'data' in log ? log.nextCursor : undefined} />
      </section>
    </>
  );
}
