import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MessageCreateSchema } from '../../../shared/domain/message';
import { apiHandler } from '../../../shared/http/api-handler';
import { idempotencyKeyOf } from '../../../shared/http/idempotency';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { messaging } from '../../../shared/wiring/messaging';

/**
 * POST /v1/customers/{id}/messages — sends a message for the customer (201), or 202 when Twilio's
 * answer was lost and the status callback will settle it. `Idempotency-Key` replays the first
 * result and never sends twice.
 */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const customerId = pathParam(event, 'id');
  const idempotencyKey = idempotencyKeyOf(event);
  const input = parseJsonBody(event, MessageCreateSchema);
  const result = await messaging().send(partnerId, customerId, input, idempotencyKey);
  return json(result.status, result.message, {
    location: `/v1/customers/${customerId}/messages/${result.message.id}`,
    ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
}

export const handler = apiHandler(main);
