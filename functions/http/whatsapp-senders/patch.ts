import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WhatsAppSenderPatchSchema } from '../../../shared/domain/whatsapp-sender';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { whatsAppSenders } from '../../../shared/wiring/whatsapp-senders';

/** PATCH /v1/customers/{id}/whatsapp/senders/{senderId} — changes the business profile and/or points the webhooks at our receivers again. */
export async function main(event: APIGatewayProxyEvent) {
  const patch = parseJsonBody(event, WhatsAppSenderPatchSchema);
  return json(200, await whatsAppSenders().update(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'senderId'), patch));
}

export const handler = apiHandler(main);
