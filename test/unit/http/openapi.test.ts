import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRoutes } from '../../../infra/catalog';
import { ROUTE_DOCS, buildOpenApiDocument } from '../../../shared/http/openapi';

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument(apiRoutes()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>> };

  it('documents every catalog API route with its method', () => {
    for (const route of apiRoutes()) {
      expect(ROUTE_DOCS[route.id]).toBeDefined();
      expect(doc.paths[route.trigger.path]?.[route.trigger.method.toLowerCase()]?.operationId).toBe(route.id);
    }
    expect(doc.openapi).toBe('3.1.0');
  });

  it('describes request bodies as strict objects, so unknown fields are visibly not accepted', () => {
    const body = doc.paths['/v1/customers']!.post!.requestBody as { content: Record<string, { schema: { additionalProperties: unknown; required: string[] } }> };
    const schema = body.content['application/json']!.schema;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['legalName', 'contact', 'address']));
  });

  it('matches the committed docs/openapi.json (run `npm run openapi` after changing a schema)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8'));
    expect(committed).toEqual(doc);
  });
});
