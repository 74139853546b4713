import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type PortalSession } from '../api';
import { ErrorNote, Heading, Loading, when } from '../ui';
import { FixRegistration, fieldLabel } from './fix-registration';
import { FollowError, useFollowed } from './follow';

// A type, not an interface, so that the fix form can take it as a plain record of fields.
export type CustomerView = {
  id: string;
  displayName: string;
  legalName: string;
  status: string;
};

interface TimelineStep {
  step: string;
  status: string;
  startedAt?: string;
  completedAt?: string;
  waitingFor?: string;
  errors?: Array<{ code: number | string; message: string; fields: string[] }>;
}

export interface Timeline {
  status: 'running' | 'succeeded' | 'failed' | 'closed';
  attempt: number;
  failedStep?: string;
  options: Record<string, unknown>;
  steps: TimelineStep[];
}

/** While onboarding runs, the timeline is read again this often: the page follows it without a reload. */
const FOLLOW_MS = 3000;

export const STEP_NAMES: Record<string, string> = {
  subaccount: 'Twilio subaccount',
  customerProfile: 'Business profile',
  trustProduct: 'A2P trust product',
  brand: 'Brand registration',
  messagingService: 'Messaging service',
  campaign: 'Campaign registration',
  numbers: 'Phone numbers',
};

export function Account({ session }: { session: PortalSession }) {
  const customerId = session.customerId!;
  const [customer, setCustomer] = useState<CustomerView | { error: string } | undefined>();
  // Bumped when the customer resubmits: the details and the onboarding are read again.
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api<CustomerView>('GET', `/v1/customers/${customerId}`).then(setCustomer, (error: unknown) =>
      setCustomer({ error: error instanceof ApiError ? error.message : 'The account could not be loaded.' }),
    );
  }, [customerId, version]);
  const title = customer && 'displayName' in customer ? customer.displayName : 'Your account';

  return (
    <>
      <Heading>{title}</Heading>
      {!customer && <Loading what="the account" />}
      {customer && 'error' in customer && <ErrorNote>{customer.error}</ErrorNote>}
      {customer && 'legalName' in customer && (
        <dl>
          <dt>Business</dt>
          <dd>{customer.legalName}</dd>
          <dt>Status</dt>
          <dd>{customer.status}</dd>
          <dt>Provided by</dt>
          <dd>{session.partnerName ?? '—'}</dd>
        </dl>
      )}
      <Onboarding
        customerId={customerId}
        customer={customer && 'legalName' in customer ? customer : undefined}
        version={version}
        resumed={() => setVersion(version + 1)}
      />
    </>
  );
}

/** The step a running onboarding is at: the one running or waiting, else the next to run. */
function currentStep(timeline: Timeline): string | undefined {
  const step = timeline.steps.find((s) => s.status === 'running' || s.status === 'waiting') ?? timeline.steps.find((s) => s.status === 'pending');
  return step && `${STEP_NAMES[step.step] ?? step.step}${step.status === 'waiting' && step.waitingFor ? `, waiting for ${step.waitingFor.split(':')[0]}` : ''}`;
}

export function Onboarding({ customerId, customer, version = 0, resumed }: { customerId: string; customer?: CustomerView; version?: number; resumed?: () => void }) {
  // A customer never onboarded has no timeline (404): that is an answer, not a failed read.
  const load = () =>
    api<Timeline>('GET', `/v1/customers/${customerId}/onboarding`).catch((error: unknown) => {
      if (error instanceof ApiError && error.problem.status === 404) return 'none' as const;
      throw error;
    });
  const [followed, readAgain] = useFollowed<Timeline | 'none'>(load, (t) => t !== 'none' && t.status === 'running', customerId, FOLLOW_MS);
  const timeline = followed && 'value' in followed ? followed.value : undefined;
  /** The last read's error: what was read before stays shown, and the page keeps reading. */
  const readError = followed?.error;
  const heading = useRef<HTMLHeadingElement>(null);
  // A resubmit set the onboarding moving again: follow it anew.
  useEffect(() => {
    if (version > 0) readAgain();
  }, [version]);
  // A resubmit takes the form away: focus goes to the section that now follows the resumed onboarding.
  useLayoutEffect(() => {
    if (version > 0) heading.current?.focus();
  }, [version]);
  const failed = timeline && typeof timeline === 'object' && timeline.status === 'failed' ? timeline : undefined;
  const failedStep = failed?.steps.find((s) => s.step === failed.failedStep);

  return (
    <section aria-labelledby="onboarding">
      <h2 id="onboarding" ref={heading} tabIndex={-1}>
        Getting ready to send
      </h2>
      {!timeline && !readError && <Loading what="the onboarding" />}
      {timeline === 'none' && <p>Onboarding has not started yet: your provider starts it once your business details are complete.</p>}
      {readError && <FollowError error={readError} />}
      {timeline && typeof timeline === 'object' && (
        <>
          <p aria-live="polite">
            {timeline.status === 'running' && `In progress: this page follows each step as it happens. Now: ${currentStep(timeline) ?? 'starting'}.`}
            {timeline.status === 'succeeded' && 'Done: you are ready to send.'}
            {timeline.status === 'failed' && `Stopped at ${STEP_NAMES[timeline.failedStep ?? ''] ?? timeline.failedStep}: see what Twilio said below.`}
            {timeline.status === 'closed' && 'This account is closed.'}
          </p>
          <ol class="steps">
            {timeline.steps.map((s) => (
              <li key={s.step} class={`step ${s.status}`}>
                <span class="name">{STEP_NAMES[s.step] ?? s.step}</span> <span class="state">{s.status}</span>
                {s.status === 'waiting' && s.waitingFor && <span class="detail"> — waiting for {s.waitingFor.split(':')[0]}</span>}
                {s.completedAt && <span class="detail"> — {when(s.completedAt)}</span>}
                {s.errors?.map((e) => (
                  <p key={String(e.code)} class="error">
                    Error {e.code}: {e.message}
                    {e.fields.length > 0 && ` (fields: ${e.fields.map(fieldLabel).join(', ')})`}
                  </p>
                ))}
              </li>
            ))}
          </ol>
        </>
      )}
      {failed && customer && resumed && (
        <FixRegistration key={failed.attempt} customerId={customerId} customer={customer} options={failed.options} errors={failedStep?.errors ?? []} resumed={resumed} />
      )}
    </section>
  );
}
