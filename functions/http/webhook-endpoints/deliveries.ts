import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WebhookListQuerySchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** GET /v1/webhook-endpoints/{endpointId}/deliveries — every attempt, newest first, cursor-paged (kept 30 days). */
export async function main(event: APIGatewayProxyEvent) {
  const { limit, cursor } = parseQuery(event, WebhookListQuerySchema);
  return json(200, await webhookEndpoints.deliveries(partnerIdOf(event), pathParam(event, 'endpointId'), limit, cursor));
}

export const handler = apiHandler(main);
