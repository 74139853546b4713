import type { APIGatewayProxyEvent } from 'aws-lambda';
import { clearedCookies, headerValues, presentedSessionSecret } from '../../../shared/domain/portal-session';
import { apiHandler } from '../../../shared/http/api-handler';
import { cameOverHttps } from '../../../shared/http/public-base';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/** POST /portal/logout — ends the cookie's session (if it still works) and clears both cookies. */
export async function main(event: APIGatewayProxyEvent) {
  await portalSessions.logout(presentedSessionSecret(headerValues(event, 'cookie')));
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, multiValueHeaders: { 'set-cookie': clearedCookies(cameOverHttps(event)) }, body: '' };
}

export const handler = apiHandler(main);
