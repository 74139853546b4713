import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/onboarding';

/** GET /v1/customers/{id}/campaigns — the customer's campaign (one per messaging service) and its vetting state. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, { data: await registrations().listCampaigns(partnerIdOf(event), pathParam(event, 'id')) });
}

export const handler = apiHandler(main);
