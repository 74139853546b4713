import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WhatsAppVerificationSchema } from '../../../shared/domain/whatsapp-sender';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { whatsAppSenders } from '../../../shared/wiring/whatsapp-senders';

/** POST /v1/customers/{id}/whatsapp/senders/{senderId}/verification — the code Meta sent the number. */
export async function main(event: APIGatewayProxyEvent) {
  const { code } = parseJsonBody(event, WhatsAppVerificationSchema);
  return json(200, await whatsAppSenders().verify(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'senderId'), code));
}

export const handler = apiHandler(main);
