import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DocumentListQuerySchema } from '../../../shared/domain/document';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { documentReads } from '../../../shared/wiring/document-reads';

/** GET /v1/customers/{id}/documents — the customer's documents, newest first, cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await documentReads().list(partnerIdOf(event), pathParam(event, 'id'), parseQuery(event, DocumentListQuerySchema)));
}

export const handler = apiHandler(main);
