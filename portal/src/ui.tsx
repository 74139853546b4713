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
