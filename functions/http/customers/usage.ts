import type { APIGatewayProxyEvent } from 'aws-lambda';
import { UsageQuerySchema } from '../../../shared/domain/usage';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { usage } from '../../../shared/wiring/usage';

/**
 * GET /v1/customers/{id}/usage?month=YYYY-MM — the customer's usage in a calendar month (UTC):
 * our own message counts and numbers beside Twilio's usage records of its subaccount.
 */
export async function main(event: APIGatewayProxyEvent) {
  const { month } = parseQuery(event, UsageQuerySchema);
  return json(200, await usage.monthly(partnerIdOf(event), pathParam(event, 'id'), month));
}

export const handler = apiHandler(main);
