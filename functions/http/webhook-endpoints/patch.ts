import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WebhookEndpointPatchSchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** PATCH /v1/webhook-endpoints/{endpointId} — URL (checked again), event types, description, enabled. */
export async function main(event: APIGatewayProxyEvent) {
  const patch = parseJsonBody(event, WebhookEndpointPatchSchema);
  return json(200, await webhookEndpoints.patch(partnerIdOf(event), pathParam(event, 'endpointId'), patch));
}

export const handler = apiHandler(main);
