import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { ErrorNote } from '../ui';

/** While something is on its way (a review, a registration), it is read again this often. */
export const FOLLOW_MS = 2000;
/** The longest wait between reads while they keep failing. */
const MAX_BACKOFF_MS = 60_000;

/** How long to wait before reading again after `failures` reads in a row have failed (none: `every`). */
export const backoff = (every: number, failures: number) => Math.min(every * 2 ** failures, MAX_BACKOFF_MS);

/** Whether reading again can help: not once the answer is a refusal (a 404, an expired session). */
export const retryable = (error: unknown) => !(error instanceof ApiError) || error.problem.status >= 500 || error.problem.status === 429;

/** The last value read, and the error of the last read when it failed (the value, if any, is kept). */
export type Followed<T> = { value: T; error?: Error } | { error: Error } | undefined;

/**
 * Reads `load` now and again every `every` ms ({@link FOLLOW_MS} unless told) while `moving` says the value is still on its
 * way; stops once it has settled (or the page goes). A failed read keeps the last value and is
 * retried, less and less often, unless the answer was a refusal. `restart` reads again and follows
 * anew, for after an action that set it moving (a code submitted, a template resubmitted).
 */
export function useFollowed<T>(load: () => Promise<T>, moving: (value: T) => boolean, key: string, every = FOLLOW_MS): [Followed<T>, () => void] {
  // Held with the key it was read for: another key (another page of a list) starts from nothing.
  const [state, setState] = useState<{ key: string; followed: Followed<T> }>();
  const [round, setRound] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const read = () =>
      load().then(
        (value) => {
          if (stopped) return;
          failures = 0;
          setState({ key, followed: { value } });
          if (moving(value)) timer = setTimeout(read, every);
        },
        (error: Error) => {
          if (stopped) return;
          // The value read before stays, beside the error.
          setState((last) => ({ key, followed: last?.key === key && last.followed && 'value' in last.followed ? { value: last.followed.value, error } : { error } }));
          if (retryable(error)) timer = setTimeout(read, backoff(every, ++failures));
        },
      );
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, round]);
  return [state?.key === key ? state.followed : undefined, () => setRound((r) => r + 1)];
}

/** A failed read, said above what the page last read (which stays shown), and whether the page keeps trying. */
export function FollowError({ error, message }: { error: Error; message?: string }) {
  const said = message ?? (error instanceof ApiError ? error.message : 'The platform could not be reached');
  return <ErrorNote>{retryable(error) ? `${said.replace(/\.$/, '')}; this page keeps trying.` : said}</ErrorNote>;
}

/** The API's field errors by field (`body.profile.name` → its message), for showing each beside its control. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (error instanceof ApiError) for (const e of error.problem.errors ?? []) errors[e.field] ??= e.message;
  return errors;
}

/** A labelled control with its error (or hint) beside it, tied to it by aria-describedby. */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && !error && (
        <span class="detail" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** The attributes that tie a control to the error or hint its {@link Field} shows. */
export const described = (id: string, error?: string, hasHint?: boolean) => ({
  id,
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': error ? `${id}-error` : hasHint ? `${id}-hint` : undefined,
});

export const valueOf = (e: Event) => (e.target as HTMLInputElement).value;
