import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type Problem } from '../../../shared/http/problem';

/**
 * Responses API Gateway produces itself, before or instead of a Lambda (its "gateway
 * responses"). The deployed API customises them to the same problem+json shape the handlers
 * use, so a partner parses one format; these are the bodies, keyed by gateway response type.
 * `detail` is fixed text: gateway responses cannot see anything the partner sent.
 */
export const GATEWAY_RESPONSES = {
  UNAUTHORIZED: { status: 401, type: 'unauthorized', title: 'Missing or invalid API key', detail: 'Send a valid API key as `Authorization: Bearer <key>`.' },
  // The authorizer's only Deny: a valid key of a suspended partner.
  ACCESS_DENIED: { status: 403, type: 'partner-suspended', title: 'Partner suspended', detail: 'The API key is valid, but its partner is suspended; contact the platform operator.' },
  REQUEST_TOO_LARGE: { status: 413, type: 'payload-too-large', title: 'Body is too large', detail: 'The request body exceeds the API Gateway limit of 10 MB.' },
  THROTTLED: { status: 429, type: 'too-many-requests', title: 'Too many requests', detail: 'The request rate of this API key exceeds its quota; retry with backoff.' },
  AUTHORIZER_FAILURE: { status: 500, type: 'internal-error', title: 'Internal error', detail: 'The request could not be authorized; retry later.' },
  BAD_GATEWAY: { status: 502, type: 'bad-gateway', title: 'Internal server error', detail: 'The endpoint failed to produce a response; retry later or contact support with the request id.' },
} as const satisfies Record<string, Omit<Problem, 'type'> & { type: string }>;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export function gatewayResponse(kind: GatewayResponseType, requestId: string, headers: Record<string, string> = {}): RawResponse {
  const { status, type, title, detail } = GATEWAY_RESPONSES[kind];
  const problem: Problem = { type: PROBLEM_TYPE_BASE + type, title, status, detail, instance: requestId };
  return {
    statusCode: status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: Buffer.from(JSON.stringify(problem)),
  };
}
