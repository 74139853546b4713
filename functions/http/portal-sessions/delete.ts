import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/** DELETE /v1/portal-sessions/{sessionId} — revokes the partner's link and the session it opened; a foreign id is a 404. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const sessionId = pathParam(event, 'sessionId');
  requireEmptyBody(event);
  await portalSessions.revoke(partnerId, sessionId);
  return { statusCode: 204, headers: {}, body: '' };
}

export const handler = apiHandler(main);
