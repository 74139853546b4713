import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DocumentUploadFieldsSchema, MAX_DOCUMENT_BYTES, MAX_UPLOAD_OVERHEAD_BYTES } from '../../../shared/domain/document';
import { apiHandler } from '../../../shared/http/api-handler';
import { parseMultipartBody } from '../../../shared/http/multipart';
import { json, partnerIdOf, pathParam } from '../../../shared/http/request';
import { documents } from '../../../shared/wiring/documents';

/**
 * POST /v1/customers/{id}/documents — multipart/form-data: `file` (PDF, PNG or JPEG, sniffed from
 * its bytes, up to 4 MB), `type`, optional `purpose` and `registration`. Stored, then handed to
 * Twilio where the registration takes documents; 201 with the document and that outcome.
 */
export async function main(event: APIGatewayProxyEvent) {
  const customerId = pathParam(event, 'id');
  const document = await documents().upload(partnerIdOf(event), customerId, () =>
    parseMultipartBody(event, { fileField: 'file', fields: DocumentUploadFieldsSchema, maxBytes: MAX_DOCUMENT_BYTES + MAX_UPLOAD_OVERHEAD_BYTES }),
  );
  return json(201, document, { location: `/v1/customers/${customerId}/documents/${document.id}` });
}

export const handler = apiHandler(main);
