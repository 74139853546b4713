import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PageQuerySchema } from '../../../shared/domain/page';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** GET /v1/customers/{id}/campaigns — the customer's campaign (one per messaging service) and its vetting state, as a page. */
export async function main(event: APIGatewayProxyEvent) {
  const query = parseQuery(event, PageQuerySchema);
  return json(200, await registrations().listCampaigns(partnerIdOf(event), pathParam(event, 'id'), query));
}

export const handler = apiHandler(main);
