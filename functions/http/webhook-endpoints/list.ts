import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WebhookListQuerySchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** GET /v1/webhook-endpoints — the partner's endpoints, oldest first, cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  const { limit, cursor } = parseQuery(event, WebhookListQuerySchema);
  return json(200, await webhookEndpoints.list(partnerIdOf(event), limit, cursor));
}

export const handler = apiHandler(main);
