import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { appLink } from '../router';
import { ErrorNote, Heading, Loading, when } from '../ui';
import { STEP_NAMES } from './account';

interface RunRow {
  customerId: string;
  displayName: string;
  step: string;
  stepStatus: 'running' | 'waiting' | 'failed';
  since: string;
}

interface Depth {
  messages: number;
  oldestMessageAgeSeconds: number | null;
}

interface Status {
  generatedAt: string;
  onboarding: { counts: { running: number; failed: number; succeeded: number }; complete: boolean; inFlight: RunRow[]; failed: RunRow[] };
  queues: Array<Depth & { queue: string; deadLetters: Depth }>;
  webhookEndpoints: {
    total: number;
    failing: Array<{ id: string; url: string; failingSince: string }>;
    disabled: Array<{ id: string; url: string; disabledReason?: string }>;
  };
  webhookRefusals: {
    since: string;
    total: number;
    customers: Array<{ customerId: string; displayName: string; count: number; lastReason: string; lastWebhook: string; lastAt: string }>;
  };
}

const age = (seconds: number | null) =>
  seconds === null ? '—' : seconds < 120 ? `${Math.round(seconds)} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;

function Runs({ id, title, rows, empty }: { id: string; title: string; rows: RunRow[]; empty: string }) {
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <table tabIndex={0} aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Step</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.customerId}>
                <td>
                  <a {...appLink(`/customers/${encodeURIComponent(r.customerId)}`)}>{r.displayName}</a> <span class="detail wrap">{r.customerId}</span>
                </td>
                <td class={`step ${r.stepStatus}`}>
                  {STEP_NAMES[r.step] ?? r.step} <span class="state">{r.stepStatus}</span>
                </td>
                <td>{when(r.since)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What needs a partner's attention now: onboardings in flight and failed, queue backlogs, refused webhooks. */
export function StatusPage() {
  const [status, setStatus] = useState<Status | { error: string } | undefined>();
  const [reads, setReads] = useState(0);
  useEffect(() => {
    api<Status>('GET', '/v1/status').then(setStatus, (error: unknown) => setStatus({ error: error instanceof ApiError ? error.message : 'The status could not be loaded.' }));
  }, [reads]);
  const s = status && 'generatedAt' in status ? status : undefined;

  return (
    <>
      <Heading>Status</Heading>
      <p class="actions">
        <button type="button" onClick={() => setReads((n) => n + 1)}>
          Refresh
        </button>
        {s && <span class="detail">As of {when(s.generatedAt)}</span>}
      </p>
      {!status && <Loading what="the status" />}
      {status && 'error' in status && <ErrorNote>{status.error}</ErrorNote>}
      {s && (
        <>
          <section aria-labelledby="status-onboarding">
            <h2 id="status-onboarding">Onboarding</h2>
            <p>
              {s.onboarding.counts.running} in flight, {s.onboarding.counts.failed} failed, {s.onboarding.counts.succeeded} done
              {!s.onboarding.complete && ' (of the first onboardings read: there are more)'}.
            </p>
            <Runs id="status-in-flight" title="In flight" rows={s.onboarding.inFlight} empty="Nothing is onboarding now." />
            <Runs id="status-failed" title="Failed" rows={s.onboarding.failed} empty="No onboarding has failed." />
          </section>
          <section aria-labelledby="status-endpoints">
            <h2 id="status-endpoints">Your webhook endpoints</h2>
            <p>
              {s.webhookEndpoints.total === 0
                ? 'No endpoints registered.'
                : `${s.webhookEndpoints.total} registered: ${s.webhookEndpoints.failing.length} failing, ${s.webhookEndpoints.disabled.length} disabled.`}
            </p>
            {(s.webhookEndpoints.failing.length > 0 || s.webhookEndpoints.disabled.length > 0) && (
              <ul>
                {s.webhookEndpoints.failing.map((e) => (
                  <li key={e.id}>
                    <a {...appLink(`/webhooks/${encodeURIComponent(e.id)}`)}>{e.url}</a> — failing since {when(e.failingSince)}: its deliveries wait on the retry lane
                  </li>
                ))}
                {s.webhookEndpoints.disabled.map((e) => (
                  <li key={e.id}>
                    <a {...appLink(`/webhooks/${encodeURIComponent(e.id)}`)}>{e.url}</a> — disabled{e.disabledReason ? ` (${e.disabledReason})` : ''}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="status-refusals">
            <h2 id="status-refusals">Refused Twilio webhooks</h2>
            <p>
              {s.webhookRefusals.total} refused since {when(s.webhookRefusals.since)} that named one of your customers’ subaccounts (a bad signature means the
              request was not signed with that subaccount’s auth token).
            </p>
            {s.webhookRefusals.customers.length > 0 && (
              <table tabIndex={0} aria-labelledby="status-refusals">
                <thead>
                  <tr>
                    <th scope="col">Customer</th>
                    <th scope="col">Refused</th>
                    <th scope="col">Last reason</th>
                    <th scope="col">Last</th>
                  </tr>
                </thead>
                <tbody>
                  {s.webhookRefusals.customers.map((c) => (
                    <tr key={c.customerId}>
                      <td>
                        <a {...appLink(`/customers/${encodeURIComponent(c.customerId)}`)}>{c.displayName}</a>
                      </td>
                      <td>{c.count}</td>
                      <td>
                        {c.lastReason} <span class="detail">({c.lastWebhook})</span>
                      </td>
                      <td>{when(c.lastAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section aria-labelledby="status-queues">
            <h2 id="status-queues">Platform queues</h2>
            <p>Shared by every partner: a backlog here delays everyone’s messages and webhooks.</p>
            {/* Focusable: on a narrow screen the table scrolls sideways, and it holds nothing else to focus. */}
            <table tabIndex={0} aria-labelledby="status-queues">
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Messages</th>
                  <th scope="col">Oldest</th>
                  <th scope="col">Dead letters</th>
                  <th scope="col">Oldest dead letter</th>
                </tr>
              </thead>
              <tbody>
                {s.queues.map((q) => (
                  <tr key={q.queue}>
                    <td>{q.queue}</td>
                    <td>{q.messages}</td>
                    <td>{age(q.oldestMessageAgeSeconds)}</td>
                    <td class={q.deadLetters.messages > 0 ? 'error' : undefined}>{q.deadLetters.messages}</td>
                    <td>{age(q.deadLetters.oldestMessageAgeSeconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
