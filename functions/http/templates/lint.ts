import type { APIGatewayProxyEvent } from 'aws-lambda';
import { TemplateCreateSchema } from '../../../shared/domain/template';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { templateReads } from '../../../shared/wiring/template-reads';

/** POST /v1/customers/{id}/templates/lint — the create's checks alone: the findings, nothing created. */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const input = parseJsonBody(event, TemplateCreateSchema);
  return json(200, await templateReads.lint(partnerIdOf(event), customerId, input));
}

export const handler = apiHandler(main);
