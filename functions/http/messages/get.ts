import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { messageReads } from '../../../shared/wiring/message-reads';

/** GET /v1/customers/{id}/messages/{messageId} — one message with its status timeline. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await messageReads.get(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'messageId')));
}

export const handler = apiHandler(main);
