import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

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

export function ErrorNote({ children }: { children: ComponentChildren }) {
  return (
    <p role="alert" class="error">
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
