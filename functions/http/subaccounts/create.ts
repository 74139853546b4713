import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { subaccounts } from '../../../shared/wiring/subaccounts';

/** POST /v1/customers/{id}/subaccount — creates the customer's Twilio subaccount; repeat calls return it (200). */
export async function main(event: APIGatewayProxyEvent) {
  requireEmptyBody(event);
  const { subaccount, created } = await subaccounts.create(partnerIdOf(event), pathParam(event, 'id'));
  return json(created ? 201 : 200, subaccount);
}

export const handler = apiHandler(main);
