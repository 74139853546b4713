import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PageQuerySchema } from '../../../shared/domain/page';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { whatsAppSenderReads } from '../../../shared/wiring/whatsapp-sender-reads';

/** GET /v1/customers/{id}/whatsapp/senders — the customer's WhatsApp senders, oldest first, cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  const query = parseQuery(event, PageQuerySchema);
  return json(200, await whatsAppSenderReads.list(partnerIdOf(event), pathParam(event, 'id'), query));
}

export const handler = apiHandler(main);
