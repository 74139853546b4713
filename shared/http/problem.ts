import type { APIGatewayProxyResult } from 'aws-lambda';
import { AppError, MethodNotAllowedError } from '../domain/errors';

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
  return problemResponse({
    type: PROBLEM_TYPE_BASE + 'internal-error',
    title: 'Internal error',
    status: 500,
    detail: 'An unexpected error occurred. It has been logged; retry later or contact support with the request id.',
    instance,
  });
}
