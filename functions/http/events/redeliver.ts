import type { APIGatewayProxyEvent } from 'aws-lambda';
import { RedeliverSchema } from '../../../shared/domain/webhook-endpoint';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseOptionalJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { webhookEndpoints } from '../../../shared/wiring/webhook-endpoints';

/** POST /v1/events/{eventId}/redeliver — the event again, to `endpointId` or to every enabled endpoint that takes its type. */
export async function main(event: APIGatewayProxyEvent) {
  const { endpointId } = parseOptionalJsonBody(event, RedeliverSchema);
  return json(202, await webhookEndpoints.redeliver(partnerIdOf(event), pathParam(event, 'eventId'), endpointId));
}

export const handler = apiHandler(main);
