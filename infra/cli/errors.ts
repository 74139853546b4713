import { AppError, type FieldError } from '../../shared/domain/errors';

/** The operator typed something the CLI cannot run: exit code 2, like other Unix tools. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The synopsis of the command at fault, so the operator sees the fix next to the error. */
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The target (local platform, stack, table) cannot be found or read. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/** A multi-step command stopped half way; the detail says what exists and how to finish. */
export class IncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface ErrorBody {
  error: string;
  detail: string;
  usage?: string;
  /** The fields at fault, as the API's problem+json lists them (an onboarding retry's preflight findings). */
  errors?: FieldError[];
}

/**
 * Turns anything thrown into the `{error, detail}` body and its exit code. Domain errors keep their
 * stable problem type (`not-found`, `conflict`, …) so scripts can branch on it; AWS errors keep
 * their exception name, which is what an operator searches for.
 */
export function describeError(error: unknown): { body: ErrorBody; exitCode: number } {
  if (error instanceof UsageError) {
    return { body: { error: 'usage', detail: error.message, ...(error.usage ? { usage: error.usage } : {}) }, exitCode: EXIT_USAGE };
  }
  if (error instanceof TargetError) return { body: { error: 'target', detail: error.message }, exitCode: EXIT_FAILED };
  if (error instanceof IncompleteError) return { body: { error: 'incomplete', detail: error.message }, exitCode: EXIT_FAILED };
  if (error instanceof AppError) {
    return { body: { error: error.type, detail: error.message, ...(error.errors?.length ? { errors: error.errors } : {}) }, exitCode: EXIT_FAILED };
  }
  if (error instanceof Error) return { body: { error: 'failed', detail: `${error.name}: ${error.message}` }, exitCode: EXIT_FAILED };
  return { body: { error: 'failed', detail: String(error) }, exitCode: EXIT_FAILED };
}
