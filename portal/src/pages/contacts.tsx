import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ErrorNote, Heading, Loading, Pager, Table, useFocusOnFailure, when } from '../ui';

interface OptOut {
  contact: string;
  since: string;
  channels: Partial<Record<'sms' | 'whatsapp', { since: string; source: string; keyword?: string }>>;
}

interface ChannelConsent {
  state: string;
  since?: string;
  source?: string;
}

interface Consent {
  contact: string;
  channels: Record<'sms' | 'whatsapp', ChannelConsent>;
  history: Array<{ id: string; channel: string; action: string; source: string; at: string; keyword?: string; errorCode?: number }>;
}

/** Who may not be messaged (newest opt-out first), and one contact's consent with the ledger behind it. */
export function Contacts({ customerId }: { customerId: string }) {
  const [optOuts, setOptOuts] = useState<{ data: OptOut[]; nextCursor: string | null } | { error: string } | undefined>();
  const [cursors, setCursors] = useState<string[]>([]);
  const [number, setNumber] = useState('');
  const [looked, setLooked] = useState<Consent | { error: ApiError | Error } | 'loading' | undefined>();
  /** The latest look-up: an earlier one answering late is not shown over it. */
  const lookups = useRef(0);
  const lookupForm = useFocusOnFailure<HTMLFormElement>();

  useEffect(() => {
    const q = new URLSearchParams({ limit: '50' });
    if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
    api<{ data: OptOut[]; nextCursor: string | null }>('GET', `/v1/customers/${customerId}/opt-outs?${q}`).then(setOptOuts, (error: Error) => setOptOuts({ error: error.message }));
  }, [customerId, cursors]);

  const lookUp = (contact: string) => {
    const round = ++lookups.current;
    setLooked('loading');
    api<Consent>('GET', `/v1/customers/${customerId}/contacts/${encodeURIComponent(contact)}/consent`).then(
      (consent) => round === lookups.current && setLooked(consent),
      (error: Error) => {
        if (round !== lookups.current) return;
        setLooked({ error });
        lookupForm.failed();
      },
    );
  };
  const consent = looked && typeof looked === 'object' && 'channels' in looked ? looked : undefined;
  const lookupError = looked && typeof looked === 'object' && 'error' in looked ? looked.error : undefined;
  const fieldMessage = lookupError instanceof ApiError ? (lookupError.problem.errors?.find((e) => e.field === 'path.phone')?.message ?? lookupError.message) : lookupError?.message;

  return (
    <>
      <Heading>Contacts</Heading>
      <section aria-labelledby="opted-out">
        <h2 id="opted-out">Opted out</h2>
        {!optOuts && <Loading what="opt-outs" />}
        {optOuts && 'error' in optOuts && <ErrorNote>{optOuts.error}</ErrorNote>}
        {optOuts && 'data' in optOuts && optOuts.data.length === 0 && <p>No contact has opted out.</p>}
        {optOuts && 'data' in optOuts && optOuts.data.length > 0 && (
          <Table caption="Contacts who opted out, newest first">
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col">Channels</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {optOuts.data.map((o) => (
                <tr key={o.contact}>
                  <td>
                    <button type="button" class="link dark" onClick={() => (setNumber(o.contact), lookUp(o.contact))}>
                      {o.contact}
                    </button>
                  </td>
                  <td>
                    {Object.entries(o.channels)
                      .map(([channel, c]) => `${channel} (${c!.keyword ?? c!.source})`)
                      .join(', ')}
                  </td>
                  <td>{when(o.since)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager cursors={cursors} setCursors={setCursors} next={optOuts && 'data' in optOuts ? optOuts.nextCursor : undefined} />
      </section>

      <section aria-labelledby="consent">
        <h2 id="consent">A contact's consent</h2>
        <form
          class="filters"
          ref={lookupForm.ref}
          onSubmit={(e) => {
            e.preventDefault();
            lookUp(number);
          }}
        >
          <div class="field">
            <label for="consent-number">Phone number (E.164)</label>
            <input
              id="consent-number"
              type="tel"
              placeholder="+14155550123"
              value={number}
              aria-invalid={fieldMessage ? 'true' : undefined}
              aria-describedby={fieldMessage ? 'consent-number-error' : undefined}
              onInput={(e) => setNumber((e.target as HTMLInputElement).value.trim())}
            />
            {fieldMessage && (
              <span class="error" id="consent-number-error">
                {fieldMessage}
              </span>
            )}
          </div>
          <button type="submit">Look up</button>
        </form>
        {/* Always there, so that screen readers announce each answer as it replaces the last. */}
        <p role="status">
          {looked === 'loading' && 'Loading consent…'}
          {consent && `${consent.contact}: SMS ${consent.channels.sms.state}, WhatsApp ${consent.channels.whatsapp.state}.`}
        </p>
        {consent && (
          <>
            <dl>
              {(['sms', 'whatsapp'] as const).map((channel) => (
                <Fragment key={channel}>
                  <dt>{channel === 'sms' ? 'SMS' : 'WhatsApp'}</dt>
                  <dd>
                    {consent.channels[channel].state}
                    {consent.channels[channel].since && ` since ${when(consent.channels[channel].since)}`}
                    {consent.channels[channel].source && ` (${consent.channels[channel].source})`}
                  </dd>
                </Fragment>
              ))}
            </dl>
            <h3>History</h3>
            {consent.history.length === 0 ? (
              <p>Nothing recorded for this contact.</p>
            ) : (
              <ol class="steps">
                {consent.history.map((h) => (
                  <li key={h.id}>
                    <span class="name">{h.action}</span> on {h.channel} by {h.source}
                    {h.keyword && ` (${h.keyword})`}
                    {h.errorCode && ` (Twilio ${h.errorCode})`} <span class="detail">— {when(h.at)}</span>
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </section>
    </>
  );
}
