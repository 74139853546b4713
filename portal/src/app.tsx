import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, currentSession, type PortalSession } from './api';

type State = { kind: 'loading' } | { kind: 'signed-out' } | { kind: 'signed-in'; session: PortalSession } | { kind: 'error'; message: string };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const load = () => {
    setState({ kind: 'loading' });
    currentSession().then(
      (session) => setState(session ? { kind: 'signed-in', session } : { kind: 'signed-out' }),
      (error: unknown) => setState({ kind: 'error', message: error instanceof ApiError ? error.message : 'The portal could not reach the platform.' }),
    );
  };
  useEffect(load, []);

  return (
    <>
      <header class="bar">
        <span class="brand">Switchboard</span>
      </header>
      <main id="main" tabIndex={-1}>
        {state.kind === 'loading' && <p role="status">Loading…</p>}
        {state.kind === 'signed-out' && <SignedOut />}
        {state.kind === 'error' && <Failure message={state.message} retry={load} />}
        {state.kind === 'signed-in' && <Session session={state.session} signedOut={() => setState({ kind: 'signed-out' })} />}
      </main>
    </>
  );
}

/** Moves keyboard and screen-reader focus to a page's heading when it appears. */
function Heading({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

function SignedOut() {
  return (
    <section aria-labelledby="signed-out">
      <Heading>Sign in with your link</Heading>
      <p id="signed-out">
        The portal opens from a link your provider sends you. Each link works once and for a limited time: if it has expired or was already used, ask your
        provider for a new one.
      </p>
    </section>
  );
}

function Failure({ message, retry }: { message: string; retry: () => void }) {
  return (
    <section>
      <Heading>Something went wrong</Heading>
      <p role="alert">{message}</p>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </section>
  );
}

interface CustomerView {
  id: string;
  displayName: string;
  legalName: string;
  status: string;
}

function Session({ session, signedOut }: { session: PortalSession; signedOut: () => void }) {
  const [customer, setCustomer] = useState<CustomerView | { error: string } | undefined>();
  useEffect(() => {
    if (!session.customerId) return;
    api<CustomerView>('GET', `/v1/customers/${session.customerId}`).then(setCustomer, (error: unknown) =>
      setCustomer({ error: error instanceof ApiError ? error.message : 'The account could not be loaded.' }),
    );
  }, [session.customerId]);
  const signOut = () => api('POST', '/portal/logout').then(signedOut, signedOut);
  const title = session.scope === 'partner' ? `${session.partnerName ?? 'Partner'} console` : customer && 'displayName' in customer ? customer.displayName : 'Your account';

  return (
    <section>
      <Heading key={title}>{title}</Heading>
      {customer && 'error' in customer && <p role="alert">{customer.error}</p>}
      <dl>
        {customer && 'legalName' in customer && (
          <>
            <dt>Business</dt>
            <dd>{customer.legalName}</dd>
            <dt>Status</dt>
            <dd>{customer.status}</dd>
          </>
        )}
        <dt>Provided by</dt>
        <dd>{session.partnerName ?? '—'}</dd>
        <dt>Session ends</dt>
        <dd>
          <time dateTime={session.expiresAt}>{new Date(session.expiresAt).toLocaleString()}</time>
        </dd>
      </dl>
      <p class="actions">
        {session.returnUrl && <a href={session.returnUrl}>Back to {session.partnerName ?? 'your provider'}</a>}
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </p>
    </section>
  );
}
