import type { z } from 'zod';
import { ValidationError, type FieldError } from '../domain/errors';

/** zod issues → problem+json field errors, with paths prefixed by where the value came from. */
export function fieldErrorsOf(error: z.ZodError, source: 'body' | 'query' | 'path'): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = [source, ...issue.path.map(String)].join('.');
    // Unknown keys are reported once per key so the partner sees exactly which field to remove.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${base}.${key}`, message: 'is not a field of this resource or cannot be set' }));
    }
    return [{ field: base, message: issue.message }];
  });
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, source: 'body' | 'query' | 'path'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ValidationError(`The request ${source} is not valid`, fieldErrorsOf(result.error, source));
  }
  return result.data;
}
