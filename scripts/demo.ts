/**
 * `npm run demo`: one customer onboarded end to end, printed step by step.
 *
 * By default it starts its own throwaway platform (DynamoDB Local in memory, the Twilio sandbox,
 * free ports) and moves the sandbox's clock itself, so Twilio's reviews — days in production —
 * take a moment. With `--url <api> --key <partner key>` it drives a running platform instead
 * (`npm start`) and simply waits for its sandbox's real-time reviews. Its own platform listens on
 * `PORT` and `SANDBOX_PORT` when they are set, as `npm start` does, and on free ports otherwise so
 * it never collides with a running `npm start`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { manualClock } from '../infra/local/clock';
import { silentLog } from '../infra/local/log';
import { PROJECT_ROOT, startPlatform, type Platform } from '../infra/local/platform';
import { portFromEnv } from '../infra/local/ports';
import type { TwilioSandbox } from '../infra/local/twilio-sandbox';
import { validCustomer } from '../test/support/fixtures';

interface TimelineStep {
  step: string;
  status: string;
  startedAt?: string;
  completedAt?: string;
  sids: Record<string, string>;
  waitingFor?: string;
  checks?: number;
  errors?: Array<{ code: number | string; message: string; fields: string[] }>;
}
interface Timeline {
  status: 'running' | 'succeeded' | 'failed';
  attempt: number;
  failedStep?: string;
  steps: TimelineStep[];
}

const OPTIONS_FILE = resolve(PROJECT_ROOT, 'docs/examples/onboarding-standard.json');
/** The shared sample customer (the same one the tests use). */
const CUSTOMER = validCustomer();
/** Real-time platforms review in seconds; give up well after that. */
const REMOTE_TIMEOUT_MS = 10 * 60 * 1000;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** One API call: the status and the parsed body, whatever the status. */
function rawClient(baseUrl: string, apiKey: string) {
  return async function request<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

function client(baseUrl: string, apiKey: string) {
  const request = rawClient(baseUrl, apiKey);
  return async function call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await request<T>(method, path, body);
    if (reply.status >= 400) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
}
type Call = ReturnType<typeof client>;

/** What the messaging part of the demo needs from the world: a handset, and time passing. */
interface World {
  handsetSays(from: string, to: string, body: string): Promise<void>;
  /** Lets the sandbox walk its message lifecycles and the platform take in what it sent. */
  letTimePass(): Promise<void>;
}

function localWorld(platform: Platform): World {
  const sandbox = platform.twilioSandbox as unknown as TwilioSandbox;
  return {
    async handsetSays(from, to, body) {
      await sandbox.simulateInbound({ from, to, body });
      await platform.queues.drain();
    },
    async letTimePass() {
      for (let i = 0; i < 10; i++) await sandbox.advance(1);
      await platform.queues.drain();
    },
  };
}

/** A running platform: its sandbox's control API sends the handset's texts; time passes for real. */
function remoteWorld(sandboxUrl: string): World {
  const pause = () => new Promise<void>((wake) => setTimeout(wake, 6000));
  return {
    async handsetSays(from, to, body) {
      const response = await fetch(`${sandboxUrl}/__sandbox/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to, body }) });
      if (!response.ok) throw new Error(`The sandbox at ${sandboxUrl} answered ${response.status}; give --sandbox <url> of the platform's sandbox`);
      await pause();
    },
    letTimePass: pause,
  };
}

/** After onboarding: a message sent and delivered, a reply, STOP honoured with a 409, START re-allowing. */
async function demoMessaging(call: Call, request: ReturnType<typeof rawClient>, world: World, customerId: string): Promise<boolean> {
  const { data: numbers } = await call<{ data: Array<{ phoneNumber: string }> }>('GET', `/v1/customers/${customerId}/numbers`);
  const number = numbers[0]!.phoneNumber;
  const handset = '+14155550123';
  const path = `/v1/customers/${customerId}/messages`;
  console.log(`\nMessaging from ${number} to the handset ${handset}:`);
  const sent = await call<{ id: string; sid: string; status: string; segments: number; encoding: string }>('POST', path, { to: handset, body: 'Acme: your order has shipped. Reply STOP to opt out.' });
  console.log(`  sent     ${sent.id} (${sent.sid}) ${sent.status}, ${sent.segments} segment ${sent.encoding}`);
  await world.letTimePass();
  const delivered = await call<{ status: string; timeline: Array<{ status: string }> }>('GET', `${path}/${sent.id}`);
  console.log(`  status   ${delivered.status}: ${delivered.timeline.map((t) => t.status).join(' → ')}`);

  await world.handsetSays(handset, number, 'Thanks! Can I change the address?');
  const inbound = await call<{ data: Array<{ body: string }> }>('GET', `${path}?contact=${encodeURIComponent(handset)}&direction=inbound&limit=1`);
  console.log(`  reply    “${inbound.data[0]?.body}”`);

  await world.handsetSays(handset, number, 'STOP');
  const consent = await call<{ channels: { sms: { state: string; since?: string } } }>('GET', `/v1/customers/${customerId}/contacts/${encodeURIComponent(handset)}/consent`);
  console.log(`  STOP     contact is ${consent.channels.sms.state} since ${consent.channels.sms.since}`);
  const refused = await request<{ type: string; detail: string }>('POST', path, { to: handset, body: 'One more thing…' });
  console.log(`  send     ${refused.status} ${refused.body.type.split('/').pop()}: ${refused.body.detail}`);

  await world.handsetSays(handset, number, 'START');
  const again = await request<{ id: string; status: string }>('POST', path, { to: handset, body: 'Welcome back!' });
  console.log(`  START    send again → ${again.status} ${again.body.status}`);
  return sent.status !== undefined && delivered.status === 'delivered' && refused.status === 409 && again.status === 201;
}

/** The SIDs worth showing: bookkeeping keys (assignments) are left out. */
const shownSids = (sids: Record<string, string>) =>
  Object.entries(sids)
    .filter(([key]) => !key.startsWith('assigned:'))
    .map(([key, sid]) => `${key}=${sid}`)
    .join('  ');

const seconds = (from?: string, to?: string) => (from && to ? `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)} s` : '');

/** Prints each step once when it reaches a new status worth telling (waiting, succeeded, failed). */
function stepPrinter() {
  const told = new Map<string, string>();
  return (timeline: Timeline) => {
    for (const s of timeline.steps) {
      const key = `${s.status}:${s.waitingFor ?? ''}`;
      if (s.status === 'pending' || s.status === 'running' || told.get(s.step) === key) continue;
      told.set(s.step, key);
      const mark = s.status === 'succeeded' ? '✓' : s.status === 'failed' ? '✗' : '…';
      console.log(`  ${mark} ${s.step.padEnd(17)} ${s.status.padEnd(9)} ${s.status === 'waiting' ? `for ${s.waitingFor}` : shownSids(s.sids)}`);
      for (const e of s.errors ?? []) console.log(`      error ${e.code}: ${e.message} (fields: ${e.fields.join(', ') || '—'})`);
    }
  };
}

/** Local mode: run the workflow until it parks, let sandbox time pass, deliver Twilio's events; repeat. */
async function driveLocally(platform: Platform, executionName: string, read: () => Promise<Timeline>, print: (t: Timeline) => void): Promise<void> {
  const sandbox = platform.twilioSandbox as unknown as TwilioSandbox;
  for (let round = 0; round < 100; round++) {
    await platform.workflow.whenIdle();
    print(await read());
    if (platform.workflow.execution(executionName)?.status !== 'RUNNING') return;
    await sandbox.advance(60);
    await platform.queues.drain();
  }
  throw new Error(`${executionName} is still running after 100 review rounds`);
}

/** Remote mode: the running platform moves on its own; poll the timeline. */
async function pollRemotely(read: () => Promise<Timeline>, print: (t: Timeline) => void): Promise<void> {
  const deadline = Date.now() + REMOTE_TIMEOUT_MS;
  for (;;) {
    const timeline = await read();
    print(timeline);
    if (timeline.status !== 'running') return;
    if (Date.now() > deadline) throw new Error('The onboarding did not finish in time; is the platform running with its sandbox?');
    await new Promise((wake) => setTimeout(wake, 1000));
  }
}

async function partnerEvents(call: Call, customerId: string) {
  const events: Array<{ id: string; type: string; customerId?: string; occurredAt: string; data: Record<string, unknown> }> = [];
  let after: string | undefined;
  for (;;) {
    const page = await call<{ data: typeof events; nextCursor: string | null }>('GET', `/v1/events${after ? `?after=${encodeURIComponent(after)}` : ''}`);
    events.push(...page.data);
    if (!page.nextCursor) break;
    after = page.nextCursor;
  }
  return events.filter((e) => e.customerId === customerId);
}

function describeEvent(e: { type: string; data: Record<string, unknown> }): string {
  const d = e.data;
  if (e.type === 'number.updated') return `${d.phoneNumber} ${d.status}`;
  if (e.type.startsWith('message.')) return `${d.messageId} ${d.status ?? ''}${d.body ? ` “${d.body}”` : ''}`;
  if (e.type.startsWith('contact.')) return `${d.contact} ${d.channel} by ${d.source}${d.keyword ? ` (${d.keyword})` : ''}`;
  if (typeof d.step === 'string') return `${d.step} ${d.status}${d.waitingFor ? ` (waiting for ${d.waitingFor})` : ''}`;
  return JSON.stringify(d).slice(0, 80);
}

async function main(): Promise<number> {
  const remoteUrl = argument('url');
  const remoteKey = argument('key');
  if (Boolean(remoteUrl) !== Boolean(remoteKey)) throw new Error('Give both --url and --key, or neither');
  const began = Date.now();

  let platform: Platform | undefined;
  const stop = async () => {
    const running = platform;
    platform = undefined;
    await running?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().then(() => process.exit(130)));

  try {
    let baseUrl = remoteUrl!;
    let apiKey = remoteKey!;
    if (!remoteUrl) {
      console.log('Starting a throwaway platform (DynamoDB Local in memory, Twilio sandbox)…');
      // A manual clock: the workflow's wait timeouts only fire if this script moves it (it does not).
      platform = await startPlatform({ port: portFromEnv('PORT', 0), sandboxPort: portFromEnv('SANDBOX_PORT', 0), inMemory: true, twilio: 'sandbox', clock: manualClock(), log: silentLog, tableName: 'switchboard-demo' });
      if (!platform.twilioSandbox) throw new Error('The Twilio sandbox is not available in this checkout');
      baseUrl = platform.url;
      const partner = await platform.admin.createPartnerWithKey('Demo partner');
      apiKey = partner.apiKey;
      console.log(`  API ${baseUrl} · sandbox ${platform.twilioSandbox.url} · partner ${partner.partnerId}`);
    }
    const call = client(baseUrl, apiKey);

    const customer = await call<{ id: string }>('POST', '/v1/customers', CUSTOMER);
    console.log(`\nCustomer ${customer.id} (${CUSTOMER.legalName})`);
    const subaccount = await call<{ accountSid: string; status: string }>('POST', `/v1/customers/${customer.id}/subaccount`);
    console.log(`Subaccount ${subaccount.accountSid} (${subaccount.status})`);

    const options = JSON.parse(readFileSync(OPTIONS_FILE, 'utf8')) as Record<string, unknown>;
    const started = await call<{ executionName: string; attempt: number }>('POST', `/v1/customers/${customer.id}/onboarding`, options);
    console.log(`Onboarding started with docs/examples/onboarding-standard.json (${options.brandType}), execution ${started.executionName}\n`);

    const read = () => call<Timeline>('GET', `/v1/customers/${customer.id}/onboarding`);
    const print = stepPrinter();
    if (platform) await driveLocally(platform, started.executionName, read, print);
    else await pollRemotely(read, print);

    const timeline = await read();
    console.log(`\nTimeline: ${timeline.status}${timeline.failedStep ? ` at ${timeline.failedStep}` : ''} (attempt ${timeline.attempt})`);
    for (const s of timeline.steps) {
      const took = seconds(s.startedAt, s.completedAt);
      console.log(`  ${s.step.padEnd(17)} ${s.status.padEnd(9)} ${(s.startedAt ?? '').padEnd(24)} ${took.padStart(7)}${s.checks ? `  checks ${s.checks}` : ''}`);
    }

    const messaged = timeline.status === 'succeeded'
      ? await demoMessaging(call, rawClient(baseUrl, apiKey), platform ? localWorld(platform) : remoteWorld(argument('sandbox') ?? 'http://127.0.0.1:4010'), customer.id)
      : false;

    const events = await partnerEvents(call, customer.id);
    console.log(`\nPartner events (${events.length}, GET /v1/events):`);
    const idWidth = Math.max(0, ...events.map((e) => e.id.length));
    for (const e of events) console.log(`  ${e.id.padStart(idWidth)}  ${e.type.padEnd(23)} ${describeEvent(e)}`);
    if (platform) {
      const execution = platform.workflow.execution(started.executionName);
      console.log(`\nState transitions: ${execution?.transitions ?? '?'}`);
    }
    console.log(`Done in ${((Date.now() - began) / 1000).toFixed(1)} s.`);
    return timeline.status === 'succeeded' && messaged ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
