import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { subaccounts } from '../../../shared/wiring/subaccounts';

/** GET /v1/customers/{id}/subaccount — the subaccount without any secret. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await subaccounts.get(partnerIdOf(event), pathParam(event, 'id')));
}

export const handler = apiHandler(main);
