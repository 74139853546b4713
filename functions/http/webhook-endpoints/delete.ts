import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** DELETE /v1/webhook-endpoints/{endpointId} — nothing more is delivered to it. */
export async function main(event: APIGatewayProxyEvent) {
  await webhookEndpoints.delete(partnerIdOf(event), pathParam(event, 'endpointId'));
  return { statusCode: 204, headers: {}, body: '' };
}

export const handler = apiHandler(main);
