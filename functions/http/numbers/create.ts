import type { APIGatewayProxyEvent } from 'aws-lambda';
import { NumberOptionsSchema } from '../../../shared/domain/onboarding';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** POST /v1/customers/{id}/numbers — buys numbers until the customer holds `count`; attached once the campaign is verified. */
export async function main(event: APIGatewayProxyEvent) {
  const numbers = await registrations().addNumbers(partnerIdOf(event), pathParam(event, 'id'), parseJsonBody(event, NumberOptionsSchema));
  return json(200, { data: numbers });
}

export const handler = apiHandler(main);
