import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/** A page's heading, which takes keyboard and screen-reader focus when the page appears. */
export function Heading({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), [children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function Loading({ what }: { what: string }) {
  return <p role="status">Loading {what}…</p>;
}

/** An error said above a form or list; focusable, so that a failed submit can move focus to it. */
export function ErrorNote({ children }: { children: ComponentChildren }) {
  return (
    <p role="alert" class="error" tabIndex={-1}>
      {children}
    </p>
  );
}

export const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * Newer/Older over a cursor-paged list: `cursors` is the stack of cursors that led to the page
 * shown (empty on the first), `next` the page's `nextCursor`.
 */
export function Pager({ cursors, setCursors, next }: { cursors: string[]; setCursors: (cursors: string[]) => void; next: string | null | undefined }) {
  return (
    <p class="actions">
      {cursors.length > 0 && (
        <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
      )}
      {next && (
        <button type="button" onClick={() => setCursors([...cursors, next])}>
          Older
        </button>
      )}
    </p>
  );
}

/**
 * For a form whose submit can fail: the ref goes on the form, `failed()` is called when a submit
 * fails, and focus then moves to the first control marked invalid, or else to the form's error
 * note, so that a keyboard or screen-reader user lands on what to fix (once the errors are
 * rendered, hence an effect: a layout one, so that focus moves before the page is painted).
 */
export function useFocusOnFailure<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  const [failures, setFailures] = useState(0);
  useLayoutEffect(() => {
    if (failures === 0) return;
    const root = ref.current;
    (root?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? root?.querySelector<HTMLElement>('[role="alert"]'))?.focus();
  }, [failures]);
  return { ref, failed: () => setFailures((n) => n + 1) };
}

/**
 * A table, which scrolls sideways on a narrow screen: focusable, so that a keyboard can scroll it
 * even where no cell holds a link or a button, and named by its caption.
 */
export function Table({ caption, children }: { caption: string; children: ComponentChildren }) {
  return (
    <table tabIndex={0}>
      <caption class="visually-hidden">{caption}</caption>
      {children}
    </table>
  );
}

/** A labelled text input with its error beside it (marked invalid and described by the error while there is one). */
export function TextField(props: { id: string; label: string; value: string; onInput: (value: string) => void; error?: string; type?: string; required?: boolean; placeholder?: string }) {
  const { id, label, value, onInput, error, type = 'text', required, placeholder } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        required={required}
        placeholder={placeholder}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
      {error && (
        <span class="error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
