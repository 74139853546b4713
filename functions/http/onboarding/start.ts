import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OnboardingOptionsSchema } from '../../../shared/domain/onboarding';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { onboarding } from '../../../shared/wiring/onboarding-api';

/** POST /v1/customers/{id}/onboarding — starts the onboarding, or resumes it from the step that failed (202); done or running → 200. */
export async function main(event: APIGatewayProxyEvent) {
  const options = parseJsonBody(event, OnboardingOptionsSchema);
  const { timeline, started } = await onboarding.start(partnerIdOf(event), pathParam(event, 'id'), options);
  return json(started ? 202 : 200, timeline);
}

export const handler = apiHandler(main);
