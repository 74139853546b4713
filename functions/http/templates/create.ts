import type { APIGatewayProxyEvent } from 'aws-lambda';
import { TemplateCreateSchema } from '../../../shared/domain/template';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { templates } from '../../../shared/wiring/templates';

/**
 * POST /v1/customers/{id}/templates — lints the template (422 with every error), creates it in the
 * customer's subaccount and submits it for WhatsApp approval. The same request again resumes or
 * returns the same template: it never creates a second Content resource.
 */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const input = parseJsonBody(event, TemplateCreateSchema);
  const template = await templates().create(partnerIdOf(event), customerId, input);
  return json(201, template, { location: `/v1/customers/${customerId}/templates/${template.id}` });
}

export const handler = apiHandler(main);
