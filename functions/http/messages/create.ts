import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MessageCreateSchema } from '../../../shared/domain/message';
import { ValidationError } from '../../../shared/domain/errors';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, optionalHeader, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { messaging } from '../../../shared/wiring/messaging';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * POST /v1/customers/{id}/messages — sends a message for the customer (201), or 202 when Twilio's
 * answer was lost and the status callback will settle it. `Idempotency-Key` replays the first
 * result and never sends twice.
 */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const customerId = pathParam(event, 'id');
  const idempotencyKey = optionalHeader(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new ValidationError('Idempotency-Key is not valid', [{ field: 'header.Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }]);
  }
  const input = parseJsonBody(event, MessageCreateSchema);
  const result = await messaging().send(partnerId, customerId, input, idempotencyKey);
  return json(result.status, result.message, {
    location: `/v1/customers/${customerId}/messages/${result.message.id}`,
    ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
}

export const handler = apiHandler(main);
