import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OnboardingOptionsInputSchema } from '../../../shared/domain/onboarding';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseOptionalJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { onboarding } from '../../../shared/wiring/onboarding';

/**
 * POST /v1/customers/{id}/onboarding — starts the onboarding, or resumes it from the step that
 * failed with the previous options and the given ones over them (202); running or done → 200
 * without options, 409 with. Any preflight error → 422 with every finding, nothing created.
 */
export async function main(event: APIGatewayProxyEvent) {
  const given = parseOptionalJsonBody(event, OnboardingOptionsInputSchema);
  const { timeline, started } = await onboarding.start(partnerIdOf(event), pathParam(event, 'id'), given);
  return json(started ? 202 : 200, timeline);
}

export const handler = apiHandler(main);
