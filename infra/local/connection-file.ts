import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where a running local platform tells the operator CLI how to reach it (see infra/cli/target.ts). */
export const CONNECTION_FILE = 'platform.json';

export interface LocalConnection {
  dynamoEndpoint: string;
  tableName: string;
  region: string;
  /** The loopback operator endpoint (queues, workflow) and its token: the file is the token's only copy. */
  operator?: { url: string; token: string };
  /**
   * What commands that act as a customer on Twilio (token rotation) need besides the table: the
   * local key service's master key (the one the platform encrypts tokens with) and where Twilio is
   * (the sandbox; absent for real Twilio). The file is readable by its owner only.
   */
  localMasterKey?: string;
  twilioBaseUrl?: string;
  /** The platform's API (the public base portal links are built on). */
  apiUrl?: string;
}

/**
 * Written when the platform is up, removed when it stops: the CLI never targets a platform that is
 * gone. Readable by its owner only, because it holds the operator token.
 */
export function writeConnectionFile(dataDir: string, connection: LocalConnection): () => void {
  const file = join(dataDir, CONNECTION_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(connection, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies to a new file only; one left by a platform that was killed keeps its own.
  chmodSync(file, 0o600);
  return () => rmSync(file, { force: true });
}
