import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ListQuerySchema } from '../../../shared/domain/customer';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf } from '../../../shared/http/request';
import { customers } from '../../../shared/wiring/customers';

/** GET /v1/customers — the calling partner's customers, newest first, cursor-paged (`include=onboarding`: with where each one's onboarding stands). */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  return json(200, await customers.list(partnerId, parseQuery(event, ListQuerySchema)));
}

export const handler = apiHandler(main);
