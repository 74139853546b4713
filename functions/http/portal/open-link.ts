import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PortalLinkGoneError } from '../../../shared/domain/errors';
import { headerValues, sessionCookies } from '../../../shared/domain/portal-session';
import { apiHandler } from '../../../shared/http/api-handler';
import { cameOverHttps } from '../../../shared/http/public-base';
import { prefersHtml, spentLinkPage } from '../../../shared/http/spent-link-page';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/**
 * GET /portal/link/{token} — opens a single-use portal link (no API key): the session goes into
 * HttpOnly cookies and the browser is sent on to the portal. A used or expired link is 410: a page
 * saying what to do for a browser (a person clicked it), problem+json for anything else.
 */
export async function main(event: APIGatewayProxyEvent) {
  let opened;
  try {
    opened = await portalSessions.openLink(event.pathParameters?.token ?? '');
  } catch (error) {
    if (error instanceof PortalLinkGoneError && prefersHtml(headerValues(event, 'accept'))) return spentLinkPage();
    throw error;
  }
  return {
    statusCode: 303,
    headers: { location: '/portal/', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    multiValueHeaders: { 'set-cookie': sessionCookies(opened.secret, opened.csrf, opened.maxAgeSeconds, cameOverHttps(event)) },
    body: '',
  };
}

export const handler = apiHandler(main);
