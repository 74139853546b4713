import { useEffect, useState } from 'preact/hooks';

/** The app's own paths, below /portal (History API; the server answers every app path with the page). */
export const BASE = '/portal';

export function usePath(): string {
  const [path, setPath] = useState(() => location.pathname.slice(BASE.length) || '/');
  useEffect(() => {
    const changed = () => setPath(location.pathname.slice(BASE.length) || '/');
    addEventListener('popstate', changed);
    return () => removeEventListener('popstate', changed);
  }, []);
  return path;
}

/** A same-app navigation: no reload, a history entry, the new page's heading takes focus. */
export function navigate(to: string): void {
  history.pushState(null, '', BASE + to);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** Props for an <a> that stays in the app on a plain click and behaves as a link otherwise. */
export function appLink(to: string) {
  return {
    href: BASE + to,
    onClick: (event: MouseEvent) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(to);
    },
  };
}
