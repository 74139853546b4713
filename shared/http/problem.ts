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
  return problemResponse({
    type: PROBLEM_TYPE_BASE + 'internal-error',
    title: 'Internal error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged; retry later or contact support with the request id.',
    instance,
  });
}
