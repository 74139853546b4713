import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WebhookEndpointCreateSchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/**
 * POST /v1/webhook-endpoints — registers an endpoint (URL through the SSRF guard) and returns its
 * signing secret, this once. No Idempotency-Key replay: a stored response would keep the secret
 * in the clear; a retried create makes a second endpoint, which the partner can delete.
 */
export async function main(event: APIGatewayProxyEvent) {
  const created = await webhookEndpoints.create(partnerIdOf(event), parseJsonBody(event, WebhookEndpointCreateSchema));
  return json(201, created, { location: `/v1/webhook-endpoints/${created.id}`, 'cache-control': 'no-store' });
}

export const handler = apiHandler(main);
