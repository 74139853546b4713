import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PageQuerySchema } from '../../../shared/domain/page';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrationReads } from '../../../shared/wiring/registration-reads';

/** GET /v1/customers/{id}/numbers — the customer's numbers and their registration state, in phone-number order, cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  const query = parseQuery(event, PageQuerySchema);
  return json(200, await registrationReads.pageNumbers(partnerIdOf(event), pathParam(event, 'id'), query));
}

export const handler = apiHandler(main);
