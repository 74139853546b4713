import { ValidationError } from '../domain/errors';

/**
 * An opaque list cursor that carries only the last id of a page. Ids that do not match `idPattern`
 * (a tampered or foreign cursor) are a 400 on `query.cursor`.
 */
export function idCursor(idPattern: RegExp) {
  return {
    encode: (lastId: string) => Buffer.from(JSON.stringify({ after: lastId })).toString('base64url'),
    decode(cursor: string): string {
      try {
        const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
        if (typeof after === 'string' && idPattern.test(after)) return after;
      } catch {
        // the validation error below
      }
      throw new ValidationError('cursor is not valid', [{ field: 'query.cursor', message: 'use the nextCursor of a previous page' }]);
    },
  };
}
