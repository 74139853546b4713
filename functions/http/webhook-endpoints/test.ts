import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** POST /v1/webhook-endpoints/{endpointId}/test — queues a `webhook_endpoint.test` delivery to this endpoint now. */
export async function main(event: APIGatewayProxyEvent) {
  requireEmptyBody(event);
  return json(202, await webhookEndpoints.sendTest(partnerIdOf(event), pathParam(event, 'endpointId')));
}

export const handler = apiHandler(main);
