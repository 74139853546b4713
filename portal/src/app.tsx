import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, currentSession, type PortalSession } from './api';

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
        {state.kind === 'signed-in' && <Session session={state.session} />}
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

function Session({ session }: { session: PortalSession }) {
  return (
    <section>
      <Heading>{session.scope === 'customer' ? 'Your account' : `${session.partnerName ?? 'Partner'} console`}</Heading>
      <dl>
        {session.customerId && (
          <>
            <dt>Customer</dt>
            <dd>{session.customerId}</dd>
          </>
        )}
        <dt>Session ends</dt>
        <dd>
          <time dateTime={session.expiresAt}>{new Date(session.expiresAt).toLocaleString()}</time>
        </dd>
      </dl>
      {session.returnUrl && <a href={session.returnUrl}>Back to {session.partnerName ?? 'your provider'}</a>}
    </section>
  );
}
