import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { appLink, navigate } from '../router';
import { ErrorNote, Heading, Loading, Pager, useFocusOnFailure, when } from '../ui';
import { loadSdk, runMetaSignup, simulatedWabaId, type EmbeddedSignupConfig, type SignupResult } from './embedded-signup';
import { described, Field, fieldErrorsOf, FollowError, useFollowed, valueOf } from './follow';
import './whatsapp.css';

interface Sender {
  id: string;
  phoneNumber: string;
  sid: string | null;
  status: string;
  wabaId: string;
  verificationMethod: 'sms' | 'voice';
  profile: { name: string; about?: string; websites?: string[] };
  offlineReasons: Array<{ code: string | null; message: string | null }>;
  qualityRating: string | null;
  messagingLimit: string | null;
  attached: boolean;
  updatedAt: string;
}

const STATUS_TEXT: Record<string, string> = {
  CREATING: 'Registering with WhatsApp',
  PENDING_VERIFICATION: 'Waiting for the verification code',
  VERIFYING: 'Verifying the number',
  TWILIO_REVIEW: 'In review at Twilio',
  ONLINE: 'Online',
  'ONLINE:UPDATING': 'Online, profile change on its way to WhatsApp',
  OFFLINE: 'Offline',
  DRAFT: 'Draft at Twilio',
  STUBBED: 'Reserved at Twilio, not yet registered',
};

/** What a person can do about Twilio's offline reasons most often met. */
const OFFLINE_HELP: Record<string, string> = {
  '63020': 'Accept the invitation from Twilio in Meta Business Suite (Settings → Requests).',
  '63024': 'The number could not be verified: check that it can receive the code, then register it again.',
};

/**
 * Whether the platform is still working on a sender, so the page keeps reading it (as the
 * platform's own refresh lanes decide): not while it waits for a person (the code, a fix of what
 * made it OFFLINE) nor once it is ONLINE in the messaging service.
 */
const moving = (s: Sender) => (s.status === 'ONLINE' ? !s.attached : !['PENDING_VERIFICATION', 'OFFLINE', 'DELETED'].includes(s.status));

function statusText(s: Sender): string {
  const text = STATUS_TEXT[s.status] ?? s.status;
  return s.status === 'ONLINE' && !s.attached ? `${text}, joining your messaging service` : text;
}

function OfflineReasons({ sender }: { sender: Sender }) {
  if (sender.status !== 'OFFLINE' || sender.offlineReasons.length === 0) return null;
  return (
    <ul class="reasons">
      {sender.offlineReasons.map((r) => (
        <li key={`${r.code}-${r.message}`}>
          {r.code && <strong>Error {r.code}: </strong>}
          {r.message ?? 'WhatsApp gave no reason.'}
          {r.code && OFFLINE_HELP[r.code] && <> {OFFLINE_HELP[r.code]}</>}
        </li>
      ))}
    </ul>
  );
}

/** The customer's WhatsApp numbers with where each stands, followed while any is on its way. */
export function WhatsAppSenders({ customerId }: { customerId: string }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const q = new URLSearchParams({ limit: '100' });
  if (cursors.at(-1)) q.set('cursor', cursors.at(-1)!);
  const path = `/v1/customers/${customerId}/whatsapp/senders?${q}`;
  const [senders] = useFollowed(() => api<{ data: Sender[]; nextCursor: string | null }>('GET', path), (page) => page.data.some(moving), path);
  const page = senders && 'value' in senders ? senders.value : undefined;
  const list = page?.data;
  return (
    <>
      <Heading>WhatsApp</Heading>
      <p class="actions">
        <a class="button" {...appLink('/whatsapp/connect')}>
          Connect a WhatsApp number
        </a>
      </p>
      {!senders && <Loading what="WhatsApp numbers" />}
      {senders?.error && <FollowError error={senders.error} />}
      {list && list.length === 0 && <p>No number is on WhatsApp yet. Connect one to message your customers on WhatsApp.</p>}
      {list && list.length > 0 && (
        <ul class="cards" aria-live="polite" aria-label="Your WhatsApp numbers">
          {list.map((s) => (
            <li key={s.id}>
              <h2>
                <a {...appLink(`/whatsapp/senders/${s.id}`)}>{s.phoneNumber}</a> <span class="detail">{s.profile.name}</span>
              </h2>
              <dl class="inline">
                <div>
                  <dt>Status</dt>
                  <dd class="sender-status">
                    {statusText(s)}
                    {s.status === 'PENDING_VERIFICATION' && (
                      <>
                        {' '}
                        — <a {...appLink(`/whatsapp/senders/${s.id}`)}>enter the code</a>
                      </>
                    )}
                  </dd>
                </div>
                <div>
                  <dt>Quality</dt>
                  <dd>{s.qualityRating ?? '—'}</dd>
                </div>
                <div>
                  <dt>Messaging limit</dt>
                  <dd>{s.messagingLimit ?? '—'}</dd>
                </div>
              </dl>
              <OfflineReasons sender={s} />
            </li>
          ))}
        </ul>
      )}
      <Pager cursors={cursors} setCursors={setCursors} next={page?.nextCursor} />
    </>
  );
}

/** One sender: its status followed live, and the verification code while WhatsApp waits for it. */
export function SenderDetail({ customerId, senderId }: { customerId: string; senderId: string }) {
  const path = `/v1/customers/${customerId}/whatsapp/senders/${encodeURIComponent(senderId)}`;
  const [sender, follow] = useFollowed(() => api<Sender>('GET', path), moving, path);
  const s = sender && 'value' in sender ? sender.value : undefined;
  return (
    <>
      <Heading>{s ? `WhatsApp number ${s.phoneNumber}` : 'WhatsApp number'}</Heading>
      <p>
        <a {...appLink('/whatsapp')}>Back to WhatsApp</a>
      </p>
      {!sender && <Loading what="the WhatsApp number" />}
      {sender?.error && <FollowError error={sender.error} message={sender.error instanceof ApiError && sender.error.problem.status === 404 ? 'No such WhatsApp number.' : undefined} />}
      {s && (
        <>
          <dl>
            <dt>Status</dt>
            <dd class="sender-status" aria-live="polite">
              {statusText(s)}
              {moving(s) && <span class="detail"> — this page follows it as it changes</span>}
              <OfflineReasons sender={s} />
            </dd>
            <dt>Display name</dt>
            <dd>{s.profile.name}</dd>
            <dt>Quality rating</dt>
            <dd>{s.qualityRating ?? '—'}</dd>
            <dt>Messaging limit</dt>
            <dd>{s.messagingLimit ?? '—'}</dd>
            <dt>WhatsApp Business Account</dt>
            <dd>{s.wabaId}</dd>
            <dt>Last change</dt>
            <dd>{when(s.updatedAt)}</dd>
          </dl>
          {s.status === 'PENDING_VERIFICATION' && <Verification path={path} method={s.verificationMethod} onVerified={follow} />}
        </>
      )}
    </>
  );
}

function Verification({ path, method, onVerified }: { path: string; method: 'sms' | 'voice'; onVerified: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useFocusOnFailure<HTMLFormElement>();
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api('POST', `${path}/verification`, { code: code.trim() }).then(
      () => {
        setBusy(false);
        onVerified();
      },
      (err: Error) => {
        setBusy(false);
        // Every refusal is about the code: a malformed one (400) or not the one Meta sent (422).
        setError(fieldErrorsOf(err)['body.code'] ?? (err instanceof ApiError && err.problem.status === 422 ? 'That is not the code WhatsApp sent. Check it and try again.' : err.message));
        form.failed();
      },
    );
  };
  return (
    <form class="stack" onSubmit={submit} aria-labelledby="verify" ref={form.ref}>
      <h2 id="verify">Verify the number</h2>
      <p>WhatsApp sent a code to the number by {method === 'sms' ? 'text message' : 'voice call'}. Enter it here.</p>
      <Field id="verification-code" label="Verification code" error={error}>
        <input {...described('verification-code', error)} inputMode="numeric" autoComplete="one-time-code" value={code} onInput={(e) => setCode(valueOf(e))} required />
      </Field>
      <button type="submit" disabled={busy}>
        Verify
      </button>
    </form>
  );
}

interface Draft {
  phoneNumber: string;
  name: string;
  about: string;
  website: string;
  verificationMethod: 'sms' | 'voice';
}

/** Connecting a number: the business's WhatsApp Business Account from Embedded Signup, then the number and its profile. */
export function ConnectSender({ customerId }: { customerId: string }) {
  const [config, setConfig] = useState<EmbeddedSignupConfig | { error: string } | undefined>();
  const [account, setAccount] = useState<SignupResult>();
  useEffect(() => {
    api<EmbeddedSignupConfig>('GET', `/v1/customers/${customerId}/whatsapp/embedded-signup`).then(setConfig, (e: Error) => setConfig({ error: e.message }));
  }, [customerId]);
  return (
    <>
      <Heading>Connect a WhatsApp number</Heading>
      <p>
        <a {...appLink('/whatsapp')}>Back to WhatsApp</a>
      </p>
      {!config && <Loading what="the sign-up" />}
      {config && 'error' in config && <ErrorNote>{config.error}</ErrorNote>}
      {config && 'mode' in config && !account && <SignUp config={config} onAccount={setAccount} />}
      {account && <SenderForm customerId={customerId} account={account} simulated={config && 'mode' in config && config.mode === 'simulated'} />}
    </>
  );
}

function SignUp({ config, onAccount }: { config: EmbeddedSignupConfig; onAccount: (account: SignupResult) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [simulating, setSimulating] = useState(false);
  useEffect(() => {
    if (config.mode === 'meta') loadSdk(config).catch((e: Error) => setError(e.message));
  }, [config]);
  const start = () => {
    if (config.mode === 'simulated') return setSimulating(true);
    setBusy(true);
    setError(undefined);
    runMetaSignup(config).then(onAccount, (e: Error) => (setBusy(false), setError(e.message)));
  };
  return (
    <section aria-labelledby="step-account">
      <h2 id="step-account">1. Your WhatsApp Business Account</h2>
      <p>Sign in with Meta to choose or create the WhatsApp Business Account your number will belong to. You then come back here to finish.</p>
      {config.mode === 'simulated' && (
        <p class="notice">
          <strong>Simulated:</strong> this platform has no Meta app configured, so no real sign-up with Meta happens. The next step stands in for Meta’s
          window and hands back a made-up WhatsApp Business Account id that the test environment accepts.
        </p>
      )}
      <button type="button" class={config.mode === 'meta' ? 'facebook' : undefined} onClick={start} disabled={busy}>
        {config.mode === 'meta' ? 'Continue with Facebook' : 'Start the simulated sign-up'}
      </button>
      {error && <ErrorNote>{error}</ErrorNote>}
      {simulating && <SimulatedMeta onFinish={onAccount} onCancel={() => (setSimulating(false), setError('The simulated sign-up was cancelled.'))} />}
    </section>
  );
}

/** Stands in for Meta's window where there is no Meta app: it hands back what Meta's FINISH message would. */
function SimulatedMeta({ onFinish, onCancel }: { onFinish: (account: SignupResult) => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [wabaId] = useState(simulatedWabaId);
  useEffect(() => dialog.current?.showModal(), []);
  return (
    <dialog ref={dialog} aria-labelledby="simulated-title" aria-describedby="simulated-what" onCancel={onCancel}>
      <h2 id="simulated-title">Simulated Meta sign-up</h2>
      <p id="simulated-what">
        Not Meta: a stand-in for Meta’s Embedded Signup window. With a real Meta app, the business would sign in to Facebook here and pick its WhatsApp
        Business Account.
      </p>
      <dl>
        <dt>WhatsApp Business Account id (simulated)</dt>
        <dd>{wabaId}</dd>
      </dl>
      <p class="actions">
        <button type="button" onClick={() => (dialog.current?.close(), onFinish({ wabaId, phoneNumberId: `sim-${wabaId.slice(-6)}` }))}>
          Finish the simulated sign-up
        </button>
        <button type="button" class="secondary" onClick={() => (dialog.current?.close(), onCancel())}>
          Cancel
        </button>
      </p>
    </dialog>
  );
}

function SenderForm({ customerId, account, simulated }: { customerId: string; account: SignupResult; simulated?: boolean }) {
  const [draft, setDraft] = useState<Draft>({ phoneNumber: '', name: '', about: '', website: '', verificationMethod: 'sms' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const form = useFocusOnFailure<HTMLFormElement>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const errors = fieldErrorsOf(error);
  const set = (name: keyof Draft) => (e: Event) => setDraft({ ...draft, [name]: valueOf(e) });
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const profile = { name: draft.name.trim(), ...(draft.about.trim() && { about: draft.about.trim() }), ...(draft.website.trim() && { websites: [draft.website.trim()] }) };
    api<Sender>('POST', `/v1/customers/${customerId}/whatsapp/senders`, { wabaId: account.wabaId, phoneNumber: draft.phoneNumber.trim(), profile, verificationMethod: draft.verificationMethod }).then(
      (sender) => navigate(`/whatsapp/senders/${sender.id}`),
      (err: unknown) => (setBusy(false), setError(err), form.failed()),
    );
  };
  const websiteError = errors['body.profile.websites.0'] ?? errors['body.profile.websites'];
  const unplaced = error && !['body.phoneNumber', 'body.profile.name', 'body.profile.about', 'body.verificationMethod'].some((f) => errors[f]) && !websiteError;
  return (
    <form class="stack" onSubmit={submit} aria-labelledby="step-number" noValidate ref={form.ref}>
      <h2 id="step-number" ref={heading} tabIndex={-1}>
        2. The number and its profile
      </h2>
      <p>
        WhatsApp Business Account <strong>{account.wabaId}</strong>
        {simulated && ' (simulated)'} is connected.
        {errors['body.wabaId'] && <span class="error"> {errors['body.wabaId']}</span>}
      </p>
      <Field id="sender-phone" label="Phone number (E.164)" error={errors['body.phoneNumber']} hint="The number to put on WhatsApp, e.g. +14155550123. WhatsApp sends it a code unless it is one of your Twilio numbers.">
        <input {...described('sender-phone', errors['body.phoneNumber'], true)} type="tel" autoComplete="tel" value={draft.phoneNumber} onInput={set('phoneNumber')} />
      </Field>
      <Field id="sender-name" label="Display name" error={errors['body.profile.name']} hint="What people see on WhatsApp; it should match your brand.">
        <input {...described('sender-name', errors['body.profile.name'], true)} value={draft.name} onInput={set('name')} />
      </Field>
      <Field id="sender-about" label="About (optional)" error={errors['body.profile.about']}>
        <input {...described('sender-about', errors['body.profile.about'])} maxLength={139} value={draft.about} onInput={set('about')} />
      </Field>
      <Field id="sender-website" label="Website (optional)" error={websiteError}>
        <input {...described('sender-website', websiteError)} type="url" placeholder="https://" value={draft.website} onInput={set('website')} />
      </Field>
      <fieldset aria-describedby={errors['body.verificationMethod'] ? 'sender-method-error' : undefined}>
        <legend>How WhatsApp sends the verification code</legend>
        {(['sms', 'voice'] as const).map((m) => (
          <label key={m} class="choice">
            <input type="radio" name="verification-method" value={m} checked={draft.verificationMethod === m} onChange={() => setDraft({ ...draft, verificationMethod: m })} />
            {m === 'sms' ? 'Text message' : 'Voice call'}
          </label>
        ))}
        {errors['body.verificationMethod'] && (
          <span class="error" id="sender-method-error">
            {errors['body.verificationMethod']}
          </span>
        )}
      </fieldset>
      {unplaced && <ErrorNote>{error instanceof Error ? error.message : 'The number could not be connected.'}</ErrorNote>}
      <button type="submit" disabled={busy}>
        Connect the number
      </button>
    </form>
  );
}
