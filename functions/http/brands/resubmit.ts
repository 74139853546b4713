import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** POST /v1/customers/{id}/brands/{brandId}/resubmit — after fixing the customer, the same brand is reviewed again. */
export async function main(event: APIGatewayProxyEvent) {
  requireEmptyBody(event);
  return json(202, await registrations().resubmitBrand(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'brandId')));
}

export const handler = apiHandler(main);
