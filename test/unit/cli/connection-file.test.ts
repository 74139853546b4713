import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('carries the operator endpoint and its token, readable by its owner only, even over a file left world-readable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-conn-'));
    try {
      const file = join(dir, CONNECTION_FILE);
      writeFileSync(file, '{}');
      chmodSync(file, 0o644);
      const operator = { url: 'http://127.0.0.1:48200', token: 'a-random-operator-token' };

      writeConnectionFile(dir, { dynamoEndpoint: 'http://127.0.0.1:8000', tableName: 'switchboard', region: 'us-east-1', operator });

      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(LocalPlatformSchema.parse(JSON.parse(readFileSync(file, 'utf8')))).toMatchObject({ operator });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
