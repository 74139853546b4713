import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CustomerPatchSchema } from '../../../shared/domain/customer';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { customers } from '../../../shared/wiring/customers';

/** PATCH /v1/customers/{id} — changes mutable fields; top-level fields given are replaced whole. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const customerId = pathParam(event, 'id');
  const patch = parseJsonBody(event, CustomerPatchSchema);
  return json(200, await customers.patch(partnerId, customerId, patch));
}

export const handler = apiHandler(main);
