import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { customerErasureService } from '../../../shared/wiring/customer-erasure';

/**
 * DELETE /v1/customers/{id} — erases a closed customer's personal data, keeping its contacts'
 * consent ledger: 204 when done, 202 (call again) when a large customer needs more than one call.
 */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const outcome = await customerErasureService.erase(partnerIdOf(event), customerId);
  if (outcome.status === 'deleted') return { statusCode: 204, headers: {}, body: '' };
  return json(202, { id: customerId, status: 'erasing' }, { 'retry-after': '1' });
}

export const handler = apiHandler(main);
