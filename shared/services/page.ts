import { ValidationError } from '../domain/errors';

/** What every list route answers: one page, and the cursor of the next one (null on the last page). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** What a cursor is bound to: the partner, and the customer or endpoint for lists under one. */
export type PageScope = readonly string[];

/** FNV-1a (32-bit) in base36: enough to tell a cursor of another list or tenant, not a secret. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,512}$/;

/**
 * The paging of one list. A cursor is opaque to partners; inside it holds the position of the last
 * item of the page (an id, or a sort key), which list it belongs to and a fingerprint of its scope.
 * Anything else, a cursor of another list or of another partner's or customer's list included,
 * is a 400 naming `query.cursor`.
 *
 * Pages are cut from what the list read: up to `limit + 1` items, in order. The item past the
 * page is the proof that another page exists, so `nextCursor` is null exactly when none does and
 * a reader paging to the end never gets an empty last page.
 */
export function pager<T>(list: string, positionPattern: RegExp, positionOf: (item: T) => string) {
  const seal = (position: string, scope: PageScope) => fingerprint(`${list}\u0000${scope.join('\u0000')}\u0000${position}`);
  const encode = (position: string, scope: PageScope) => Buffer.from(JSON.stringify({ p: position, s: seal(position, scope) }), 'utf8').toString('base64url');
  const invalid = () => new ValidationError('cursor is not valid', [{ field: 'query.cursor', message: 'use the nextCursor of a previous page of this list' }]);

  return {
    /** The position a page starts after; undefined for the first page. */
    after(cursor: string | undefined, scope: PageScope): string | undefined {
      if (cursor === undefined) return undefined;
      if (!CURSOR_SHAPE.test(cursor)) throw invalid();
      const decoded = Buffer.from(cursor, 'base64url');
      // Only the canonical spelling: base64 leaves low bits of the last character unused.
      if (decoded.toString('base64url') !== cursor) throw invalid();
      let parsed: { p?: unknown; s?: unknown };
      try {
        parsed = JSON.parse(decoded.toString('utf8')) as typeof parsed;
      } catch {
        throw invalid();
      }
      const { p, s } = parsed ?? {};
      if (typeof p !== 'string' || !positionPattern.test(p) || s !== seal(p, scope)) throw invalid();
      return p;
    },

    /** The page of `read` (up to `limit + 1` items in list order) and the cursor after it. */
    page(read: readonly T[], limit: number, scope: PageScope): { items: T[]; nextCursor: string | null } {
      const items = read.slice(0, limit);
      return { items, nextCursor: read.length > limit && items.length > 0 ? encode(positionOf(items.at(-1)!), scope) : null };
    },

    /**
     * The page of a list read whole (a partition that stays small), `all` in ascending order of
     * position: the items after the cursor's position (which need not exist any more), then {@link page}.
     */
    pageOfAll(all: readonly T[], limit: number, after: string | undefined, scope: PageScope): { items: T[]; nextCursor: string | null } {
      const rest = after === undefined ? all : all.filter((item) => positionOf(item) > after);
      return this.page(rest.slice(0, limit + 1), limit, scope);
    },

    /**
     * For a reader that merges several partitions and itself knows where the next page starts
     * (the position to continue after, or undefined at the end).
     */
    continueAfter(position: string | undefined, scope: PageScope): string | null {
      return position === undefined ? null : encode(position, scope);
    },
  };
}

export type Pager<T> = ReturnType<typeof pager<T>>;
