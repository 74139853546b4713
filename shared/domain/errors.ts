/**
 * Typed errors carry their HTTP meaning; one middleware (shared/http/problem.ts) turns them into
 * `application/problem+json` (RFC 9457). Anything that is not an AppError is a bug: the client
 * sees a generic 500 and the details go to the log only.
 */
export interface FieldError {
  /** JSON pointer-ish path of the field at fault, e.g. `address.postalCode`, `body`, `query.limit`. */
  field: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Stable, documented problem type slug; the full `type` URI is built by the HTTP layer. */
  abstract readonly type: string;
  abstract readonly title: string;
  readonly errors?: FieldError[];

  constructor(detail: string, errors?: FieldError[]) {
    super(detail);
    this.name = new.target.name;
    this.errors = errors;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly type = 'validation-error';
  readonly title = 'Request is not valid';
  constructor(detail: string, errors: FieldError[] = []) {
    super(detail, errors);
  }
}

export class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly type = 'malformed-json';
  readonly title = 'Body is not valid JSON';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Missing or invalid API key';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Resource not found';
}

export class MethodNotAllowedError extends AppError {
  readonly status = 405;
  readonly type = 'method-not-allowed';
  readonly title = 'Method not allowed';
  constructor(
    detail: string,
    readonly allow: string[],
  ) {
    super(detail);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Request conflicts with the current state';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  readonly title = 'Body is too large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly type = 'unsupported-media-type';
  readonly title = 'Content-Type must be application/json';
}

export class IdempotencyKeyReusedError extends AppError {
  readonly status = 422;
  readonly type = 'idempotency-key-reused';
  readonly title = 'Idempotency-Key was already used with a different request';
}

export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly type = 'unprocessable';
  readonly title = 'Request cannot be processed in the current state';
}

/** A dependency (Twilio, AWS) failed in a way the client cannot fix; safe to retry later. */
export class UpstreamError extends AppError {
  readonly status = 502;
  readonly type = 'upstream-error';
  readonly title = 'An upstream service failed';
}
