import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, currentSession, type PortalSession } from './api';
import { Account } from './pages/account';
import { Contacts } from './pages/contacts';
import { PartnerPages } from './pages/console';
import { Documents } from './pages/documents';
import { MessageDetail, Messages } from './pages/messages';
import { NewTemplate, TemplateDetail, Templates } from './pages/templates';
import { ConnectSender, SenderDetail, WhatsAppSenders } from './pages/whatsapp';
import { appLink, usePath } from './router';
import { ErrorNote, Heading, Loading } from './ui';

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
  const [signOutError, setSignOutError] = useState<string>();
  // Only the platform's answer says the session has ended: until then the page says it still stands.
  const signOut = () => {
    setSignOutError(undefined);
    api('POST', '/portal/logout').then(
      () => setState({ kind: 'signed-out' }),
      (error: unknown) => {
        const why = error instanceof ApiError ? error.message.replace(/\.$/, '') : 'the platform could not be reached';
        setSignOutError(`You are still signed in: ${why}. Try signing out again.`);
      },
    );
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="bar">
        <span class="brand">Switchboard</span>
        {state.kind === 'signed-in' && (
          <nav aria-label="Portal">
            {state.session.scope === 'customer' && (
              <>
                <a {...appLink('/')}>Account</a>
                <a {...appLink('/messages')}>Messages</a>
                <a {...appLink('/contacts')}>Contacts</a>
                <a {...appLink('/whatsapp')}>WhatsApp</a>
                <a {...appLink('/templates')}>Templates</a>
                <a {...appLink('/documents')}>Documents</a>
              </>
            )}
            {state.session.scope === 'partner' && (
              <>
                <a {...appLink('/')}>Customers</a>
                <a {...appLink('/webhooks')}>Webhooks</a>
                <a {...appLink('/status')}>Status</a>
              </>
            )}
            {state.session.returnUrl && <a href={state.session.returnUrl}>Back to {state.session.partnerName ?? 'your provider'}</a>}
            <button type="button" class="link" onClick={signOut}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {state.kind === 'signed-in' && signOutError && <ErrorNote>{signOutError}</ErrorNote>}
        {state.kind === 'loading' && <Loading what="your session" />}
        {state.kind === 'signed-out' && <SignedOut />}
        {state.kind === 'error' && <Failure message={state.message} retry={load} />}
        {state.kind === 'signed-in' && <Pages session={state.session} />}
      </main>
    </>
  );
}

function Pages({ session }: { session: PortalSession }) {
  const path = usePath();
  if (session.scope === 'partner' || !session.customerId) return <PartnerPages path={path} />;
  const message = /^\/messages\/([^/]+)$/.exec(path);
  if (message) return <MessageDetail customerId={session.customerId} messageId={decodeURIComponent(message[1]!)} />;
  if (path === '/messages') return <Messages customerId={session.customerId} />;
  if (path === '/contacts') return <Contacts customerId={session.customerId} />;
  const sender = /^\/whatsapp\/senders\/([^/]+)$/.exec(path);
  if (sender) return <SenderDetail customerId={session.customerId} senderId={decodeURIComponent(sender[1]!)} />;
  if (path === '/whatsapp/connect') return <ConnectSender customerId={session.customerId} />;
  if (path === '/whatsapp') return <WhatsAppSenders customerId={session.customerId} />;
  const template = /^\/templates\/([^/]+)$/.exec(path);
  if (template && template[1] !== 'new') return <TemplateDetail customerId={session.customerId} templateId={decodeURIComponent(template[1]!)} />;
  if (path === '/templates/new') return <NewTemplate customerId={session.customerId} />;
  if (path === '/templates') return <Templates customerId={session.customerId} />;
  if (path === '/documents') return <Documents customerId={session.customerId} />;
  if (path === '/') return <Account session={session} />;
  return (
    <section>
      <Heading>Page not found</Heading>
      <p>
        <a {...appLink('/')}>Go to your account</a>
      </p>
    </section>
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
      <ErrorNote>{message}</ErrorNote>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </section>
  );
}
