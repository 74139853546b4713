import type { APIGatewayProxyResult } from 'aws-lambda';
import { AppError, MethodNotAllowedError } from '../domain/errors';
import { TwilioError } from '../twilio/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Problem types are stable, documented URIs; partners may switch on them. */
export const PROBLEM_TYPE_BASE = 'https://switchboard.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { field: string; message: string }[];
  /** Extension member: what Twilio answered, when Twilio is why the request failed. */
  twilio?: { code: number | null; message: string; moreInfo: string | null };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}

/** The one mapping from an error to what the client sees. Unknown errors reveal nothing. */
export function problemFor(error: unknown, instance?: string): APIGatewayProxyResult {
  if (error instanceof AppError) {
    const headers: Record<string, string> = error instanceof MethodNotAllowedError ? { allow: error.allow.join(', ') } : {};
    return problemResponse(
      {
        type: PROBLEM_TYPE_BASE + error.type,
        title: error.title,
        status: error.status,
        detail: error.message,
        instance,
        ...(error.errors?.length ? { errors: error.errors } : {}),
      },
      headers,
    );
  }
  if (error instanceof TwilioError) {
    const twilio = { code: error.code, message: error.message, moreInfo: error.moreInfo };
    // Twilio refusing our own credentials is the platform's fault, not the partner's.
    if (error.status === 401 || error.status === 403) {
      return problemResponse({
        type: PROBLEM_TYPE_BASE + 'upstream-error',
        title: 'An upstream service failed',
        status: 502,
        detail: 'The platform could not authenticate with Twilio. The operator has been alerted.',
        instance,
      });
    }
    return error.retryable
      ? problemResponse(
          {
            type: PROBLEM_TYPE_BASE + 'twilio-unavailable',
            title: 'Twilio is unavailable or throttling',
            status: 503,
            detail: 'Twilio did not complete the request after retries; it is safe to retry later.',
            instance,
            twilio,
          },
          { 'retry-after': '5' },
        )
      : problemResponse({
          type: PROBLEM_TYPE_BASE + 'twilio-rejected',
          title: 'Twilio refused the request',
          status: 422,
          detail: `Twilio answered ${error.code ?? error.status}: ${error.message}`,
          instance,
          twilio,
        });
  }
  if (isDependencyUnavailable(error)) {
    return problemResponse(
      {
        type: PROBLEM_TYPE_BASE + 'service-unavailable',
        title: 'A service the platform depends on is unavailable',
        status: 503,
        detail: 'The platform could not reach its database or another AWS service. Retry later; a retry with the same Idempotency-Key (where the route takes one) does the work once.',
        instance,
      },
      { 'retry-after': '5' },
    );
  }
  return problemResponse({
    type: PROBLEM_TYPE_BASE + 'internal-error',
    title: 'Internal error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged; retry later or contact support with the request id.',
    instance,
  });
}

/** Network failures of a call to a dependency: the request never got an answer. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** What AWS services answer when they are throttling or failing, not when the request is wrong. */
const UNAVAILABLE_NAMES = new Set(['ServiceUnavailable', 'ServiceUnavailableException', 'InternalServerError', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TimeoutError']);

/**
 * An AWS SDK call that failed through no fault of the request: the service's own fault or
 * throttling (after the SDK's retries), or no answer at all. A client fault (a condition that
 * failed, a key too large) is a bug of ours or the caller's and stays what it is.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string; $fault?: string; $metadata?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$metadata === undefined) return e.name === 'TimeoutError';
  // The SDK wraps a network error that is not an Error of its realm; its message keeps the code.
  const code = /\b(E[A-Z]+)\b/.exec(e.message ?? '')?.[1];
  return e.$fault === 'server' || UNAVAILABLE_NAMES.has(e.name ?? '') || (code !== undefined && NETWORK_CODES.has(code));
}
