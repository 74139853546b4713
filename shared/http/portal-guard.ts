import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ApiKeyRequiredError, CsrfTokenMismatchError, CsrfTokenMissingError, NotFoundError } from '../domain/errors';
import { CSRF_COOKIE, CSRF_HEADER, checkCsrf, headerValues, parseCookies, portalScopeDecision, type PortalScope } from '../domain/portal-session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The portal session the authorizer resolved, or undefined for an API-key request. */
export function portalSessionOf(event: APIGatewayProxyEvent): { sessionId: string; scope: PortalScope; customerId?: string } | undefined {
  const context = event.requestContext?.authorizer;
  const scope = context?.portalScope;
  if (scope !== 'customer' && scope !== 'partner') return undefined;
  const customerId = typeof context?.portalCustomerId === 'string' && context.portalCustomerId !== '' ? context.portalCustomerId : undefined;
  return { sessionId: String(context?.portalSessionId ?? ''), scope, ...(customerId !== undefined && { customerId }) };
}

/**
 * The one place that confines cookie sessions (run before every API handler): the scope rule
 * (outside its customer a customer session meets the ordinary 404), no session mints sessions,
 * and every change carries `X-CSRF-Token` equal to the `sb_csrf` cookie. API-key requests pass.
 */
export function enforcePortalSession(event: APIGatewayProxyEvent): void {
  const session = portalSessionOf(event);
  if (!session) return;
  const decision = portalScopeDecision(session, { resource: event.resource, method: event.httpMethod, pathParameters: event.pathParameters });
  // Worded as the customer routes word a missing customer, and as the route fallback an unknown path.
  if (decision === 'not-found') {
    const id = event.pathParameters?.id;
    throw new NotFoundError(id && event.resource.startsWith('/v1/customers/{id}') ? `Customer ${id} not found` : `No route ${event.path}`);
  }
  if (decision === 'api-key-required') throw new ApiKeyRequiredError('Portal sessions are created and revoked with the partner API key only');
  if (SAFE_METHODS.has(event.httpMethod)) return;
  requireCsrfToken(event);
}

/** A change made with the session cookie carries `X-CSRF-Token` equal to the `sb_csrf` cookie, which only the portal's own origin can read. */
export function requireCsrfToken(event: APIGatewayProxyEvent): void {
  const headers = headerValues(event, CSRF_HEADER);
  const check = checkCsrf(parseCookies(headerValues(event, 'cookie')).get(CSRF_COOKIE), headers.length === 1 ? headers[0] : undefined);
  if (check === 'missing') throw new CsrfTokenMissingError('Send the sb_csrf cookie value in the X-CSRF-Token header');
  if (check === 'mismatch') throw new CsrfTokenMismatchError('X-CSRF-Token does not equal the sb_csrf cookie');
}
