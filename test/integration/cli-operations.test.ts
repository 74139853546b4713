import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../infra/cli/cli';
import { connectOperations, targetSources } from '../../infra/cli/connect';
import { manualClock } from '../../infra/local/clock';
import { CONNECTION_FILE, writeConnectionFile } from '../../infra/local/connection-file';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { noOperations, recordingOutput } from '../unit/cli/fakes';
import { CAMPAIGN, newCustomer, runToEnd } from '../workflow/support';

/**
 * The operator CLI's dlq, onboarding and events commands against a running local platform, the
 * way `npx switchboard` reaches `npm start`: through `.local/platform.json` (written here by the
 * platform's own writer) and the loopback operator endpoint it names. Clocks are manual and the
 * platform is settled by hand, so nothing waits.
 */
let platform: Platform;
let api: ApiClient;
let partnerId: string;
let otherPartnerId: string;
let dir: string;
let platformFile: string;
let server: Server;
let base: string;
const received: Array<{ path: string; eventId: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', eventId: String(req.headers['webhook-id']) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  platform = await startTestPlatform('cli-operations', {
    twilio: 'sandbox',
    clock: manualClock(),
    operatorEndpoint: true,
    env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true', PARTNER_WEBHOOKS_ENDPOINT_CACHE_MS: '0' },
  });
  dir = mkdtempSync(join(tmpdir(), 'cli-operations-'));
  writeConnectionFile(dir, { dynamoEndpoint: platform.dynamoDbEndpoint, tableName: platform.tableName, region: 'us-east-1', operator: platform.operator });
  platformFile = join(dir, CONNECTION_FILE);
  const partner = await platform.admin.createPartnerWithKey('Operations partner');
  partnerId = partner.partnerId;
  api = apiClient(platform.url, partner.apiKey);
  otherPartnerId = (await platform.admin.createPartnerWithKey('Another partner')).partnerId;
}, 120_000);
afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `switchboard <line>` against the test platform, through its connection file. */
async function cli(line: string) {
  const output = recordingOutput();
  const exitCode = await runCli(line.split(' ').filter(Boolean), {
    out: output.out,
    connect: noOperations,
    connectOperations: (flags) => connectOperations(flags, targetSources(platformFile)),
  });
  return { exitCode, result: output.results[0], error: output.errors[0] };
}

async function register(path: string): Promise<string> {
  const reply = await api.post('/v1/webhook-endpoints', { url: `${base}${path}`, eventTypes: ['*'] });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

/** A customer whose subaccount is suspended and reactivated: the log gains two events. */
async function customerWithEvents(): Promise<string> {
  const id = await newCustomer(api, customerBody());
  for (const path of ['', '/suspend', '/reactivate']) expect((await api.post(`/v1/customers/${id}/subaccount${path}`, undefined)).status).toBeLessThan(300);
  return id;
}

async function allEvents(): Promise<Array<{ id: string; occurredAt: string }>> {
  const events: Array<{ id: string; occurredAt: string }> = [];
  let after: string | undefined;
  do {
    const page = (await api.get(`/v1/events?limit=100${after ? `&after=${after}` : ''}`)).body;
    events.push(...page.data);
    after = page.nextCursor ?? undefined;
  } while (after);
  return events;
}

/** Receivers deduplicate on `webhook-id`, the event's id: what each delivery to `path` carried. */
const eventIdsAt = (path: string) => received.filter((r) => r.path === path).map((r) => r.eventId);

it('keeps the operator token in a file only its owner can read', () => {
  expect(statSync(platformFile).mode & 0o777).toBe(0o600);
});

it('refuses a request to the operator endpoint without its token or with another, and serves it on loopback only, apart from the API', async () => {
  for (const headers of [{}, { authorization: `Bearer ${platform.operator!.token.slice(1)}x` }] as Array<Record<string, string>>) {
    const reply = await fetch(`${platform.operator!.url}/dead-letters`, { headers });
    expect(reply.status).toBe(401);
    expect(await reply.json()).toEqual({ error: 'unauthorized', detail: expect.any(String) });
  }
  expect(new URL(platform.operator!.url).hostname).toBe('127.0.0.1');
  expect(new URL(platform.operator!.url).port).not.toBe(new URL(platform.url).port);
  const onApi = await fetch(`${platform.url}/dead-letters`, { headers: { authorization: `Bearer ${platform.operator!.token}` } });
  expect(onApi.status).not.toBe(200);
});

describe('dlq', () => {
  it('a replay step that fails its consumer lands in the DLQ; list and peek show it and leave it; redrive processes it once the fault is gone', async () => {
    // Prepare: an endpoint and some events; the replay consumer fails (as in an outage of its table) until the fault is removed.
    const endpointId = await register('/dlq');
    await customerWithEvents();
    await platform.settle();
    const events = await allEvents();
    expect(events.length).toBeGreaterThan(0);
    received.length = 0;
    const invoke = platform.lambda.invoke.bind(platform.lambda);
    const fault = jest.spyOn(platform.lambda, 'invoke').mockImplementation((id, event) =>
      id === 'queues-replays' ? Promise.reject(Object.assign(new Error('Throughput exceeds the current capacity of your table'), { name: 'ProvisionedThroughputExceededException' })) : invoke(id, event),
    );

    // Act: the replay is queued, fails every receive and is dead-lettered.
    const replay = await cli(`events replay --partner ${partnerId} --endpoint ${endpointId}`);
    expect(replay.exitCode).toBe(0);
    await platform.settle();

    // Assess: list, then peek twice (a peek consumes nothing), then redrive.
    const listed = await cli('dlq list');
    expect(listed.exitCode).toBe(0);
    expect(listed.result.deadLetterQueues).toContainEqual({
      queue: 'partner-replays',
      deadLetterQueue: 'partner-replays-dlq',
      depth: 1,
      oldestMessageAgeSeconds: expect.any(Number),
      redrivesTo: 'partner-replays',
    });
    expect(listed.result.deadLetterQueues.filter((q: { depth: number }) => q.depth > 0).map((q: { queue: string }) => q.queue)).toEqual(['partner-replays']);

    for (let i = 0; i < 2; i++) {
      const peeked = await cli('dlq peek --queue partner-replays --max 5');
      expect(peeked.exitCode).toBe(0);
      expect(peeked.result).toMatchObject({ queue: 'partner-replays', depth: 1 });
      expect(peeked.result.messages).toEqual([
        expect.objectContaining({
          receiveCount: 3,
          lastFailure: 'ProvisionedThroughputExceededException: Throughput exceeds the current capacity of your table',
          attributes: expect.objectContaining({ ApproximateReceiveCount: '3' }),
        }),
      ]);
      expect(JSON.parse(peeked.result.messages[0].body)).toMatchObject({ partnerId, endpointId, replayId: replay.result.replay.replayId });
    }
    expect(platform.queues.deadLetters('partner-replays')).toHaveLength(1);
    expect(received).toEqual([]);

    fault.mockRestore();
    const redriven = await cli('dlq redrive --queue partner-replays-dlq');
    expect(redriven).toMatchObject({ exitCode: 0, result: { queue: 'partner-replays', status: 'COMPLETED', moved: 1 } });
    expect(platform.queues.deadLetters('partner-replays')).toEqual([]);
    await platform.settle();

    expect(eventIdsAt('/dlq').sort()).toEqual(events.map((e) => e.id).sort());
    expect((await cli('dlq list')).result.deadLetterQueues.every((q: { depth: number }) => q.depth === 0)).toBe(true);
  });

  it('refuses an unknown queue as a usage error, and redrive-status locally with the reason', async () => {
    const unknown = await cli('dlq peek --queue nope');
    expect(unknown).toMatchObject({ exitCode: 2, error: { error: 'usage', detail: expect.stringContaining('--queue must be one of inbound-messages,') } });

    const status = await cli('dlq redrive-status --queue partner-replays');
    expect(status).toMatchObject({ exitCode: 2, error: { error: 'usage', detail: expect.stringContaining('redrives at once') } });
  });
});

describe('onboarding retry', () => {
  it('refuses a running onboarding, retries a failed one from its failed step to completion, then refuses the completed one', async () => {
    // Prepare: a brand Twilio fails.
    const id = await newCustomer(api, customerBody({ legalName: 'Acme Widgets [fail:brand] LLC' }));
    const started = await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN, numbers: { count: 1 } });
    expect(started.status).toBe(202);

    const running = await cli(`onboarding retry --partner ${partnerId} --customer ${id}`);
    expect(running).toMatchObject({ exitCode: 1, error: { error: 'conflict', detail: expect.stringContaining('is running (attempt 1)') } });

    expect((await runToEnd(platform, `${id}-a1`)).status).toBe('FAILED');
    expect((await api.get(`/v1/customers/${id}/onboarding`)).body).toMatchObject({ status: 'failed', failedStep: 'brand' });
    expect((await api.patch(`/v1/customers/${id}`, { legalName: 'Acme Widgets LLC' })).status).toBe(200);

    // Act
    const retried = await cli(`onboarding retry --partner ${partnerId} --customer ${id}`);

    // Assess
    expect(retried.exitCode).toBe(0);
    expect(retried.result).toMatchObject({ retried: true, resumedFrom: 'brand', previousAttempt: 1, onboarding: { attempt: 2, status: 'running', executionName: `${id}-a2` } });
    const execution = await runToEnd(platform, `${id}-a2`);
    expect(execution.status).toBe('SUCCEEDED');
    // Resumed at the brand: the steps that had succeeded did not run again.
    expect(execution.history.some((h) => h.state?.name === 'RunSubaccount')).toBe(false);
    expect((await api.get(`/v1/customers/${id}/onboarding`)).body).toMatchObject({ status: 'succeeded', attempt: 2 });

    const done = await cli(`onboarding retry --partner ${partnerId} --customer ${id}`);
    expect(done).toMatchObject({ exitCode: 1, error: { error: 'conflict', detail: expect.stringContaining('has completed') } });
  });

  it("answers not-found for another partner's customer", async () => {
    const id = await newCustomer(api, customerBody());
    const foreign = await cli(`onboarding retry --partner ${otherPartnerId} --customer ${id}`);
    expect(foreign).toMatchObject({ exitCode: 1, error: { error: 'not-found' } });
  });
});

describe('events replay', () => {
  it('redelivers the whole log, or the events since a time, to one endpoint', async () => {
    const endpointId = await register('/replay');
    await customerWithEvents();
    await platform.settle();
    const events = await allEvents();
    received.length = 0;

    const whole = await cli(`events replay --partner ${partnerId} --endpoint ${endpointId}`);
    expect(whole).toMatchObject({ exitCode: 0, result: { partnerId, endpointId, from: 'start', replay: { replayId: expect.stringMatching(/^rpl_/) } } });
    await platform.settle();
    expect(eventIdsAt('/replay').sort()).toEqual(events.map((e) => e.id).sort());

    received.length = 0;
    const since = events.at(-2)!.occurredAt;
    const recent = await cli(`events replay --partner ${partnerId} --endpoint ${endpointId} --since ${since}`);
    expect(recent).toMatchObject({ exitCode: 0, result: { from: { since } } });
    await platform.settle();
    expect(eventIdsAt('/replay').sort()).toEqual(events.filter((e) => e.occurredAt >= since).map((e) => e.id).sort());

    const later = await cli(`events replay --partner ${partnerId} --endpoint ${endpointId} --since 2999-01-01T00:00:00Z`);
    expect(later).toMatchObject({ exitCode: 0, result: { replay: null, detail: expect.stringContaining('nothing to replay') } });
  });

  it("answers not-found for another partner's endpoint and a usage error for a cursor that is not one", async () => {
    const endpointId = await register('/foreign');
    const foreign = await cli(`events replay --partner ${otherPartnerId} --endpoint ${endpointId}`);
    expect(foreign).toMatchObject({ exitCode: 1, error: { error: 'not-found' } });

    const badCursor = await cli(`events replay --partner ${partnerId} --endpoint ${endpointId} --after notacursor`);
    expect(badCursor).toMatchObject({ exitCode: 2, error: { error: 'usage', detail: expect.stringContaining('--after is not a cursor') } });
  });
});
