import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPlatformSchema } from '../../../infra/cli/target';
import { CONNECTION_FILE, writeConnectionFile } from '../../../infra/local/connection-file';

describe('local platform connection file', () => {
  it('is written in the shape the operator CLI reads, and removed on stop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-conn-'));
    try {
      const remove = writeConnectionFile(dir, { dynamoEndpoint: 'http://127.0.0.1:8000', tableName: 'switchboard', region: 'us-east-1' });
      const written = JSON.parse(readFileSync(join(dir, CONNECTION_FILE), 'utf8'));
      expect(LocalPlatformSchema.parse(written)).toEqual({ dynamoEndpoint: 'http://127.0.0.1:8000', tableName: 'switchboard', region: 'us-east-1' });
      remove();
      expect(existsSync(join(dir, CONNECTION_FILE))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
