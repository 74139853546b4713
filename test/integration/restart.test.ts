import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform, PlatformOptions } from '../../infra/local/platform';
import { validCustomer } from '../support/fixtures';
import { apiClient, startTestPlatform } from '../support/local-platform';

/** A port free right now, so the second start can listen where the first did (handlers keep their configuration). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the local platform across a restart', () => {
  let dir: string;
  let platform: Platform | undefined;
  afterEach(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps data, keys and Twilio subaccounts usable, and never reissues a subaccount SID', async () => {
    dir = mkdtempSync(join(tmpdir(), 'platform-restart-'));
    const options: PlatformOptions = { dataDir: dir, tableName: `it-restart-${randomUUID().slice(0, 8)}`, port: await freePort(), sandboxPort: await freePort(), twilio: 'sandbox' };

    platform = await startTestPlatform('restart', options);
    const { apiKey } = await platform.admin.createPartnerWithKey('Restart partner');
    let api = apiClient(platform.url, apiKey);
    const customer = (await api.post('/v1/customers', validCustomer())).body.id as string;
    const subaccount = await api.post(`/v1/customers/${customer}/subaccount`, undefined);
    expect(subaccount.status).toBe(201);
    await platform.stop();

    platform = await startTestPlatform('restart', options);
    api = apiClient(platform.url, apiKey);
    expect((await api.get(`/v1/customers/${customer}/subaccount`)).body).toEqual(subaccount.body);
    // A call made with the subaccount's own credentials (decrypted with the kept master key) works.
    const brands = await api.get(`/v1/customers/${customer}/brands`);
    expect(brands.status).toBe(200);
    const second = (await api.post('/v1/customers', validCustomer({ displayName: 'Second' }))).body.id as string;
    const next = await api.post(`/v1/customers/${second}/subaccount`, undefined);
    expect(next.status).toBe(201);
    expect(next.body.accountSid).not.toBe(subaccount.body.accountSid);
  });

  it('refuses a second platform on the same data directory while the first runs, leaves the first working, and takes over the lock of one that died', async () => {
    dir = mkdtempSync(join(tmpdir(), 'platform-second-'));
    const options: PlatformOptions = { dataDir: dir, tableName: `it-second-${randomUUID().slice(0, 8)}`, port: await freePort(), sandboxPort: await freePort(), twilio: 'sandbox' };
    platform = await startTestPlatform('second', options);
    const { apiKey } = await platform.admin.createPartnerWithKey('First');

    const second = startTestPlatform('second', { ...options, port: await freePort(), sandboxPort: await freePort() });
    await expect(second).rejects.toThrow(new RegExp(`^Switchboard is already running on ${dir} \\(process ${process.pid}, started .+\\)\\. Stop it first`));
    expect((await apiClient(platform.url, apiKey).get('/v1/customers')).status).toBe(200);
    await platform.stop();
    platform = undefined;

    // A lock whose process is gone (a hard kill) does not keep the next start out.
    writeFileSync(join(dir, 'platform.lock'), JSON.stringify({ pid: 2147483646, startedAt: '2026-01-01T00:00:00.000Z' }));
    platform = await startTestPlatform('second', options);
    expect((await apiClient(platform.url, apiKey).get('/v1/customers')).status).toBe(200);
  });
});
