import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RotateSecretSchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseOptionalJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** POST /v1/webhook-endpoints/{endpointId}/rotate-secret — the new secret, once; the old one signs too until the overlap ends. */
export async function main(event: APIGatewayProxyEvent) {
  const { overlapSeconds } = parseOptionalJsonBody(event, RotateSecretSchema);
  return json(200, await webhookEndpoints.rotateSecret(partnerIdOf(event), pathParam(event, 'endpointId'), overlapSeconds), { 'cache-control': 'no-store' });
}

export const handler = apiHandler(main);
