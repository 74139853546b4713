import type { APIGatewayProxyEvent } from 'aws-lambda';
import { TemplateListQuerySchema } from '../../../shared/domain/template';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { templateReads } from '../../../shared/wiring/template-reads';

/** GET /v1/customers/{id}/templates — the customer's templates, newest first, by status, category and language. */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const query = parseQuery(event, TemplateListQuerySchema);
  return json(200, await templateReads.list(partnerIdOf(event), customerId, query));
}

export const handler = apiHandler(main);
