import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { whatsAppSenderReads } from '../../../shared/wiring/whatsapp-sender-reads';

/** GET /v1/customers/{id}/whatsapp/senders/{senderId} — one sender: status, offline reasons, quality rating, messaging limit. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await whatsAppSenderReads.get(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'senderId')));
}

export const handler = apiHandler(main);
