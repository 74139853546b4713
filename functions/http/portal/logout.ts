import type { APIGatewayProxyEvent } from 'aws-lambda';
import { clearedCookies, headerValues, presentedSessionSecret } from '../../../shared/domain/portal-session';
import { apiHandler } from '../../../shared/http/api-handler';
import { requireCsrfToken } from '../../../shared/http/portal-guard';
import { cameOverHttps } from '../../../shared/http/public-base';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/**
 * POST /portal/logout — ends the cookie's session (if it still works) and clears both cookies.
 * It has no authorizer, so it checks the CSRF token itself: another site's form could otherwise
 * sign the user out. Without a session cookie there is nothing to end and nothing is cleared.
 */
export async function main(event: APIGatewayProxyEvent) {
  const secret = presentedSessionSecret(headerValues(event, 'cookie'));
  if (secret === undefined) return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
  requireCsrfToken(event);
  await portalSessions.logout(secret);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, multiValueHeaders: { 'set-cookie': clearedCookies(cameOverHttps(event)) }, body: '' };
}

export const handler = apiHandler(main);
