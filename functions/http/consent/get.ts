import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseContact } from '../../../shared/domain/consent';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { consent } from '../../../shared/wiring/consent';

/** GET /v1/customers/{id}/contacts/{phone}/consent — the state per channel and the whole ledger; a contact never seen is `unknown`. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const contact = parseContact(pathParam(event, 'phone'));
  return json(200, await consent.get(partnerId, pathParam(event, 'id'), contact));
}

export const handler = apiHandler(main);
