import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { subaccountReads } from '../../../shared/wiring/subaccount-reads';

/** GET /v1/customers/{id}/subaccount — the subaccount without any secret. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await subaccountReads.get(partnerIdOf(event), pathParam(event, 'id')));
}

export const handler = apiHandler(main);
