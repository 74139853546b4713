import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from '../../shared/http/problem';

interface ProblemResponse {
  readonly type: apigw.ResponseType;
  readonly status: number;
  /** Problem type slug; the same slugs the handlers use where the meaning is the same. */
  readonly slug: string;
  readonly title: string;
  /** A fixed explanation, or `undefined` to pass API Gateway's own message through. */
  readonly detail?: string;
  readonly headers?: Record<string, string>;
}

/**
 * Every response API Gateway produces on its own, in the handlers' `application/problem+json` shape
 * (RFC 9457: type, title, status, detail, plus the request id as `instance`). Each type is listed
 * with its real status so the DEFAULT_4XX / DEFAULT_5XX catch-alls only meet types API Gateway adds
 * in the future; those keep a body whose `status` matches the status line.
 */
export const PROBLEM_RESPONSES: readonly ProblemResponse[] = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    status: 401,
    slug: 'unauthorized',
    title: 'Unauthorized',
    detail: 'Send a valid, active API key as "Authorization: Bearer <key>".',
    headers: { 'WWW-Authenticate': 'Bearer realm="switchboard"' },
  },
  // The authorizer's only Deny: a valid key of a suspended partner.
  {
    type: apigw.ResponseType.ACCESS_DENIED,
    status: 403,
    slug: 'partner-suspended',
    title: 'Partner suspended',
    detail: 'The API key is valid, but its partner is suspended; contact the platform operator.',
  },
  {
    type: apigw.ResponseType.INVALID_API_KEY,
    status: 403,
    slug: 'forbidden',
    title: 'Forbidden',
    detail: 'This API key is not enabled for the API usage plan; contact the operator.',
  },
  { type: apigw.ResponseType.THROTTLED, status: 429, slug: 'rate-limited', title: 'Too many requests', detail: 'Request rate limit exceeded; retry with backoff.' },
  { type: apigw.ResponseType.QUOTA_EXCEEDED, status: 429, slug: 'quota-exceeded', title: 'Quota exceeded', detail: 'The request quota for this period is used up.' },
  { type: apigw.ResponseType.REQUEST_TOO_LARGE, status: 413, slug: 'payload-too-large', title: 'Payload too large', detail: 'The request is larger than API Gateway accepts.' },
  // API Gateway answers an undefined path with 403 "Missing Authentication Token"; to a partner it is a 404.
  { type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, slug: 'not-found', title: 'Not found', detail: 'No such route.' },
  { type: apigw.ResponseType.RESOURCE_NOT_FOUND, status: 404, slug: 'not-found', title: 'Not found', detail: 'No such route.' },
  { type: apigw.ResponseType.BAD_REQUEST_BODY, status: 400, slug: 'validation-error', title: 'Invalid request' },
  { type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, status: 400, slug: 'validation-error', title: 'Invalid request' },
  { type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  { type: apigw.ResponseType.EXPIRED_TOKEN, status: 403, slug: 'forbidden', title: 'Forbidden' },
  { type: apigw.ResponseType.INVALID_SIGNATURE, status: 403, slug: 'forbidden', title: 'Forbidden' },
  { type: apigw.ResponseType.WAF_FILTERED, status: 403, slug: 'forbidden', title: 'Forbidden', detail: 'The request was blocked by the firewall.' },
  { type: apigw.ResponseType.DEFAULT_4XX, status: 400, slug: 'bad-request', title: 'Bad request' },
  {
    type: apigw.ResponseType.AUTHORIZER_FAILURE,
    status: 500,
    slug: 'internal-error',
    title: 'Internal error',
    detail: 'The API key could not be checked; retry later.',
  },
  {
    type: apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    status: 500,
    slug: 'internal-error',
    title: 'Internal error',
    detail: 'The API key could not be checked; retry later.',
  },
  { type: apigw.ResponseType.API_CONFIGURATION_ERROR, status: 500, slug: 'internal-error', title: 'Internal error', detail: 'An unexpected error occurred; retry later.' },
  { type: apigw.ResponseType.INTEGRATION_FAILURE, status: 502, slug: 'upstream-error', title: 'Bad gateway', detail: 'The operation failed to run; retry later.' },
  { type: apigw.ResponseType.INTEGRATION_TIMEOUT, status: 504, slug: 'timeout', title: 'Gateway timeout', detail: 'The operation took too long; retry later.' },
  { type: apigw.ResponseType.DEFAULT_5XX, status: 500, slug: 'internal-error', title: 'Internal error', detail: 'An unexpected error occurred; retry later.' },
];

/** A static header value for a gateway response mapping is a single-quoted string. */
const staticValue = (value: string) => `'${value}'`;

/**
 * The body template. `$context.error.messageString` is API Gateway's own message, already a quoted,
 * escaped JSON string; fixed details are JSON-encoded here.
 */
export function problemTemplate(problem: ProblemResponse): string {
  const detail = problem.detail === undefined ? '$context.error.messageString' : JSON.stringify(problem.detail);
  return (
    `{"type":${JSON.stringify(PROBLEM_TYPE_BASE + problem.slug)},"title":${JSON.stringify(problem.title)},` +
    `"status":${problem.status},"detail":${detail},"instance":"$context.requestId"}`
  );
}

export interface ProblemResponsesProps {
  readonly api: apigw.IRestApi;
}

/** Installs {@link PROBLEM_RESPONSES} on a REST API. */
export class ProblemResponses extends Construct {
  constructor(scope: Construct, id: string, props: ProblemResponsesProps) {
    super(scope, id);
    for (const problem of PROBLEM_RESPONSES) {
      new apigw.GatewayResponse(this, problem.type.responseType, {
        restApi: props.api,
        type: problem.type,
        statusCode: String(problem.status),
        responseHeaders: {
          'Content-Type': staticValue(PROBLEM_CONTENT_TYPE),
          'Cache-Control': staticValue('no-store'),
          ...Object.fromEntries(Object.entries(problem.headers ?? {}).map(([name, value]) => [name, staticValue(value)])),
        },
        templates: { 'application/json': problemTemplate(problem) },
      });
    }
  }
}
