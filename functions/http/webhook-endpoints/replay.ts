import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ReplaySchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** POST /v1/webhook-endpoints/{endpointId}/replay — re-sends every event after the cursor, in log order, paced. */
export async function main(event: APIGatewayProxyEvent) {
  const { after } = parseJsonBody(event, ReplaySchema);
  return json(202, await webhookEndpoints.replay(partnerIdOf(event), pathParam(event, 'endpointId'), after));
}

export const handler = apiHandler(main);
