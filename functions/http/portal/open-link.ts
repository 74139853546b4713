import type { APIGatewayProxyEvent } from 'aws-lambda';
import { sessionCookies } from '../../../shared/domain/portal-session';
import { apiHandler } from '../../../shared/http/api-handler';
import { cameOverHttps } from '../../../shared/http/public-base';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/**
 * GET /portal/link/{token} — opens a single-use portal link (no API key): the session goes into
 * HttpOnly cookies and the browser is sent on to the portal. A used or expired link is 410.
 */
export async function main(event: APIGatewayProxyEvent) {
  const opened = await portalSessions.openLink(event.pathParameters?.token ?? '');
  return {
    statusCode: 303,
    headers: { location: '/portal/', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    multiValueHeaders: { 'set-cookie': sessionCookies(opened.secret, opened.csrf, opened.maxAgeSeconds, cameOverHttps(event)) },
    body: '',
  };
}

export const handler = apiHandler(main);
