import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { manualClock } from '../../infra/local/clock';
import { localDynamoClient } from '../../infra/local/dynamodb';
import type { Platform, PlatformOptions } from '../../infra/local/platform';
import { localExecutionKey } from '../../infra/local/workflow-executions';
import { apiClient, customerBody, startTestPlatform } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';

/**
 * A restart of the local platform in the middle of an onboarding (a file of its own: the handlers
 * keep the configuration of the first platform of the process, so both starts share ports and table).
 */
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

let dir: string;
let platform: Platform | undefined;
let db: DynamoDBDocumentClient | undefined;
afterEach(async () => {
  await platform?.stop();
  db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

it('resumes an onboarding that was waiting for brand review when the platform stopped, and it completes', async () => {
  dir = mkdtempSync(join(tmpdir(), 'platform-resume-'));
  const options: PlatformOptions = { dataDir: dir, tableName: `it-resume-${randomUUID().slice(0, 8)}`, port: await freePort(), sandboxPort: await freePort(), twilio: 'sandbox', clock: manualClock() };
  platform = await startTestPlatform('resume', options);
  const { apiKey } = await platform.admin.createPartnerWithKey('Resume partner');
  let api = apiClient(platform.url, apiKey);
  const id = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  const name = `${id}-a1`;

  // Drive the onboarding (sandbox time moved by hand, nothing sleeps) until it is parked on the brand review.
  for (let round = 0; round < 20 && platform.workflow.execution(name)?.waiting?.state !== 'WaitBrand'; round++) {
    await platform.workflow.whenIdle();
    const execution = platform.workflow.execution(name)!;
    expect(execution.status).toBe('RUNNING');
    if (execution.waiting?.state === 'WaitBrand') break;
    await sandboxOf(platform).advance(60);
    await platform.queues.drain();
  }
  expect(platform.workflow.execution(name)!.waiting?.state).toBe('WaitBrand');
  const before = (await api.get(`/v1/customers/${id}/onboarding`)).body;
  expect(before.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`).slice(0, 4)).toEqual(['subaccount:succeeded', 'customerProfile:succeeded', 'trustProduct:succeeded', 'brand:waiting']);
  await platform.stop();

  // The stopped execution is kept as running, at the wait it had reached.
  db = DynamoDBDocumentClient.from(localDynamoClient(platform.dynamoDbEndpoint));
  const stored = async () => (await db!.send(new GetCommand({ TableName: options.tableName, Key: localExecutionKey('onboarding', name) }))).Item;
  expect(await stored()).toMatchObject({ name, status: 'RUNNING', waitingState: 'WaitBrand', input: { input: { customerId: id, attempt: 1 } } });

  platform = await startTestPlatform('resume', options);
  api = apiClient(platform.url, apiKey);
  // Started again from the first step that has not succeeded; the wait parks a new token, which the review's event takes.
  expect(platform.workflow.execution(name)).toMatchObject({ status: 'RUNNING', input: { startAt: 'brand' } });
  const execution = await runToEnd(platform, name);
  expect(execution.status).toBe('SUCCEEDED');
  const timeline = (await api.get(`/v1/customers/${id}/onboarding`)).body;
  expect({ status: timeline.status, errors: timeline.steps.flatMap((s: { errors?: unknown[] }) => s.errors ?? []) }).toEqual({ status: 'succeeded', errors: [] });
  // The steps that had succeeded were skipped, not re-run: same completion times, nothing created again.
  for (const step of before.steps.slice(0, 3)) expect(timeline.steps.find((s: { step: string }) => s.step === step.step)).toMatchObject({ status: 'succeeded', completedAt: step.completedAt });
  const posts = sandboxOf(platform).requests({ method: 'POST' }).map((r) => r.path);
  for (const created of ['/v1/CustomerProfiles', '/v1/TrustProducts', '/v1/a2p/BrandRegistrations']) expect(posts).not.toContain(created);
  expect(await stored()).toMatchObject({ status: 'SUCCEEDED' });
});
