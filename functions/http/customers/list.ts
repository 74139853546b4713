import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ListQuerySchema } from '../../../shared/domain/customer';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf } from '../../../shared/http/request';
import { customers } from '../../../shared/wiring/customers';

/** GET /v1/customers — the calling partner's customers, newest first, cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const { limit, cursor } = parseQuery(event, ListQuerySchema);
  return json(200, await customers.list(partnerId, limit, cursor));
}

export const handler = apiHandler(main);
