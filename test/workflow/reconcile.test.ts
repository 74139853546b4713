import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { LocalExecution } from '../../infra/local/workflow';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from './support';

/**
 * The reconciliation sweep on the local platform: the real steps, the state machine on the local
 * runner, DynamoDB Local and the Twilio sandbox, with one of Twilio's events (or a message's status
 * callbacks) dropped by a sandbox rule. The sweep runs as the catalog's schedule on the platform's
 * manual clock; nothing sleeps. The clock starts at the real time, because the records carry the
 * real time they were written at and the sweep measures their age against the schedule's time.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let clock: ManualClock;
let api: ApiClient;
let seq = 0;
const MINUTE = 60_000;
const handset = () => `+1415555${String(7300 + ++seq).padStart(4, '0')}`;

beforeAll(async () => {
  clock = manualClock(Date.now());
  platform = await startTestPlatform('reconcile', { twilio: 'sandbox', clock });
  sandbox = sandboxOf(platform);
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Reconcile partner')).apiKey);
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});
afterEach(() => {
  for (const rule of sandbox.rules()) sandbox.removeRule(rule.id);
});

const standard = { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN, numbers: { count: 1 } };

async function drive(executionName: string, until?: (e: LocalExecution) => boolean): Promise<LocalExecution> {
  for (let round = 0; round < 40; round++) {
    await platform.workflow.whenIdle();
    const execution = platform.workflow.execution(executionName)!;
    if (execution.status !== 'RUNNING' || until?.(execution)) return execution;
    await sandbox.advance(60);
    await platform.queues.drain();
  }
  throw new Error(`${executionName} did not get there`);
}

async function eventsOf(customerId: string): Promise<Array<{ type: string; data: Record<string, any> }>> {
  const all: Array<{ type: string; customerId?: string; data: Record<string, any> }> = [];
  let after: string | undefined;
  for (;;) {
    const reply = await api.get(`/v1/events?limit=100${after ? `&after=${after}` : ''}`);
    expect(reply.status).toBe(200);
    all.push(...reply.body.data);
    if (reply.body.nextCursor === null) return all.filter((e) => e.customerId === customerId);
    after = reply.body.nextCursor;
  }
}

const stepOf = async (customerId: string, step: string) => ((await api.get(`/v1/customers/${customerId}/onboarding`)).body.steps as Array<Record<string, any>>).find((s) => s.step === step)!;

/** Moves the platform's clock and runs what is due (the sweep among the schedules), then lets the workflow and the queues finish. */
async function sweepAfter(ms: number): Promise<void> {
  clock.advance(ms);
  await platform.schedules.runDue();
  await platform.workflow.whenIdle();
  await platform.queues.drain();
  await platform.workflow.whenIdle();
}

/** The sweep invoked directly, as EventBridge would at the clock's time (two at once = an overlap). */
const sweepNow = () =>
  platform.lambda.invoke('schedules-reconcile', { time: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') }) as Promise<{ checked: number; repaired: number }>;

describe('a dropped brand event', () => {
  it('leaves the brand waiting until the sweep asks Twilio, which repairs it, tells the partner once and lets onboarding continue', async () => {
    const id = await newCustomer(api, customerBody());
    const started = await api.post(`/v1/customers/${id}/onboarding`, standard);
    expect(started.status).toBe(202);
    const executionName = started.body.executionName as string;
    await drive(executionName, (e) => e.waiting?.state === 'WaitBrand');
    const brandSid = (await stepOf(id, 'brand')).sids.brandSid as string;

    // Twilio approves the brand, but its event never arrives.
    const drop = sandbox.addRule({ type: 'webhook', action: 'drop', kind: 'event-stream', bodyContains: brandSid });
    await sandbox.advance(600);
    await platform.queues.drain();
    await platform.workflow.whenIdle();
    sandbox.removeRule(drop);
    expect(sandbox.webhooks({ kind: 'event-stream' }).some((w) => w.outcome === 'dropped' && w.body.includes(brandSid))).toBe(true);
    expect(await stepOf(id, 'brand')).toMatchObject({ status: 'waiting', waitingFor: `brand:${brandSid}` });

    // Before the threshold the sweep leaves it alone (and does not ask Twilio).
    const fetches = () => sandbox.requests({ method: 'GET', path: `/v1/a2p/BrandRegistrations/${brandSid}` }).length;
    const before = fetches();
    await sweepAfter(5 * MINUTE);
    expect(fetches()).toBe(before);
    expect(platform.workflow.execution(executionName)!.waiting?.state).toBe('WaitBrand');
    expect((await eventsOf(id)).filter((e) => e.type === 'brand.updated' && e.data.status === 'succeeded')).toHaveLength(0);

    // Past it, the sweep asks Twilio and resumes the waiting onboarding: its check stores the brand.
    await sweepAfter(15 * MINUTE);
    expect(fetches()).toBeGreaterThan(before);
    expect(await stepOf(id, 'brand')).toMatchObject({ status: 'succeeded' });
    expect(platform.workflow.execution(executionName)!.waiting?.state).not.toBe('WaitBrand');

    // An overlapping pair of runs, and later runs, tell nothing more.
    await Promise.all([sweepNow(), sweepNow()]);
    await sweepAfter(20 * MINUTE);
    const brandEvents = (await eventsOf(id)).filter((e) => e.type === 'brand.updated' && e.data.status === 'succeeded');
    expect(brandEvents).toEqual([expect.objectContaining({ data: expect.objectContaining({ step: 'brand', sids: expect.objectContaining({ brandSid }) }) })]);

    // The onboarding carries on to the end with Twilio's events flowing again.
    expect((await drive(executionName)).status).toBe('SUCCEEDED');
  });
});

describe('a message whose status callbacks were dropped', () => {
  let customerId: string;
  beforeAll(async () => {
    customerId = await newCustomer(api, customerBody());
    expect((await api.post(`/v1/customers/${customerId}/onboarding`, standard)).status).toBe(202);
    expect((await runToEnd(platform, `${customerId}-a1`)).status).toBe('SUCCEEDED');
  }, 120_000);

  const send = async (to: string) => {
    const reply = await api.post(`/v1/customers/${customerId}/messages`, { to, body: 'Acme: your order shipped. Reply STOP to opt out.' });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; sid: string; status: string };
  };
  const message = async (id: string) => (await api.get(`/v1/customers/${customerId}/messages/${id}`)).body;
  const statusEvents = async (messageId: string) => (await eventsOf(customerId)).filter((e) => e.type === 'message.status.updated' && e.data.messageId === messageId);
  const fetchesOf = (sid: string) => sandbox.requests({ method: 'GET', path: new RegExp(`/Messages/${sid}\\.json$`) }).length;

  it('gets its final status from the sweep, once, even with two runs at once; a message already final is not touched', async () => {
    const lost = handset();
    const fine = handset();
    // The handset's number as it appears in the form body of its callbacks.
    sandbox.addRule({ type: 'webhook', action: 'drop', kind: 'status-callback', bodyContains: encodeURIComponent(lost) });
    const stale = await send(lost);
    const settled = await send(fine);
    for (let i = 0; i < 10; i++) await sandbox.advance(1);
    await platform.queues.drain();

    expect((await message(stale.id)).status).toBe(stale.status);
    expect((await message(settled.id)).status).toBe('delivered');
    const settledBefore = await message(settled.id);
    const settledEvents = (await statusEvents(settled.id)).length;

    // Two sweeps at once, past the threshold: one repairs it, the other finds it claimed.
    clock.advance(20 * MINUTE);
    await Promise.all([sweepNow(), sweepNow()]);
    await platform.queues.drain();
    expect(await message(stale.id)).toMatchObject({ status: 'delivered' });
    expect((await statusEvents(stale.id)).map((e) => e.data.status)).toEqual(['delivered']);
    expect(fetchesOf(stale.sid)).toBe(1);

    // Later runs find nothing to do: the repaired message left the index with its final status.
    await sweepAfter(20 * MINUTE);
    expect((await statusEvents(stale.id)).map((e) => e.data.status)).toEqual(['delivered']);
    expect(fetchesOf(stale.sid)).toBe(1);

    // The message that was final all along was never looked up at Twilio nor changed.
    expect(fetchesOf(settled.sid)).toBe(0);
    expect(await message(settled.id)).toEqual(settledBefore);
    expect(await statusEvents(settled.id)).toHaveLength(settledEvents);
  });

  it('a message still without a final status at Twilio is checked again later, not told twice', async () => {
    const to = handset();
    const stalled = await api.post(`/v1/customers/${customerId}/messages`, { to, body: 'Acme: your order shipped [stall:message]. Reply STOP to opt out.' });
    expect(stalled.status).toBe(201);
    sandbox.addRule({ type: 'webhook', action: 'drop', kind: 'status-callback', bodyContains: encodeURIComponent(to) });
    for (let i = 0; i < 10; i++) await sandbox.advance(1);
    await platform.queues.drain();

    await sweepAfter(20 * MINUTE);
    // Twilio says sent: that much is repaired; the message stays in the index for its final status.
    expect((await message(stalled.body.id)).status).toBe('sent');
    expect((await statusEvents(stalled.body.id)).map((e) => e.data.status)).toEqual(['sent']);
    // Looked at again a threshold after that repair, not before.
    await sweepAfter(5 * MINUTE);
    expect(fetchesOf(stalled.body.sid)).toBe(1);
    await sweepAfter(20 * MINUTE);
    expect(fetchesOf(stalled.body.sid)).toBe(2);
    expect((await statusEvents(stalled.body.id)).map((e) => e.data.status)).toEqual(['sent']);
  });
});
