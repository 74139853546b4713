import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf } from '../../../shared/http/request';
import { partnerStatus } from '../../../shared/wiring/partner-status';

/**
 * GET /v1/status — the partner's operational status: onboardings in flight and failed, queue and
 * DLQ depths, refused Twilio webhooks of its customers. Partner-wide, so a customer-scope portal
 * session gets 404 here (the portal guard confines it to its own customer's routes).
 */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await partnerStatus.get(partnerIdOf(event)));
}

export const handler = apiHandler(main);
