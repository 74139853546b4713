import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { customers } from '../../../shared/wiring/customers';

/** GET /v1/customers/{id} — one customer of the calling partner; a foreign id is a 404. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await customers.get(partnerIdOf(event), pathParam(event, 'id')));
}

export const handler = apiHandler(main);
