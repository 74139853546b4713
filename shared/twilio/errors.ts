/**
 * Twilio failures as typed domain errors.
 *
 * Callers decide on the class, never on message text: a {@link TwilioRetryableError} may succeed
 * later (throttling, Twilio-side faults, network trouble), a {@link TwilioPermanentError} will fail
 * the same way until the input or configuration changes. Messages never contain credentials:
 * they are built from Twilio's own error text, and the adapter strips the token from anything
 * that might echo it.
 */
export { classifyMessageError, type MessageErrorClass, type MessageErrorAction } from './message-errors';

export interface TwilioErrorDetails {
  /** Twilio's error code (e.g. 21211, 20429); null for transport failures. */
  code: number | null;
  /** HTTP status; null when no response arrived. */
  status: number | null;
  message: string;
  moreInfo: string | null;
}

export abstract class TwilioError extends Error implements TwilioErrorDetails {
  abstract readonly retryable: boolean;
  readonly code: number | null;
  readonly status: number | null;
  readonly moreInfo: string | null;

  constructor(details: TwilioErrorDetails) {
    super(details.message);
    this.name = new.target.name;
    this.code = details.code;
    this.status = details.status;
    this.moreInfo = details.moreInfo;
  }

  /** A log-safe summary (no request data, no credentials). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, status: this.status, message: this.message, moreInfo: this.moreInfo };
  }
}

/** Throttling (429 / 20429), Twilio 5xx, timeouts and dropped connections. */
export class TwilioRetryableError extends TwilioError {
  readonly retryable = true;
}

/** Validation (4xx, 21xxx), authentication (20003), not found (20404) and other definite refusals. */
export class TwilioPermanentError extends TwilioError {
  readonly retryable = false;

  get notFound(): boolean {
    return this.status === 404 || this.code === 20404;
  }
}

export const TOO_MANY_REQUESTS_CODE = 20429;

/** Network error codes after which the same request may well succeed. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Whether an HTTP answer from Twilio is worth retrying. */
export function isRetryableResponse(status: number, code: number | null | undefined): boolean {
  return status === 429 || code === TOO_MANY_REQUESTS_CODE || status >= 500;
}

/** Whether a transport failure (no HTTP answer) is worth retrying. */
export function isTransientNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /timeout|socket hang up/i.test(message);
}

/** Builds the typed error for an HTTP error answer (status ≥ 400) and its parsed body. */
export function errorFromResponse(status: number, body: unknown): TwilioError {
  const payload = (body && typeof body === 'object' ? body : {}) as { code?: unknown; message?: unknown; more_info?: unknown };
  const code = typeof payload.code === 'number' ? payload.code : null;
  const details: TwilioErrorDetails = {
    code,
    status,
    message: typeof payload.message === 'string' && payload.message ? payload.message : `Twilio answered HTTP ${status}`,
    moreInfo: typeof payload.more_info === 'string' ? payload.more_info : null,
  };
  return isRetryableResponse(status, code) ? new TwilioRetryableError(details) : new TwilioPermanentError(details);
}

function scrub(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
}

/**
 * Maps anything the SDK or the HTTP layer throws to a typed Twilio error. `secrets` are removed
 * from the message (defence in depth: axios and SDK messages do not normally carry them).
 *
 * Errors that are neither Twilio answers nor transport failures (programming errors) are
 * returned unchanged so they are not mistaken for Twilio's verdict.
 */
export function toTwilioError(error: unknown, secrets: readonly string[] = []): unknown {
  if (error instanceof TwilioError) return error;
  const candidate = error as { status?: unknown; code?: unknown; message?: unknown; moreInfo?: unknown } | null;
  // The SDK's RestException: numeric HTTP status plus Twilio's code, message and more_info.
  if (candidate && typeof candidate.status === 'number' && candidate.status >= 400) {
    const code = typeof candidate.code === 'number' ? candidate.code : null;
    const details: TwilioErrorDetails = {
      code,
      status: candidate.status,
      message: scrub(typeof candidate.message === 'string' ? candidate.message : `Twilio answered HTTP ${candidate.status}`, secrets),
      moreInfo: typeof candidate.moreInfo === 'string' ? candidate.moreInfo : null,
    };
    return isRetryableResponse(candidate.status, code) ? new TwilioRetryableError(details) : new TwilioPermanentError(details);
  }
  if (isTransientNetworkError(error)) {
    const networkCode = typeof candidate?.code === 'string' ? candidate.code : 'network error';
    return new TwilioRetryableError({
      code: null,
      status: null,
      message: scrub(`Twilio unreachable (${networkCode}): ${error instanceof Error ? error.message : String(error)}`, secrets),
      moreInfo: null,
    });
  }
  return error;
}
