import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { messaging, messagingCredentials } from '../../../shared/wiring/messaging';

/** POST /v1/customers/{id}/messages/{messageId}/cancel — cancels a scheduled message; one already sent → 409. */
export async function main(event: APIGatewayProxyEvent) {
  requireEmptyBody(event);
  const partnerId = partnerIdOf(event);
  const customerId = pathParam(event, 'id');
  return json(200, await messaging().cancel(partnerId, customerId, pathParam(event, 'messageId'), messagingCredentials(partnerId, customerId)));
}

export const handler = apiHandler(main);
