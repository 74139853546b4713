import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { embeddedSignup } from '../../../shared/wiring/whatsapp-sender-reads';

/** GET /v1/customers/{id}/whatsapp/embedded-signup — how the front end runs Embedded Signup to get the customer's WABA id. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await embeddedSignup.forCustomer(partnerIdOf(event), pathParam(event, 'id')));
}

export const handler = apiHandler(main);
