import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRoutes } from '../infra/catalog';
import { buildOpenApiDocument } from '../shared/http/openapi';

/** Writes docs/openapi.json; a unit test fails when the committed file is stale. */
const target = join(__dirname, '..', 'docs', 'openapi.json');
writeFileSync(target, JSON.stringify(buildOpenApiDocument(apiRoutes()), null, 2) + '\n');
console.log(`wrote ${target}`);
