import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MessageListQuerySchema } from '../../../shared/domain/message';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { messageReads } from '../../../shared/wiring/message-reads';

/** GET /v1/customers/{id}/messages — the customer's messages, newest first, filtered and cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  const query = parseQuery(event, MessageListQuerySchema);
  return json(200, await messageReads.list(partnerIdOf(event), pathParam(event, 'id'), query));
}

export const handler = apiHandler(main);
