/**
 * What one message send costs on the local platform (DynamoDB Local in memory, the Twilio sandbox,
 * the real handlers), for a customer whose onboarding has completed:
 *
 * 1. Calls per send: Twilio calls (the sandbox's request log), DynamoDB calls by operation (counted
 *    in front of the shared DynamoDB clients of shared/store/client.ts, so every store in the
 *    process is seen) and key-service decrypts (the local key service, wrapped). Measured on a
 *    warm instance over sequential sends to distinct handsets, and for the cold first send of a
 *    fresh process (a Lambda cold start: empty token cache, no cached AccountSid or registration,
 *    no partner-event counter hints).
 *    The same for WhatsApp sends of an ONLINE sender: an approved template outside the 24-hour
 *    window, and a free-form reply inside the window a handset's message opened.
 * 2. In-process latency of `messaging().send(...)`: the service with its DynamoDB Local and sandbox
 *    round trips, no HTTP in front; sequential and at concurrency 10.
 * 3. `POST /v1/customers/{id}/messages` over HTTP through the local API gateway at concurrency 10.
 *
 *   npx tsx bench/messaging.bench.ts
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { AUTHORIZER_CACHE_SECONDS } from '../infra/catalog';
import { manualClock } from '../infra/local/clock';
import { silentLog } from '../infra/local/log';
import { PROJECT_ROOT, startPlatform, type Platform } from '../infra/local/platform';
import { validCustomer } from '../test/support/fixtures';
import { CAMPAIGN, runToEnd, sandboxOf } from '../test/workflow/support';
import { runLoad, type LoadResult } from './load';

const WARMUP_SENDS = 100;
const COUNTED_SENDS = 200;
const LATENCY_SENDS = 500;
const CONCURRENCY = 10;
const HTTP_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const HTTP_WARMUP_SECONDS = 3;
/** Bounds: no phase may run away (a stuck send fails the run instead of hanging it). */
const PHASE_LIMIT_MS = 120_000;

const TARGET = { twilio: 1, dynamo: 3, decrypts: 0, non2xx: 0 };
const BODY = 'Acme: your order has shipped. Reply STOP to opt out.';

// --- Counting ---------------------------------------------------------------------------------

type Operation = string;
interface Call {
  operation: Operation;
  rows: string[];
  failed?: string;
}

/** lib-dynamodb command names → the DynamoDB operation they make (low-level names are the operation). */
const DOCUMENT_OPERATIONS: Record<string, Operation> = {
  BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem', Delete: 'DeleteItem', Get: 'GetItem', Put: 'PutItem',
  TransactGet: 'TransactGetItems', TransactWrite: 'TransactWriteItems', Update: 'UpdateItem',
};

type Value = string | { S?: string } | undefined;
const str = (v: Value) => (typeof v === 'string' ? v : v?.S);

/** `PARTNER#p#CUSTOMER#c` + `MSG#…` → `CUSTOMER/MSG` (the last label of the pk, the first of the sk; see shared/store/table.ts). */
function rowKind(pk: Value, sk: Value): string {
  const labels = (str(pk) ?? '?').split('#').filter((_, i) => i % 2 === 0);
  return `${labels[labels.length - 1]}/${(str(sk) ?? '*').split('#')[0]}`;
}

type Keyed = { pk?: Value; sk?: Value };
function rowsOf(operation: Operation, input: Record<string, any>): string[] {
  const of = (k: Keyed | undefined) => rowKind(k?.pk, k?.sk);
  if (input.TransactItems) return (input.TransactItems as Array<Record<string, { Key?: Keyed; Item?: Keyed }>>).flatMap((t) => Object.entries(t).map(([kind, op]) => `${kind} ${of(op.Key ?? op.Item)}`));
  if (input.RequestItems) return Object.values(input.RequestItems as Record<string, { Keys?: Keyed[] }>).flatMap((r) => (r.Keys ?? []).map(of));
  if (operation === 'Query') return [`${input.IndexName ? `${input.IndexName} ` : ''}${rowKind(input.ExpressionAttributeValues?.[':pk'], '*')}`];
  return [of(input.Key ?? input.Item)];
}

/**
 * Counts every call made through the shared clients: the DocumentClient (all stores; its GetItem
 * fast path included, since the wrapper sits in front of it) and the low-level client (used
 * directly by the idempotency store). Calls are logical: SDK retries of one call count once.
 */
function countDynamo(client: { documentClient: { send: (...a: any[]) => any }; dynamoClient: { send: (...a: any[]) => any } }) {
  const counts = new Map<Operation, number>();
  const failures = new Map<string, number>();
  /** Milliseconds spent in each operation's calls (round trip to DynamoDB Local included). */
  const ms = new Map<Operation, number>();
  let log: Call[] | undefined;
  const wrap = (target: { send: (...a: any[]) => any }, names: Record<string, Operation>) => {
    const send = target.send.bind(target);
    target.send = (command: { constructor: { name: string }; input: Record<string, any> }, ...rest: unknown[]) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const operation = names[name] ?? name;
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const call: Call = { operation, rows: log ? rowsOf(operation, command.input) : [] };
      log?.push(call);
      const start = performance.now();
      const took = () => ms.set(operation, (ms.get(operation) ?? 0) + performance.now() - start);
      const result = send(command, ...rest) as Promise<unknown>;
      return result.then((value) => {
        took();
        return value;
      }, (error: Error) => {
        took();
        const key = `${operation} ${error.name}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        call.failed = error.name;
        throw error;
      });
    };
  };
  wrap(client.documentClient, DOCUMENT_OPERATIONS);
  wrap(client.dynamoClient, {});
  return {
    counts,
    failures,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    snapshot: () => ({ counts: new Map(counts), failures: new Map(failures), ms: new Map(ms) }),
    reset() {
      counts.clear();
      failures.clear();
      ms.clear();
    },
    /** Records each call with the rows it touches until `stop()` is called. */
    record(): { calls: Call[]; stop(): void } {
      const calls: Call[] = [];
      log = calls;
      return { calls, stop: () => void (log = undefined) };
    },
  };
}

interface KeyServiceLike {
  decrypt(ciphertext: string, context: unknown): Promise<string>;
}
/** Wraps the process's key service (the token cache holds this object and calls its `decrypt`). */
function countDecrypts(keyService: KeyServiceLike) {
  const counter = { count: 0 };
  const decrypt = keyService.decrypt.bind(keyService);
  keyService.decrypt = (ciphertext, context) => {
    counter.count += 1;
    return decrypt(ciphertext, context);
  };
  return counter;
}

/** Time spent in the Twilio gateway's sendMessage (the SDK plus the sandbox round trip). */
function timeTwilio(gateway: { sendMessage: (...a: any[]) => Promise<unknown> }) {
  const timer = { ms: 0 };
  const sendMessage = gateway.sendMessage.bind(gateway);
  gateway.sendMessage = async (...args: unknown[]) => {
    const start = performance.now();
    try {
      return await sendMessage(...args);
    } finally {
      timer.ms += performance.now() - start;
    }
  };
  return timer;
}

/** The modules the handlers use, loaded after the platform set the environment (config is read at import). */
function sharedModules() {
  const load = <T>(path: string) => require(resolve(PROJECT_ROOT, path)) as T;
  return {
    client: load<{ documentClient: any; dynamoClient: any }>('shared/store/client'),
    keys: load<{ keyService: KeyServiceLike }>('shared/wiring/keys'),
    twilio: load<{ messagesGateway: { sendMessage: (...a: any[]) => Promise<unknown> } }>('shared/wiring/messaging').messagesGateway,
    messaging: load<{ messaging(): { send(partnerId: string, customerId: string, input: unknown, idempotencyKey?: string): Promise<{ status: number; message: { status: string } }> } }>('shared/wiring/messaging').messaging,
    schema: load<{ MessageCreateSchema: { parse(v: unknown): unknown } }>('shared/domain/message').MessageCreateSchema,
  };
}

/** A distinct, valid US handset per send (+1 415 2xx xxxx). */
const handset = (n: number) => `+1415${200 + Math.floor(n / 10_000)}${String(n % 10_000).padStart(4, '0')}`;

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const byOperation = (m: Map<string, number>, per = 1) =>
  [...m].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${per === 1 ? n : (n / per).toFixed(per >= 100 ? 3 : 2)}`).join(', ') || 'none';
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' / ') + ' (1 / 5 / 15 min)';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// --- The cold send, in a fresh process --------------------------------------------------------

const COLD_MARKER = 'cold-send-report ';

interface ColdReport {
  loadMs: number;
  sends: Array<{ ms: number; status: number; dynamo: Record<string, number>; decrypts: number; calls: Call[] }>;
}

/** Child mode: one process = one fresh instance. Two sends, each with its calls in order. */
async function coldChild(partnerId: string, customerId: string): Promise<void> {
  const began = performance.now();
  const shared = sharedModules();
  const dynamo = countDynamo(shared.client);
  const decrypts = countDecrypts(shared.keys.keyService);
  const service = shared.messaging();
  const loadMs = performance.now() - began;
  const report: ColdReport = { loadMs, sends: [] };
  for (let i = 0; i < 2; i++) {
    dynamo.reset();
    decrypts.count = 0;
    const recording = dynamo.record();
    const start = performance.now();
    const result = await service.send(partnerId, customerId, shared.schema.parse({ to: handset(90_000 + i), body: BODY }));
    const ms = performance.now() - start;
    recording.stop();
    report.sends.push({ ms, status: result.status, dynamo: Object.fromEntries(dynamo.counts), decrypts: decrypts.count, calls: recording.calls });
  }
  process.stdout.write(`\n${COLD_MARKER}${JSON.stringify(report)}\n`);
}

function runColdChild(platform: Platform, partnerId: string, customerId: string): Promise<ColdReport> {
  const tsx = require.resolve('tsx/cli');
  return new Promise((done, fail) => {
    execFile(process.execPath, [tsx, __filename, 'cold-send', partnerId, customerId], { env: { ...process.env, ...platform.env }, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return fail(new Error(`cold send process failed: ${error.message}\n${stderr}`));
      const line = stdout.split('\n').find((l) => l.startsWith(COLD_MARKER));
      if (!line) return fail(new Error(`cold send process printed no report:\n${stdout}\n${stderr}`));
      done(JSON.parse(line.slice(COLD_MARKER.length)) as ColdReport);
    });
  });
}

// --- The benchmark ----------------------------------------------------------------------------

async function call(platform: Platform, apiKey: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${platform.url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

function printCalls(title: string, calls: Call[]): void {
  console.log(`   ${title}`);
  calls.forEach((c, i) => console.log(`     ${String(i + 1).padStart(2)}. ${c.operation.padEnd(19)} ${c.rows.join(', ')}${c.failed ? `   → ${c.failed}` : ''}`));
}

async function main(): Promise<number> {
  const clock = manualClock();
  const platform = await startPlatform({
    port: 0,
    inMemory: true,
    twilio: 'sandbox',
    tableName: 'switchboard-bench-messaging',
    clock,
    throttle: false,
    authorizerCacheSeconds: AUTHORIZER_CACHE_SECONDS,
    log: silentLog,
  });
  const sandbox = sandboxOf(platform);
  let ok = true;
  try {
    const shared = sharedModules();
    const dynamo = countDynamo(shared.client);
    const decrypts = countDecrypts(shared.keys.keyService);
    const twilioTime = timeTwilio(shared.twilio);
    const service = shared.messaging();
    // The HTTP handler calls this same service object: count the sends it runs, to divide the calls by.
    const serverSends = { started: 0, done: 0 };
    const send = service.send.bind(service);
    service.send = async (...args) => {
      serverSends.started++;
      try {
        return await send(...args);
      } finally {
        serverSends.done++;
      }
    };
    /** Bounded wait for the sends still running (requests the load generator stopped waiting for). */
    const quiesce = async () => {
      for (let i = 0; i < 100 && serverSends.done < serverSends.started; i++) await new Promise((r) => setTimeout(r, 50));
    };
    const twilioCalls = () => sandbox.requests().length;

    // A fully onboarded customer, as the messaging integration tests make one.
    const { partnerId, apiKey } = await platform.admin.createPartnerWithKey('Bench partner');
    const onboardStart = performance.now();
    const customer = await call(platform, apiKey, 'POST', '/v1/customers', validCustomer());
    const started = await call(platform, apiKey, 'POST', `/v1/customers/${customer.id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } });
    const execution = await runToEnd(platform, started.executionName ?? `${customer.id}-a1`);
    if (execution.status !== 'SUCCEEDED') throw new Error(`onboarding ended ${execution.status}`);
    const numbers = (await call(platform, apiKey, 'GET', `/v1/customers/${customer.id}/numbers`)).data as Array<{ phoneNumber: string; status: string }>;
    console.log(`Load average of the machine at start: ${loadAverage()} (the figures below share its cores with whatever else runs)`);
    console.log(`Customer ${customer.id} onboarded in ${(performance.now() - onboardStart).toFixed(0)} ms (number ${numbers[0]?.phoneNumber} ${numbers[0]?.status}); Node ${process.version}`);

    let seq = 0;
    const input = () => shared.schema.parse({ to: handset(seq++), body: BODY });
    const sendOne = async () => {
      const result = await service.send(partnerId, customer.id, input());
      if (result.status !== 201) throw new Error(`send answered ${result.status} (${result.message.status})`);
    };

    // 1a. The cold first send of a fresh instance (its own process), then its second send.
    const twilioBeforeCold = twilioCalls();
    const cold = await runColdChild(platform, partnerId, customer.id);
    const coldTwilio = twilioCalls() - twilioBeforeCold;
    console.log(`\n== 1. Calls per send (targets: Twilio ${TARGET.twilio}, DynamoDB ≤ ${TARGET.dynamo} warm, decrypts ${TARGET.decrypts} warm within the token TTL)`);
    console.log(`   Cold first send (fresh process, modules loaded in ${cold.loadMs.toFixed(0)} ms): ${cold.sends[0]!.ms.toFixed(1)} ms, Twilio calls ${coldTwilio} for its 2 sends,`);
    console.log(`     DynamoDB ${sum(new Map(Object.entries(cold.sends[0]!.dynamo)))} (${byOperation(new Map(Object.entries(cold.sends[0]!.dynamo)))}), decrypts ${cold.sends[0]!.decrypts}`);
    printCalls('cold first send, DynamoDB calls in order:', cold.sends[0]!.calls);
    console.log(`   Second send of that process: ${cold.sends[1]!.ms.toFixed(1)} ms, DynamoDB ${sum(new Map(Object.entries(cold.sends[1]!.dynamo)))} (${byOperation(new Map(Object.entries(cold.sends[1]!.dynamo)))}), decrypts ${cold.sends[1]!.decrypts}`);

    // 1b. Warm: sequential sends, each one's calls attributed to it.
    const phaseDeadline = () => performance.now() + PHASE_LIMIT_MS;
    let deadline = phaseDeadline();
    for (let i = 0; i < WARMUP_SENDS && performance.now() < deadline; i++) await sendOne();
    dynamo.reset();
    decrypts.count = 0;
    const perSendDynamo = new Map<number, number>();
    const perSendTwilio = new Map<number, number>();
    let unusual: Call[] | undefined;
    const twilioBefore = twilioCalls();
    let counted = 0;
    const warmBegan = performance.now();
    deadline = phaseDeadline();
    for (; counted < COUNTED_SENDS && performance.now() < deadline; counted++) {
      const d0 = dynamo.total();
      const t0 = twilioCalls();
      const recording = dynamo.record();
      await sendOne();
      recording.stop();
      const d = dynamo.total() - d0;
      const t = twilioCalls() - t0;
      perSendDynamo.set(d, (perSendDynamo.get(d) ?? 0) + 1);
      perSendTwilio.set(t, (perSendTwilio.get(t) ?? 0) + 1);
      if (d > TARGET.dynamo && !unusual) unusual = recording.calls;
      if (counted === 0) printCalls('a warm send, DynamoDB calls in order:', recording.calls);
    }
    const warmMs = (performance.now() - warmBegan) / counted;
    const warm = dynamo.snapshot();
    const warmTwilio = (twilioCalls() - twilioBefore) / counted;
    const warmDynamo = sum(warm.counts) / counted;
    const dist = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([calls, sends]) => `${calls} calls × ${sends}`).join(', ');
    console.log(`   Warm, ${counted} sequential sends to distinct handsets, after ${WARMUP_SENDS} warm-up sends (${warmMs.toFixed(1)} ms a send):`);
    console.log(`     Twilio calls/send ${warmTwilio.toFixed(2)} (${dist(perSendTwilio)})   target ${TARGET.twilio}: ${verdict(warmTwilio === TARGET.twilio)}`);
    console.log(`     DynamoDB calls/send ${warmDynamo.toFixed(2)} (${byOperation(warm.counts, counted)}; sends with ${dist(perSendDynamo)})   target ≤ ${TARGET.dynamo}: ${verdict(warmDynamo <= TARGET.dynamo)}`);
    console.log(`     failed DynamoDB calls: ${byOperation(warm.failures)}`);
    console.log(`     key-service decrypts ${decrypts.count} in ${counted} sends   target ${TARGET.decrypts}: ${verdict(decrypts.count === TARGET.decrypts)}`);
    const warmDecrypts = decrypts.count;
    if (unusual) printCalls(`a send with more than ${TARGET.dynamo} DynamoDB calls, in order:`, unusual);
    ok &&= warmTwilio === TARGET.twilio && warmDynamo <= TARGET.dynamo && warmDecrypts === TARGET.decrypts;

    // 1c. WhatsApp: an ONLINE sender on the customer's own number and an approved template, as a partner sets them up.
    const minute = async () => {
      await sandbox.advance(60);
      clock.advance(60_000);
      await platform.settle();
    };
    const until = async (path: string, done: (body: any) => boolean) => {
      for (let i = 0; i < 20; i++) {
        const body = await call(platform, apiKey, 'GET', path);
        if (done(body)) return body;
        await minute();
      }
      throw new Error(`${path} did not get there in 20 minutes of sandbox time`);
    };
    const senders = `/v1/customers/${customer.id}/whatsapp/senders`;
    const sender = await call(platform, apiKey, 'POST', senders, { phoneNumber: '+14155558900', wabaId: '104567890123456', profile: { name: 'Bench Widgets' } });
    await until(`${senders}/${sender.id}`, (b) => b.status === 'PENDING_VERIFICATION');
    await call(platform, apiKey, 'POST', `${senders}/${sender.id}/verification`, { code: sandbox.whatsAppVerificationCode(sender.sid) });
    await until(`${senders}/${sender.id}`, (b) => b.status === 'ONLINE' && b.attached === true);
    const template = await call(platform, apiKey, 'POST', `/v1/customers/${customer.id}/templates`, {
      name: 'bench_order_update', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' },
      content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days.' },
    });
    await until(`/v1/customers/${customer.id}/templates/${template.id}`, (b) => b.status === 'approved');

    /** Sends one at a time, each one's Twilio and DynamoDB calls attributed to it (`prepare` runs uncounted). */
    const perSend = async (count: number, prepare: (to: string) => Promise<void>, body: (to: string) => Record<string, unknown>) => {
      const dynamoDist = new Map<number, number>();
      let twilio = 0;
      let dynamoTotal = 0;
      let first: Call[] | undefined;
      dynamo.reset();
      for (let i = 0; i < count; i++) {
        const to = handset(seq++);
        await prepare(to);
        const d0 = dynamo.total();
        const t0 = twilioCalls();
        const recording = dynamo.record();
        const result = await service.send(partnerId, customer.id, shared.schema.parse(body(to)));
        recording.stop();
        if (result.status !== 201) throw new Error(`WhatsApp send answered ${result.status} (${result.message.status})`);
        const d = dynamo.total() - d0;
        dynamoTotal += d;
        twilio += twilioCalls() - t0;
        dynamoDist.set(d, (dynamoDist.get(d) ?? 0) + 1);
        first ??= recording.calls;
      }
      return { twilio: twilio / count, dynamo: dynamoTotal / count, dist: dynamoDist, first: first! };
    };
    const noPreparation = async () => undefined;
    const templateBody = (to: string) => ({ channel: 'whatsapp', to, templateId: template.id, contentVariables: { '1': 'Ana', '2': 'A-9' } });
    await perSend(20, noPreparation, templateBody);
    const templated = await perSend(COUNTED_SENDS / 2, noPreparation, templateBody);
    const handsetWrote = async (to: string) => {
      await sandbox.simulateInbound({ from: `whatsapp:${to}`, to: 'whatsapp:+14155558900', body: 'Hi, is my order on its way?' });
      await platform.queues.drain();
    };
    const freeForm = await perSend(COUNTED_SENDS / 2, handsetWrote, (to) => ({ to: `whatsapp:${to}`, body: 'Yes: it arrives tomorrow before noon.' }));
    console.log(`   WhatsApp (sender ONLINE on the customer's own number, in its messaging service), ${COUNTED_SENDS / 2} warm sequential sends each:`);
    for (const [label, r] of [['approved template, outside the window', templated], ['free-form reply, inside the window', freeForm]] as const) {
      console.log(`     ${label}: Twilio calls/send ${r.twilio.toFixed(2)}   target ${TARGET.twilio}: ${verdict(r.twilio === TARGET.twilio)}; DynamoDB calls/send ${r.dynamo.toFixed(2)} (sends with ${dist(r.dist)})   target ≤ ${TARGET.dynamo}: ${verdict(r.dynamo <= TARGET.dynamo)}`);
      printCalls(`  ${label}, DynamoDB calls in order:`, r.first);
    }
    ok &&= [templated, freeForm].every((r) => r.twilio === TARGET.twilio && r.dynamo <= TARGET.dynamo);

    // 2. In-process latency of the service call.
    console.log(`\n== 2. In-process messaging().send latency (service + DynamoDB Local + sandbox round trips; no latency target set)`);
    const latency = async (label: string, concurrency: number) => {
      dynamo.reset();
      decrypts.count = 0;
      twilioTime.ms = 0;
      const t0 = twilioCalls();
      const times: number[] = [];
      let next = 0;
      const end = performance.now() + PHASE_LIMIT_MS;
      const began = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < LATENCY_SENDS && performance.now() < end) {
            next++;
            const start = performance.now();
            await sendOne();
            times.push(performance.now() - start);
          }
        }),
      );
      const wall = performance.now() - began;
      const sorted = [...times].sort((a, b) => a - b);
      const s = dynamo.snapshot();
      console.log(
        `   ${label.padEnd(14)} ${times.length} sends: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms, ${((times.length / wall) * 1000).toFixed(0)} sends/s`,
      );
      console.log(`   ${''.padEnd(14)} per send: Twilio ${((twilioCalls() - t0) / times.length).toFixed(2)}, DynamoDB ${(sum(s.counts) / times.length).toFixed(2)} (${byOperation(s.counts, times.length)}), decrypts ${decrypts.count}; failed DynamoDB calls: ${byOperation(s.failures)}`);
      const mean = (total: number) => (total / times.length).toFixed(1);
      const dynamoMs = sum(s.ms);
      const meanMs = times.reduce((a, b) => a + b, 0);
      console.log(
        `   ${''.padEnd(14)} mean ${mean(meanMs)} ms a send = DynamoDB ${mean(dynamoMs)} ms (${[...s.ms].sort((a, b) => b[1] - a[1]).map(([op, t]) => `${op} ${mean(t)}`).join(', ')}) + Twilio sendMessage ${mean(twilioTime.ms)} ms + the rest ${mean(meanMs - dynamoMs - twilioTime.ms)} ms`,
      );
      return { sends: times.length, dynamoPerSend: sum(s.counts) / times.length };
    };
    const sequential = await latency('sequential', 1);
    const concurrent = await latency(`concurrency ${CONCURRENCY}`, CONCURRENCY);
    ok &&= sequential.sends === LATENCY_SENDS && concurrent.sends === LATENCY_SENDS;

    // 3. Over HTTP through the local API gateway. One body for every request and no Idempotency-Key:
    // each request is a new message (autocannon sends a fixed request).
    console.log(`\n== 3. POST /v1/customers/{id}/messages over HTTP, concurrency ${CONCURRENCY}, ${HTTP_SECONDS} s (authorizer cache ${AUTHORIZER_CACHE_SECONDS} s)`);
    const load = (durationSeconds: number): Promise<LoadResult> =>
      runLoad({
        url: `${platform.url}/v1/customers/${customer.id}/messages`,
        method: 'POST',
        connections: CONCURRENCY,
        durationSeconds,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: handset(80_000), body: BODY }),
      });
    await load(HTTP_WARMUP_SECONDS);
    await quiesce();
    dynamo.reset();
    decrypts.count = 0;
    const t0 = twilioCalls();
    const sends0 = serverSends.done;
    const cpuBefore = process.cpuUsage();
    const http = await load(HTTP_SECONDS);
    const cpu = process.cpuUsage(cpuBefore);
    await quiesce();
    const handled = serverSends.done - sends0;
    const s = dynamo.snapshot();
    console.log(`   ${http.requestsPerSecond.toFixed(0)} req/s, p50 ${http.p50Ms.toFixed(1)} ms, p99 ${http.p99Ms.toFixed(1)} ms, ${http.requests} requests, non-2xx ${http.non2xx} (target ${TARGET.non2xx}: ${verdict(http.non2xx === TARGET.non2xx)}), errors ${http.errors}; no latency target set`);
    console.log(
      `   per send (${handled} run by the handler, ${handled - http.requests} of them still in flight when the load stopped): Twilio ${((twilioCalls() - t0) / handled).toFixed(2)}, DynamoDB ${(sum(s.counts) / handled).toFixed(2)} (${byOperation(s.counts, handled)}), decrypts ${decrypts.count}, platform CPU ${((cpu.user + cpu.system) / 1000 / http.requests).toFixed(2)} ms a request (sandbox included)`,
    );
    console.log(`   failed DynamoDB calls: ${byOperation(s.failures)}`);
    ok &&= http.non2xx === TARGET.non2xx && http.errors === 0;

    console.log(`Load average at the end: ${loadAverage()}`);
    console.log(`\nsummary                                   measured          target    verdict`);
    const line = (what: string, measured: string, target: string, met: boolean | undefined) => console.log(`${what.padEnd(42)}${measured.padEnd(18)}${target.padEnd(10)}${met === undefined ? '-' : verdict(met)}`);
    line('Twilio calls / warm send', warmTwilio.toFixed(2), String(TARGET.twilio), warmTwilio === TARGET.twilio);
    line('DynamoDB calls / warm send', warmDynamo.toFixed(2), `≤ ${TARGET.dynamo}`, warmDynamo <= TARGET.dynamo);
    line(`decrypts in ${counted} warm sends`, String(warmDecrypts), String(TARGET.decrypts), warmDecrypts === TARGET.decrypts);
    line('Twilio calls / WhatsApp template send', templated.twilio.toFixed(2), String(TARGET.twilio), templated.twilio === TARGET.twilio);
    line('DynamoDB calls / WhatsApp template send', templated.dynamo.toFixed(2), `≤ ${TARGET.dynamo}`, templated.dynamo <= TARGET.dynamo);
    line('Twilio calls / WhatsApp free-form reply', freeForm.twilio.toFixed(2), String(TARGET.twilio), freeForm.twilio === TARGET.twilio);
    line('DynamoDB calls / WhatsApp free-form reply', freeForm.dynamo.toFixed(2), `≤ ${TARGET.dynamo}`, freeForm.dynamo <= TARGET.dynamo);
    line('DynamoDB calls, cold first send', String(sum(new Map(Object.entries(cold.sends[0]!.dynamo)))), '-', undefined);
    line('decrypts, cold first send', String(cold.sends[0]!.decrypts), '-', undefined);
    line(`DynamoDB calls / send, concurrency ${CONCURRENCY}`, concurrent.dynamoPerSend.toFixed(2), `≤ ${TARGET.dynamo}`, concurrent.dynamoPerSend <= TARGET.dynamo);
    line('HTTP non-2xx', String(http.non2xx), String(TARGET.non2xx), http.non2xx === TARGET.non2xx);
    return ok ? 0 : 1;
  } finally {
    await platform.stop();
  }
}

if (process.argv[2] === 'cold-send') {
  coldChild(process.argv[3]!, process.argv[4]!).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
