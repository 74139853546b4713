import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam } from '../../../shared/http/request';
import { templates } from '../../../shared/wiring/templates';

/** DELETE /v1/customers/{id}/templates/{templateId} — deletes the Content resource at Twilio, then the template. */
export async function main(event: APIGatewayProxyEvent) {
  await templates().delete(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'templateId'));
  return { statusCode: 204, headers: {}, body: '' };
}

export const handler = apiHandler(main);
