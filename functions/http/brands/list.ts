import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PageQuerySchema } from '../../../shared/domain/page';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** GET /v1/customers/{id}/brands — the customer's brand (at most one) with its registration state, as a page. */
export async function main(event: APIGatewayProxyEvent) {
  const query = parseQuery(event, PageQuerySchema);
  return json(200, await registrations().listBrands(partnerIdOf(event), pathParam(event, 'id'), query));
}

export const handler = apiHandler(main);
