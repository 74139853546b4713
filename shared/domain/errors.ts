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

/** A valid, active API key of a partner the operator suspended: 403, not the invalid-key 401. */
export class PartnerSuspendedError extends AppError {
  readonly status = 403;
  readonly type = 'partner-suspended';
  readonly title = 'Partner suspended';
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

/** Onboarding preflight found errors: nothing was created; `errors` lists every one with its field. */
export class OnboardingPreflightError extends AppError {
  readonly status = 422;
  readonly type = 'onboarding-preflight-failed';
  readonly title = 'The onboarding would fail: fix these fields first';
}

/** The template lint found errors: nothing was sent to Twilio; `errors` lists every one with its field. */
export class TemplateLintError extends AppError {
  readonly status = 422;
  readonly type = 'template-lint-failed';
  readonly title = 'The template would be rejected: fix these fields first';
}

/** A dependency (Twilio, AWS) failed in a way the client cannot fix; safe to retry later. */
export class UpstreamError extends AppError {
  readonly status = 502;
  readonly type = 'upstream-error';
  readonly title = 'An upstream service failed';
}

/**
 * The customer is closed (or being closed): its subaccount is closed or closing and its numbers
 * released, so nothing about it may change any more. Reads keep working.
 */
export class CustomerClosedError extends AppError {
  readonly status = 409;
  readonly type = 'customer-closed';
  readonly title = 'The customer is closed';
}

// --- Messaging ------------------------------------------------------------------------------

/** The customer cannot send yet (or any more): the detail names what is missing. */
export class CustomerNotReadyError extends AppError {
  readonly status = 409;
  readonly type = 'customer-not-ready';
  readonly title = 'The customer cannot send messages yet';
}

/** WhatsApp: free-form content outside the contact's 24-hour window; only an approved template may be sent. */
export class TemplateRequiredError extends AppError {
  readonly status = 422;
  readonly type = 'template-required';
  readonly title = 'Outside the WhatsApp 24-hour window: send an approved template';
}

/** WhatsApp: the template is not (or no longer) approved; the detail names its status. */
export class TemplateNotApprovedError extends AppError {
  readonly status = 409;
  readonly type = 'template-not-approved';
  readonly title = 'The template is not approved for sending';
}

/** WhatsApp: the template does not exist for this customer, or the variables do not fit it (`errors` names each). */
export class TemplateMismatchError extends AppError {
  readonly status = 422;
  readonly type = 'template-mismatch';
  readonly title = 'The template or its variables do not fit';
}

/** The contact opted out of this customer on this channel; the detail says when and how. */
export class RecipientOptedOutError extends AppError {
  readonly status = 409;
  readonly type = 'recipient-opted-out';
  readonly title = 'The recipient opted out';
}

export class TooManySegmentsError extends AppError {
  readonly status = 422;
  readonly type = 'too-many-segments';
  readonly title = 'The body takes more SMS segments than allowed';
}

export class SendAtOutOfRangeError extends AppError {
  readonly status = 422;
  readonly type = 'send-at-out-of-range';
  readonly title = 'sendAt must be between 15 minutes and 35 days ahead';
}

/** Twilio refused the message for a reason that will not change on a retry. */
export class MessageRefusedError extends AppError {
  readonly status = 422;
  readonly type = 'message-refused';
  readonly title = 'Twilio refused the message';
}

export class MessageNotCancelableError extends AppError {
  readonly status = 409;
  readonly type = 'message-not-cancelable';
  readonly title = 'Only a scheduled message can be canceled';
}

// --- Partner webhooks ---------------------------------------------------------------------------

/** The SSRF guard refused the endpoint URL; `errors` points at `body.url` and says which rule. */
export class WebhookUrlRefusedError extends AppError {
  readonly status = 422;
  readonly type = 'webhook-url-refused';
  readonly title = 'The webhook URL is not allowed';
}

/** A customer is erased only once nothing of it is left at Twilio: after its subaccount's close. */
export class CustomerNotClosedError extends AppError {
  readonly status = 409;
  readonly type = 'customer-not-closed';
  readonly title = 'The customer must be closed first';
}

// --- Portal sessions ------------------------------------------------------------------------

/** A cookie-authenticated request that changes something came without the `X-CSRF-Token` header. */
export class CsrfTokenMissingError extends AppError {
  readonly status = 403;
  readonly type = 'csrf-token-missing';
  readonly title = 'CSRF token missing';
}

/** The `X-CSRF-Token` header does not equal the `sb_csrf` cookie. */
export class CsrfTokenMismatchError extends AppError {
  readonly status = 403;
  readonly type = 'csrf-token-mismatch';
  readonly title = 'CSRF token does not match';
}

/** A route only the partner's API key reaches (a portal session cannot mint or revoke sessions). */
export class ApiKeyRequiredError extends AppError {
  readonly status = 403;
  readonly type = 'api-key-required';
  readonly title = 'This route needs an API key';
}

/** A portal link that was already opened (single use) or has expired. */
export class PortalLinkGoneError extends AppError {
  readonly status = 410;
  readonly type = 'portal-link-gone';
  readonly title = 'Portal link no longer valid';
}

// --- Documents ------------------------------------------------------------------------------

/** The file's bytes are not a PDF, PNG or JPEG, or not what the upload declared: `errors` names `file`. */
export class UnsupportedDocumentTypeError extends AppError {
  readonly status = 415;
  readonly type = 'unsupported-document-type';
  readonly title = 'The file is not a PDF, PNG or JPEG';
}

/** The file is over the document size limit: `errors` names `file`. */
export class DocumentTooLargeError extends AppError {
  readonly status = 413;
  readonly type = 'document-too-large';
  readonly title = 'The file is too large';
}

/** The file has no bytes: `errors` names `file`. */
export class EmptyDocumentError extends AppError {
  readonly status = 422;
  readonly type = 'empty-document';
  readonly title = 'The file is empty';
}
