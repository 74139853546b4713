import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';

/** While something is on its way (a review, a registration), it is read again this often. */
export const FOLLOW_MS = 2000;

export type Followed<T> = { value: T } | { error: Error } | undefined;

/**
 * Reads `load` now and again every {@link FOLLOW_MS} while `moving` says the value is still on its
 * way; stops once it has settled (or the page goes). `restart` reads again and follows anew, for
 * after an action that set it moving (a code submitted, a template resubmitted).
 */
export function useFollowed<T>(load: () => Promise<T>, moving: (value: T) => boolean, key: string): [Followed<T>, () => void] {
  const [state, setState] = useState<Followed<T>>();
  const [round, setRound] = useState(0);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () =>
      load().then(
        (value) => {
          if (stopped) return;
          setState({ value });
          if (moving(value)) timer = setTimeout(read, FOLLOW_MS);
        },
        (error: Error) => !stopped && setState({ error }),
      );
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, round]);
  return [state, () => setRound((r) => r + 1)];
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
