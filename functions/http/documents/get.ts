import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { documentReads } from '../../../shared/wiring/document-reads';

/** GET /v1/customers/{id}/documents/{documentId} — one document's metadata and its Twilio hand-off. */
export async function main(event: APIGatewayProxyEvent) {
  return json(200, await documentReads().get(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'documentId')));
}

export const handler = apiHandler(main);
