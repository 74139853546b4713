import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrationReads } from '../../../shared/wiring/registration-reads';

/** GET /v1/customers/{id}/numbers — the customer's numbers and their registration state. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, { data: await registrationReads.listNumbers(partnerIdOf(event), pathParam(event, 'id')) });
}

export const handler = apiHandler(main);
