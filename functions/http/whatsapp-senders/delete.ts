import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam } from '../../../shared/http/request';
import { whatsAppSenders } from '../../../shared/wiring/whatsapp-senders';

/** DELETE /v1/customers/{id}/whatsapp/senders/{senderId} — detaches the sender from the messaging service, deletes it at Twilio, frees the number. */
export async function main(event: APIGatewayProxyEvent) {
  await whatsAppSenders().remove(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'senderId'));
  return { statusCode: 204, headers: {}, body: '' };
}

export const handler = apiHandler(main);
