/**
 * `npm run demo`: one customer onboarded end to end, then messaging on SMS and WhatsApp, printed step by step.
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
import { manualClock, type ManualClock } from '../infra/local/clock';
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

/** What the messaging part of the demo needs from the world: a handset, Meta's code, and time passing. */
interface World {
  handsetSays(from: string, to: string, body: string): Promise<void>;
  /** Lets the sandbox walk its message lifecycles and the platform take in what it sent. */
  letTimePass(): Promise<void>;
  /** A minute of Meta's reviews and the platform's scheduled refreshes. */
  letReviewsPass(): Promise<void>;
  /** The code Meta sent to a WhatsApp sender's number (the customer reads it off its phone). */
  verificationCode(senderSid: string): Promise<string>;
}

function localWorld(platform: Platform, clock: ManualClock): World {
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
    async letReviewsPass() {
      await sandbox.advance(60);
      clock.advance(60_000);
      await platform.settle();
    },
    verificationCode: async (sid) => sandbox.whatsAppVerificationCode(sid) ?? '',
  };
}

/** A running platform: its sandbox's control API sends the handset's texts; time passes for real. */
function remoteWorld(sandboxUrl: string): World {
  const pause = () => new Promise<void>((wake) => setTimeout(wake, 6000));
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandboxUrl}/__sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`The sandbox at ${sandboxUrl} answered ${response.status} to ${path}; give --sandbox <url> of the platform's sandbox`);
    return response.json() as Promise<Record<string, string>>;
  };
  return {
    async handsetSays(from, to, body) {
      await control('POST', '/inbound', { from, to, body });
      await pause();
    },
    letTimePass: pause,
    letReviewsPass: pause,
    verificationCode: async (sid) => (await control('GET', `/senders/${sid}/verification-code`)).code ?? '',
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

/** Reviews take a few rounds: asks again after each until `done` says so (or gives up). */
async function until<T>(world: World, read: () => Promise<T>, done: (value: T) => boolean, rounds = 30): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await read();
    if (done(value) || i === rounds) return value;
    await world.letReviewsPass();
  }
}

/**
 * After SMS: the customer's own number put on WhatsApp with Meta's code, a template linted and
 * approved, sent outside the 24-hour window, the handset's answer, and a free-form reply.
 */
async function demoWhatsApp(call: Call, request: ReturnType<typeof rawClient>, world: World, customerId: string): Promise<boolean> {
  const base = `/v1/customers/${customerId}`;
  const senderNumber = '+14155558900';
  const handset = '+14155550124';
  console.log(`\nWhatsApp on the customer's own number ${senderNumber}:`);
  type Sender = { id: string; sid: string; status: string; attached: boolean; qualityRating?: string; messagingLimit?: string };
  const created = await call<Sender>('POST', `${base}/whatsapp/senders`, {
    phoneNumber: senderNumber, wabaId: '104567890123456', verificationMethod: 'sms', profile: { name: 'Acme Widgets', about: 'Widgets, delivered' },
  });
  console.log(`  sender   ${created.id} (${created.sid}) ${created.status}`);
  const readSender = () => call<Sender>('GET', `${base}/whatsapp/senders/${created.id}`);
  const waiting = await until(world, readSender, (s) => s.status !== 'CREATING');
  const code = await world.verificationCode(created.sid);
  const verifying = await call<Sender>('POST', `${base}/whatsapp/senders/${created.id}/verification`, { code });
  console.log(`  code     ${waiting.status} → code ${code} → ${verifying.status}`);
  const online = await until(world, readSender, (s) => s.status === 'ONLINE' || s.status === 'OFFLINE');
  console.log(`  sender   ${online.status}, in the messaging service: ${online.attached}, quality ${online.qualityRating ?? '—'}, limit ${online.messagingLimit ?? '—'}`);

  const template = {
    name: 'delivery_update', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' },
    content: { type: 'text', body: 'Hello {{1}}, your order {{2}} is out for delivery today. Reply here if you will not be home.' },
  };
  const lint = await call<{ findings: Array<{ field: string; message: string }> }>('POST', `${base}/templates/lint`, {
    ...template, content: { type: 'text', body: '{{1}} Big sale! 50% off today only at https://bit.ly/acme' },
  });
  console.log(`  lint     a promotional draft: ${lint.findings.length} findings, e.g. ${lint.findings.slice(0, 2).map((f) => `${f.field}: ${f.message}`).join('; ')}`);
  type Template = { id: string; contentSid: string; status: string; category: string };
  const submitted = await call<Template>('POST', `${base}/templates`, template);
  const approved = await until(world, () => call<Template>('GET', `${base}/templates/${submitted.id}`), (t) => !['received', 'pending'].includes(t.status));
  console.log(`  template ${approved.id} (${approved.contentSid}) ${submitted.status} → ${approved.status} as ${approved.category}`);

  const messages = `${base}/messages`;
  const freeForm = await request<{ type: string }>('POST', messages, { to: `whatsapp:${handset}`, body: 'Are you home today?' });
  console.log(`  free     outside the window → ${freeForm.status} ${freeForm.body.type.split('/').pop()} (Twilio not called)`);
  const sent = await call<{ id: string; status: string }>('POST', messages, { to: `whatsapp:${handset}`, templateId: approved.id, contentVariables: template.variables });
  await world.letTimePass();
  const shown = await call<{ status: string; timeline: Array<{ status: string }> }>('GET', `${messages}/${sent.id}`);
  console.log(`  template sent ${sent.id}: ${shown.timeline.map((t) => t.status).join(' → ')}`);

  await world.handsetSays(`whatsapp:${handset}`, `whatsapp:${senderNumber}`, 'Not home until 6, can you come later?');
  const inbound = await call<{ data: Array<{ body: string; channel: string }> }>('GET', `${messages}?contact=${encodeURIComponent(handset)}&direction=inbound&limit=1`);
  console.log(`  reply    “${inbound.data[0]?.body}” (${inbound.data[0]?.channel}): the 24-hour window is open`);
  const answer = await request<{ id: string; status: string }>('POST', messages, { to: `whatsapp:${handset}`, body: 'Of course: we will come after 6 pm.' });
  await world.letTimePass();
  const answered = answer.status === 201 ? await call<{ status: string }>('GET', `${messages}/${answer.body.id}`) : undefined;
  console.log(`  free     inside the window → ${answer.status}, ${answered?.status ?? 'not sent'}`);
  return online.status === 'ONLINE' && approved.status === 'approved' && freeForm.status === 422 && ['delivered', 'read'].includes(shown.status)
    && inbound.data.length === 1 && answer.status === 201 && ['delivered', 'read'].includes(answered?.status ?? '');
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
  if (e.type === 'whatsapp_sender.updated') return `${d.phoneNumber} ${d.status}${d.attached ? ' (in the messaging service)' : ''}`;
  if (e.type === 'template.updated') return `${d.name} ${d.status}${d.categoryChanged ? ` (category now ${d.category})` : ''}`;
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
    // A manual clock: only this script moves it, for the WhatsApp reviews after onboarding.
    const clock = manualClock();
    let baseUrl = remoteUrl!;
    let apiKey = remoteKey!;
    if (!remoteUrl) {
      console.log('Starting a throwaway platform (DynamoDB Local in memory, Twilio sandbox)…');
      platform = await startPlatform({ port: portFromEnv('PORT', 0), sandboxPort: portFromEnv('SANDBOX_PORT', 0), inMemory: true, twilio: 'sandbox', clock, log: silentLog, tableName: 'switchboard-demo' });
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

    const world = platform ? localWorld(platform, clock) : remoteWorld(argument('sandbox') ?? 'http://127.0.0.1:4010');
    const messaged = timeline.status === 'succeeded' && (await demoMessaging(call, rawClient(baseUrl, apiKey), world, customer.id));
    const onWhatsApp = messaged && (await demoWhatsApp(call, rawClient(baseUrl, apiKey), world, customer.id));

    const events = await partnerEvents(call, customer.id);
    console.log(`\nPartner events (${events.length}, GET /v1/events):`);
    const idWidth = Math.max(0, ...events.map((e) => e.id.length));
    for (const e of events) console.log(`  ${e.id.padStart(idWidth)}  ${e.type.padEnd(23)} ${describeEvent(e)}`);
    if (platform) {
      const execution = platform.workflow.execution(started.executionName);
      console.log(`\nState transitions: ${execution?.transitions ?? '?'}`);
    }
    console.log(`Done in ${((Date.now() - began) / 1000).toFixed(1)} s.`);
    return timeline.status === 'succeeded' && messaged && onWhatsApp ? 0 : 1;
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
