import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WhatsAppSenderCreateSchema } from '../../../shared/domain/whatsapp-sender';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { whatsAppSenders } from '../../../shared/wiring/whatsapp-senders';

/** POST /v1/customers/{id}/whatsapp/senders — registers a number on WhatsApp under the customer's WABA (202); the same registration again returns the sender (200). */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const { sender, created } = await whatsAppSenders().register(partnerIdOf(event), customerId, parseJsonBody(event, WhatsAppSenderCreateSchema));
  return json(created ? 202 : 200, sender, { location: `/v1/customers/${customerId}/whatsapp/senders/${sender.id}` });
}

export const handler = apiHandler(main);
