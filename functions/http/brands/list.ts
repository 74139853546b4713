import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/onboarding';

/** GET /v1/customers/{id}/brands — the customer's brand (at most one) with its registration state. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, { data: await registrations().listBrands(partnerIdOf(event), pathParam(event, 'id')) });
}

export const handler = apiHandler(main);
