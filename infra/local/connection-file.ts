import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where a running local platform tells the operator CLI how to reach its DynamoDB (see infra/cli/target.ts). */
export const CONNECTION_FILE = 'platform.json';

export interface LocalConnection {
  dynamoEndpoint: string;
  tableName: string;
  region: string;
  /**
   * What commands that act as a customer on Twilio (token rotation) need besides the table: the
   * local key service's master key (the one the platform encrypts tokens with) and where Twilio is
   * (the sandbox; absent for real Twilio). The file is readable by its owner only.
   */
  localMasterKey?: string;
  twilioBaseUrl?: string;
}

/** Written when the platform is up, removed when it stops: the CLI never targets a platform that is gone. */
export function writeConnectionFile(dataDir: string, connection: LocalConnection): () => void {
  const file = join(dataDir, CONNECTION_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(connection, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return () => rmSync(file, { force: true });
}
