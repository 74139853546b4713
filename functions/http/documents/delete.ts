import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam } from '../../../shared/http/request';
import { documentReads } from '../../../shared/wiring/document-reads';

/** DELETE /v1/customers/{id}/documents/{documentId} — the metadata, then the bytes. */
export async function main(event: APIGatewayProxyEvent) {
  await documentReads().delete(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'documentId'));
  return { statusCode: 204, headers: {}, body: '' };
}

export const handler = apiHandler(main);
