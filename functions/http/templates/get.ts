import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { templateReads } from '../../../shared/wiring/template-reads';

/** GET /v1/customers/{id}/templates/{templateId} — one template with its approval status, rejection reason and category. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await templateReads.get(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'templateId')));
}

export const handler = apiHandler(main);
