import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NotFoundError } from '../../../shared/domain/errors';
import { apiHandler } from '../../../shared/http/api-handler';
import { portalSessionOf } from '../../../shared/http/portal-guard';
import { json, partnerIdOf } from '../../../shared/http/request';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/** GET /v1/portal-sessions/current — who the portal's cookie session is; an API key has no current session (404). */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const session = portalSessionOf(event);
  if (!session) throw new NotFoundError('Only a portal session has a current session');
  return json(200, await portalSessions.current(partnerId, session.sessionId), { 'cache-control': 'no-store' });
}

export const handler = apiHandler(main);
