import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PortalSessionRequestSchema } from '../../../shared/domain/portal-session';
import { apiHandler } from '../../../shared/http/api-handler';
import { portalLinkBase } from '../../../shared/http/portal-link-base';
import { json, parseOptionalJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { portalSessions } from '../../../shared/wiring/portal-sessions';

/** POST /v1/customers/{id}/portal-sessions — a single-use portal link for one of the partner's customers. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const customerId = pathParam(event, 'id');
  const request = parseOptionalJsonBody(event, PortalSessionRequestSchema);
  return json(201, await portalSessions.createLink(partnerId, customerId, request, await portalLinkBase(event)), { 'cache-control': 'no-store' });
}

export const handler = apiHandler(main);
