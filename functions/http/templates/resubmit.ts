import type { APIGatewayProxyEvent } from 'aws-lambda';
import { TemplateResubmitSchema } from '../../../shared/domain/template';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { templates } from '../../../shared/wiring/templates';

/**
 * POST /v1/customers/{id}/templates/{templateId}/resubmit — a rejected template's next version,
 * under a new name with the fixed content, linked to the old one; linted and submitted like a create.
 */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const input = parseJsonBody(event, TemplateResubmitSchema);
  const template = await templates().resubmit(partnerIdOf(event), customerId, pathParam(event, 'templateId'), input);
  return json(201, template, { location: `/v1/customers/${customerId}/templates/${template.id}` });
}

export const handler = apiHandler(main);
