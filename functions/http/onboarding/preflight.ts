import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OnboardingOptionsInputSchema } from '../../../shared/domain/onboarding';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseOptionalJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { onboarding } from '../../../shared/wiring/onboarding';

/**
 * POST /v1/customers/{id}/onboarding/preflight — every check the start runs, on the options it
 * would use, with warnings too; creates nothing and costs nothing (200 whatever it finds).
 */
export async function main(event: APIGatewayProxyEvent) {
  const given = parseOptionalJsonBody(event, OnboardingOptionsInputSchema);
  return json(200, await onboarding.preflight(partnerIdOf(event), pathParam(event, 'id'), given));
}

export const handler = apiHandler(main);
