import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { onboarding } from '../../../shared/wiring/onboarding';

/** GET /v1/customers/{id}/onboarding — the timeline: every step, its status, times, SIDs, what it waits for, errors. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await onboarding.get(partnerIdOf(event), pathParam(event, 'id')));
}

export const handler = apiHandler(main);
