import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** GET /v1/webhook-endpoints/{endpointId} — one endpoint with its health; never its secret. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await webhookEndpoints.get(partnerIdOf(event), pathParam(event, 'endpointId')));
}

export const handler = apiHandler(main);
