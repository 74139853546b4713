import { apiRoutes } from '../../../infra/catalog';
import { apiHandler } from '../../../shared/http/api-handler';
import { buildOpenApiDocument } from '../../../shared/http/openapi';
import { json } from '../../../shared/http/request';

/** GET /openapi.json — built once per cold start from the catalog's routes and the zod schemas. */
const document = buildOpenApiDocument(apiRoutes());

export async function main() {
  return json(200, document, { 'cache-control': 'public, max-age=300' });
}

export const handler = apiHandler(main);
