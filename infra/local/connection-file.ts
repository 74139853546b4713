import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where a running local platform tells the operator CLI how to reach its DynamoDB (see infra/cli/target.ts). */
export const CONNECTION_FILE = 'platform.json';

export interface LocalConnection {
  dynamoEndpoint: string;
  tableName: string;
  region: string;
}

/** Written when the platform is up, removed when it stops: the CLI never targets a platform that is gone. */
export function writeConnectionFile(dataDir: string, connection: LocalConnection): () => void {
  const file = join(dataDir, CONNECTION_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(connection, null, 2)}\n`);
  return () => rmSync(file, { force: true });
}
