import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BrandOptionsSchema } from '../../../shared/domain/onboarding';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** POST /v1/customers/{id}/brands — runs subaccount → profiles → brand registration; answers the brand, usually waiting for review. */
export async function main(event: APIGatewayProxyEvent) {
  const brand = await registrations().registerBrand(partnerIdOf(event), pathParam(event, 'id'), parseJsonBody(event, BrandOptionsSchema));
  return json(202, brand);
}

export const handler = apiHandler(main);
