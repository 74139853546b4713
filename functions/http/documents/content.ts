import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam } from '../../../shared/http/request';
import { documentReads } from '../../../shared/wiring/document-reads';

/** A file name safe in a quoted header value; the full name goes in `filename*` (RFC 6266 / 5987). */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * GET /v1/customers/{id}/documents/{documentId}/content — the bytes, as an attachment with the
 * type sniffed at upload and `nosniff`, so a browser never renders an upload in our origin.
 */
export async function main(event: APIGatewayProxyEvent) {
  const { record, bytes } = await documentReads().content(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'documentId'));
  return {
    statusCode: 200,
    headers: {
      'content-type': record.contentType,
      'content-disposition': contentDisposition(record.fileName),
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
}

export const handler = apiHandler(main);
