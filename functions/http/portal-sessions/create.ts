import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PortalSessionRequestSchema } from '../../../shared/domain/portal-session';
import { apiHandler } from '../../../shared/http/api-handler';
import { portalLinkBase } from '../../../shared/http/portal-link-base';
import { json, parseOptionalJsonBody, partnerIdOf } from '../../../shared/http/request';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/** POST /v1/portal-sessions — a single-use portal link for the partner itself (all its customers). */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const request = parseOptionalJsonBody(event, PortalSessionRequestSchema);
  return json(201, await portalSessions.createLink(partnerId, undefined, request, await portalLinkBase(event)), { 'cache-control': 'no-store' });
}

export const handler = apiHandler(main);
