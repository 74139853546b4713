import type { APIGatewayProxyEvent } from 'aws-lambda';
import { CampaignOptionsSchema } from '../../../shared/domain/onboarding';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** POST /v1/customers/{id}/campaigns — validates the content, then submits the campaign (a failed one is replaced). */
export async function main(event: APIGatewayProxyEvent) {
  const campaign = await registrations().registerCampaign(partnerIdOf(event), pathParam(event, 'id'), parseJsonBody(event, CampaignOptionsSchema));
  return json(202, campaign);
}

export const handler = apiHandler(main);
