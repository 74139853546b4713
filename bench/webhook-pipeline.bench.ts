/**
 * The webhook pipeline under sustained load, end to end on the local platform: signed Twilio
 * status callbacks and inbound messages over loopback HTTP → the real receivers (signature check,
 * enqueue) → the in-process queues (visibility timeout, retries, DLQ) polled like Lambda's SQS
 * pollers → the real consumers → DynamoDB Local.
 *
 * A load generator in a child process keeps CONNECTIONS requests in flight for DURATION seconds
 * (a bounded loop, loopback only), as fast as the platform answers. The traffic is what Twilio
 * sends for one partner with several customers: three status callbacks per outbound message
 * (some out of order, a few undelivered with an ErrorCode, a few with an empty From or To, as
 * Twilio omits fields freely), inbound messages (a few STOP/START), and Twilio's retries of a
 * webhook already sent (same I-Twilio-Idempotency-Token), which often land in another batch
 * while the first copy is being processed.
 *
 * After the load the queues are drained (redeliveries fast-forwarded on the queues' clock), then
 * every acknowledged webhook is looked up in DynamoDB. Printed: webhooks/s accepted, processed/s,
 * end-to-end p50/p99 (sent → its record deleted from the queue after the consumer stored it),
 * LOST (acknowledged, not stored), dead letters and retried failures grouped by reason.
 *
 *   npx tsx bench/webhook-pipeline.bench.ts [seconds] [connections]
 *   (BENCH_POLL_CONCURRENCY: batches in flight per consumer, default 5; BENCH_TRACE=1: a line a second)
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request, Agent } from 'node:http';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ManualClock } from '../infra/local/clock';
import type { LocalLog } from '../infra/local/log';
import type { Platform } from '../infra/local/platform';
import type { TwilioSandbox } from '../infra/local/twilio-sandbox';
import { validCustomer } from '../test/support/fixtures';

const DURATION_SECONDS = Number(process.argv[2] ?? process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.argv[3] ?? process.env.BENCH_CONNECTIONS ?? 32);
const CUSTOMERS = 4;
/** Batches in flight per consumer (Lambda starts an SQS event source with 5 pollers). */
const POLL_CONCURRENCY = Number(process.env.BENCH_POLL_CONCURRENCY ?? 5);
/** After the load: how long the queues may take to empty on the real clock before retries are fast-forwarded. */
const DRAIN_LIMIT_SECONDS = 900;
const TARGET_PER_SECOND = 1000;

/** Traffic mix (fractions of webhooks). */
const MIX = { inbound: 0.2, duplicate: 0.02, keyword: 0.01, outOfOrder: 0.15, undelivered: 0.03, emptyAddress: 0.01 };

// --- the load generator (child process) ------------------------------------------------------

interface Tenant {
  accountSid: string;
  authToken: string;
  number: string;
}

interface GeneratorInput {
  statusUrl: string;
  inboundUrl: string;
  tenants: Tenant[];
  seconds: number;
  connections: number;
}

/** One webhook as the generator sent it: [token, kind, tenant, MessageSid, status, HTTP status, sentAt ms, duplicate 0/1, empty address 0/1]. */
type Sent = [string, 's' | 'i', number, string, string, number, number, 0 | 1, 0 | 1];

interface GeneratorOutput {
  sent: Sent[];
  latenciesMs: number[];
  errors: number;
}

/** Mulberry32: the same traffic on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** X-Twilio-Signature of a form POST: HMAC-SHA1 over the URL and the sorted name+value pairs (as the sandbox signs). */
function sign(authToken: string, url: string, params: Array<[string, string]>): string {
  const data = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, v]) => n + v).join('');
  return createHmac('sha1', authToken).update(Buffer.from(url + data, 'utf8')).digest('base64');
}

async function runGenerator(input: GeneratorInput): Promise<GeneratorOutput> {
  const random = prng(20260101);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const handset = () => `+1415${String(2000000 + Math.floor(random() * 7999999)).padStart(7, '0')}`;
  let tokens = 0;
  const token = () => `bench-${(++tokens).toString(36)}-${hex(8)}`;

  interface Webhook { url: string; kind: 's' | 'i'; tenant: number; sid: string; status: string; token: string; body: string; signature: string; emptyAddress: 0 | 1 }
  const build = (kind: 's' | 'i', tenant: number, params: Array<[string, string]>, sid: string, status: string, emptyAddress: 0 | 1): Webhook => {
    const url = kind === 's' ? input.statusUrl : input.inboundUrl;
    const t = input.tenants[tenant]!;
    return { url, kind, tenant, sid, status, token: token(), body: new URLSearchParams(params).toString(), signature: sign(t.authToken, url, params), emptyAddress };
  };

  // Outbound messages in flight, each with the callbacks Twilio still has to send for it.
  const outbound: Array<{ tenant: number; sid: string; to: string; pending: string[] }> = [];
  function nextStatus(): Webhook {
    if (outbound.length < 400) {
      const statuses = ['queued', 'sent', random() < MIX.undelivered ? 'undelivered' : 'delivered'];
      if (random() < MIX.outOfOrder) statuses.sort(() => random() - 0.5);
      outbound.push({ tenant: Math.floor(random() * input.tenants.length), sid: `SM${hex(32)}`, to: handset(), pending: statuses });
    }
    const at = Math.floor(random() * outbound.length);
    const message = outbound[at]!;
    const status = message.pending.shift()!;
    if (message.pending.length === 0) outbound.splice(at, 1);
    const t = input.tenants[message.tenant]!;
    let from = t.number;
    let to = message.to;
    let emptyAddress: 0 | 1 = 0;
    if (random() < MIX.emptyAddress) {
      emptyAddress = 1;
      if (random() < 0.5) from = '';
      else to = '';
    }
    const params: Array<[string, string]> = [
      ['AccountSid', t.accountSid], ['ApiVersion', '2010-04-01'], ['From', from], ['MessageSid', message.sid], ['MessageStatus', status],
      ['SmsSid', message.sid], ['SmsStatus', status], ['To', to],
      ...(status === 'undelivered' ? ([['ErrorCode', '30003']] as Array<[string, string]>) : []),
    ];
    return build('s', message.tenant, params, message.sid, status, emptyAddress);
  }
  function nextInbound(): Webhook {
    const tenant = Math.floor(random() * input.tenants.length);
    const t = input.tenants[tenant]!;
    const sid = `SM${hex(32)}`;
    const body = random() < MIX.keyword ? (random() < 0.5 ? 'STOP' : 'START') : `Hello, is the order ${hex(6)} ready?`;
    const params: Array<[string, string]> = [
      ['AccountSid', t.accountSid], ['ApiVersion', '2010-04-01'], ['Body', body], ['From', handset()], ['FromCountry', 'US'], ['MessageSid', sid],
      ['NumMedia', '0'], ['NumSegments', '1'], ['SmsMessageSid', sid], ['SmsSid', sid], ['SmsStatus', 'received'], ['To', t.number], ['ToCountry', 'US'],
    ];
    return build('i', tenant, params, sid, 'received', 0);
  }

  const recent: Webhook[] = [];
  const sent: Sent[] = [];
  const latenciesMs: number[] = [];
  let errors = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: input.connections });
  const post = (webhook: Webhook): Promise<number> =>
    new Promise((resolve) => {
      const url = new URL(webhook.url);
      if (url.hostname !== '127.0.0.1') throw new Error('Load is only ever sent to loopback');
      const req = request({
        agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(webhook.body), 'x-twilio-signature': webhook.signature, 'i-twilio-idempotency-token': webhook.token },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => {
        errors++;
        resolve(0);
      });
      req.end(webhook.body);
    });

  const end = Date.now() + input.seconds * 1000;
  async function connection(): Promise<void> {
    while (Date.now() < end) {
      let webhook: Webhook;
      let duplicate: 0 | 1 = 0;
      if (recent.length > 0 && random() < MIX.duplicate) {
        // Twilio's retry of a webhook already sent: same token, same signed body.
        webhook = recent[Math.floor(random() * recent.length)]!;
        duplicate = 1;
      } else {
        webhook = random() < MIX.inbound ? nextInbound() : nextStatus();
        recent.push(webhook);
        if (recent.length > 200) recent.shift();
      }
      const started = Date.now();
      const t0 = process.hrtime.bigint();
      const status = await post(webhook);
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      sent.push([webhook.token, webhook.kind, webhook.tenant, webhook.sid, webhook.status, status, started, duplicate, webhook.emptyAddress]);
    }
  }
  await Promise.all(Array.from({ length: input.connections }, connection));
  agent.destroy();
  return { sent, latenciesMs, errors };
}

// --- the platform side (parent process) ------------------------------------------------------

/** Real time while the load runs; `advance`/`set` move it ahead, so `drain()` fast-forwards visibility timeouts. */
function fastForwardClock(): ManualClock {
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    now,
    advance: (ms) => {
      if (ms < 0) throw new Error('A clock only moves forward');
      offset += ms;
    },
    // A time the real clock has passed meanwhile is already here: nothing to skip.
    set: (epochMs) => {
      offset += Math.max(0, epochMs - now());
    },
  };
}

function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const group = (into: Map<string, number>, key: string, n = 1) => into.set(key, (into.get(key) ?? 0) + n);

/** Numbers and ids vary per record; grouped reasons keep their shape (`SM…`, `msg_…`, counts). */
function reasonShape(reason: string): string {
  return reason
    .replace(/\b(SM|MM|AC|MG|PN)[0-9a-f]{32}\b/g, '$1…')
    .replace(/\bmsg_[0-9A-Z]{26}\b/g, 'msg_…')
    .replace(/\b(ptn|cus)_[0-9A-Za-z]+\b/g, '$1_…')
    .replace(/\bbench-[0-9a-z]+-[0-9a-f]+\b/g, 'bench-…')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>');
}

/**
 * Takes the Powertools JSON lines the handlers write (the consumers' failure lines among them)
 * off stdout/stderr while the bench runs, counting failures by consumer and reason; other output
 * passes through.
 */
function captureHandlerLogs() {
  const failures = new Map<string, number>();
  const levels = new Map<string, number>();
  const other = new Map<string, number>();
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const intercept = (original: typeof originals.out) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (!text.startsWith('{"level"')) return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as { level?: string; message?: string; reason?: string; queue?: string; willBeDeadLettered?: boolean };
          group(levels, entry.level ?? '?');
          if (entry.reason !== undefined) group(failures, `${entry.queue}: ${reasonShape(entry.reason)}${entry.willBeDeadLettered ? '  [last receive]' : ''}`);
          else group(other, `${entry.level} ${reasonShape(entry.message ?? '')}`);
        } catch {
          group(other, 'unparsed line');
        }
      }
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = intercept(originals.out);
  process.stderr.write = intercept(originals.err);
  return {
    failures, levels, other,
    passThrough: (text: string) => originals.err(text),
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

/**
 * Counts the DynamoDB calls of every handler in the process (they share one client), with their
 * time and the errors by name (a cancelled transaction by its reasons). GetItems of the
 * DocumentClient's fast path go through a client of their own and are not seen.
 */
function tallyDynamo(client: { middlewareStack: { add: (...args: any[]) => void } }) {
  const calls = new Map<string, number>();
  const errors = new Map<string, number>();
  let totalMs = 0;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const name = (context.commandName ?? '?').replace(/Command$/, '');
      group(calls, name);
      const t0 = performance.now();
      try {
        return await next(args);
      } catch (error) {
        const e = error as Error & { CancellationReasons?: Array<{ Code?: string }> };
        const reasons = e.CancellationReasons ? ` [${[...new Set(e.CancellationReasons.map((r) => r.Code ?? '?').filter((c) => c !== 'None'))].join(',')}]` : '';
        group(errors, `${name} ${e.name}${reasons}`);
        throw error;
      } finally {
        totalMs += performance.now() - t0;
      }
    },
    { step: 'initialize', name: 'benchDynamoTally' },
  );
  return { calls, errors, totalMs: () => totalMs };
}

function spawnGenerator(input: GeneratorInput): Promise<GeneratorOutput> {
  return new Promise((resolve, reject) => {
    // The same file, under the same loader (tsx), in generator mode.
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      env: { ...process.env, WEBHOOK_PIPELINE_GENERATOR: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as GeneratorOutput);
    });
  });
}

async function main(): Promise<void> {
  const { startPlatform } = await import('../infra/local/platform');
  const queueNotices: string[] = [];
  const log: LocalLog = { info: () => undefined, warn: (m) => void queueNotices.push(m), error: (m, e) => void queueNotices.push(`error: ${m}${e ? `: ${e.message}` : ''}`) };
  const clock = fastForwardClock();
  const platform: Platform = await startPlatform({ port: 0, inMemory: true, twilio: 'sandbox', throttle: false, log, tableName: 'bench-pipeline', clock });
  const logs = captureHandlerLogs();
  let trace: NodeJS.Timeout | undefined;
  try {
    const sandbox = platform.twilioSandbox as unknown as TwilioSandbox;
    const { partnerId, apiKey } = await platform.admin.createPartnerWithKey('Pipeline bench partner');
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), { marshallOptions: { removeUndefinedValues: true } });
    const { dynamoOnboardingRepository } = await import('../shared/store/onboarding');
    const numbers = dynamoOnboardingRepository(db, platform.tableName);
    // The handlers' own client (the same module instance they load).
    const dynamo = tallyDynamo((await import('../shared/store/client')).dynamoClient);

    const tenants: Array<Tenant & { customerId: string }> = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const created = await fetch(`${platform.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(validCustomer({ displayName: `Bench ${i}` })) });
      const { id: customerId } = (await created.json()) as { id: string };
      const sub = await fetch(`${platform.url}/v1/customers/${customerId}/subaccount`, { method: 'POST', headers, body: '{}' });
      const { accountSid } = (await sub.json()) as { accountSid: string };
      const number = `+1415555${String(1000 + i)}`;
      const at = new Date().toISOString();
      // The row onboarding's numbers step writes: inbound routing checks the number is this customer's.
      if ((await numbers.claimNumber({ partnerId, customerId, phoneNumber: number, status: 'registered', createdAt: at, updatedAt: at })) === 'taken') throw new Error(`${number} is taken`);
      tenants.push({ accountSid, authToken: sandbox.account(accountSid)!.authToken, number, customerId });
    }

    // When each webhook's record left the queue stored (first success per idempotency token).
    const completedAt = new Map<string, number>();
    const consumers = new Set(['queues-status', 'queues-inbound']);
    const invoke = platform.lambda.invoke;
    platform.lambda.invoke = async (id, event) => {
      const result = await invoke(id, event);
      if (consumers.has(id)) {
        const failed = new Set(((result as SQSBatchResponse | undefined)?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const now = Date.now();
        for (const record of (event as SQSEvent).Records) {
          if (failed.has(record.messageId)) continue;
          const header = JSON.parse(record.body.slice(0, record.body.indexOf('\n'))) as { idempotencyToken?: string };
          if (header.idempotencyToken && !completedAt.has(header.idempotencyToken)) completedAt.set(header.idempotencyToken, now);
        }
      }
      return result;
    };

    platform.queues.startPolling({ intervalMs: 20, concurrency: POLL_CONCURRENCY });
    const started = Date.now();
    // BENCH_TRACE=1: one line a second (queued, in flight, stored, DynamoDB calls) to see where the pipeline stalls.
    let lastCalls = 0;
    let lastMs = 0;
    trace = process.env.BENCH_TRACE
      ? setInterval(() => {
          const calls = [...dynamo.calls.values()].reduce((a, b) => a + b, 0);
          const ms = dynamo.totalMs();
          const q = (name: 'status-callbacks' | 'inbound-messages') => platform.queues.stats(name);
          logs.passThrough(`t=${((Date.now() - started) / 1000).toFixed(0)}s status ${JSON.stringify(q('status-callbacks'))} inbound ${JSON.stringify(q('inbound-messages'))} stored ${completedAt.size} ddb +${calls - lastCalls} calls, mean ${((ms - lastMs) / Math.max(1, calls - lastCalls)).toFixed(1)} ms\n`);
          lastCalls = calls;
          lastMs = ms;
        }, 1000)
      : undefined;
    const cpuBefore = process.cpuUsage();
    const generated = await spawnGenerator({
      statusUrl: `${platform.webhookBaseUrl}/status`,
      inboundUrl: `${platform.webhookBaseUrl}/inbound`,
      tenants: tenants.map(({ accountSid, authToken, number }) => ({ accountSid, authToken, number })),
      seconds: DURATION_SECONDS,
      connections: CONNECTIONS,
    });
    const loadEnded = Date.now();
    const cpuDuringLoad = process.cpuUsage(cpuBefore);
    const processedDuringLoad = completedAt.size;

    // Drain on the real clock while messages are visible or in flight, then fast-forward retries.
    const names = ['status-callbacks', 'inbound-messages'] as const;
    const busy = () => names.some((q) => {
      const s = platform.queues.stats(q);
      return s.visible > 0 || platform.queues.messages(q).some((m) => !m.visible && m.receiveCount > 0 && !m.lastFailure);
    });
    while (busy() && Date.now() - loadEnded < DRAIN_LIMIT_SECONDS * 1000) await new Promise((r) => setTimeout(r, 100));
    const drainedLive = Date.now();
    await platform.queues.stopPolling();
    // Failed deliveries as the queues saw them (reported failures and failed invocations), and
    // why the messages still waiting for a redelivery failed last.
    const polled = platform.queues.pollingTotals();
    const waiting = new Map<string, number>();
    for (const q of names) for (const m of platform.queues.messages(q)) if (m.lastFailure) group(waiting, `${q}: ${reasonShape(m.lastFailure)}`);
    const fastForward = await platform.queues.drain();
    const drained = Date.now();
    clearInterval(trace);

    // What is stored: every acknowledged webhook looked up through the message store.
    const { messageStore } = await import('../shared/store/messages');
    const messages = messageStore(db, platform.tableName);
    const acknowledged = generated.sent.filter((s) => s[5] === 200);
    const logical = new Map<string, Sent>();
    for (const s of acknowledged) if (!logical.has(s[0])) logical.set(s[0], s);
    const bySid = new Map<string, Sent[]>();
    for (const s of logical.values()) bySid.set(`${s[2]}/${s[3]}`, [...(bySid.get(`${s[2]}/${s[3]}`) ?? []), s]);
    const lost: Sent[] = [];
    const sids = [...bySid.keys()];
    const readErrors = new Map<string, number>();
    for (let i = 0; i < sids.length; i += 64) {
      await Promise.all(sids.slice(i, i + 64).map(async (key) => {
        const webhooks = bySid.get(key)!;
        const [, , tenant, sid] = webhooks[0]!;
        let stored;
        try {
          stored = await messages.get(partnerId, tenants[tenant]!.customerId, sid, true);
        } catch (error) {
          group(readErrors, (error as Error).name);
        }
        for (const w of webhooks) {
          const ok = w[1] === 'i' ? stored?.direction === 'inbound' : Boolean(stored?.statusTimes?.[w[4]]);
          if (!ok) lost.push(w);
        }
      }));
    }

    // Dead letters, by queue and reason; which of the lost ones they account for.
    const deadLetters = new Map<string, number>();
    const deadTokens = new Set<string>();
    for (const q of names) {
      for (const m of platform.queues.deadLetters(q)) {
        group(deadLetters, `${q}: ${reasonShape(m.lastFailure ?? 'no reason recorded')}`);
        const header = JSON.parse(m.body.slice(0, m.body.indexOf('\n'))) as { idempotencyToken?: string };
        if (header.idempotencyToken) deadTokens.add(header.idempotencyToken);
      }
    }
    const lostDead = lost.filter((w) => deadTokens.has(w[0]));
    const lostVanished = lost.filter((w) => !deadTokens.has(w[0]));
    const lostByKind = new Map<string, number>();
    for (const w of lostVanished) group(lostByKind, `${w[1] === 'i' ? 'inbound' : `status ${w[4]}`}${w[8] ? ' (empty From/To)' : ''}`);

    // Figures.
    const loadSeconds = (loadEnded - started) / 1000;
    const codes = new Map<string, number>();
    for (const s of generated.sent) group(codes, String(s[5]));
    const e2e = Float64Array.from([...logical.values()].filter((s) => !s[7] && completedAt.has(s[0])).map((s) => completedAt.get(s[0])! - s[6])).sort();
    const http = Float64Array.from(generated.latenciesMs).sort();
    const duplicates = acknowledged.filter((s) => s[7]).length;
    const empty = [...logical.values()].filter((s) => s[8]).length;

    logs.restore();
    console.log(`Webhook pipeline, local platform (DynamoDB Local in memory, sandbox tenants), Node ${process.version}`);
    console.log(`  load: ${DURATION_SECONDS} s, ${CONNECTIONS} connections, 1 partner × ${CUSTOMERS} customers; consumers polled with ${POLL_CONCURRENCY} batches in flight each`);
    console.log(`  mix: ${MIX.inbound * 100}% inbound (${MIX.keyword * 100}% of them STOP/START), ${MIX.duplicate * 100}% Twilio retries of a sent webhook, ${MIX.outOfOrder * 100}% of messages with callbacks out of order, ${MIX.emptyAddress * 100}% of callbacks with an empty From or To`);
    console.log('');
    console.log(`  sent                 ${generated.sent.length} webhooks (${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')}; ${generated.errors} connection errors)`);
    console.log(`  accepted             ${(acknowledged.length / loadSeconds).toFixed(0)} webhooks/s (target ≥ ${TARGET_PER_SECOND}), HTTP p50 ${percentile(http, 50).toFixed(1)} ms, p99 ${percentile(http, 99).toFixed(1)} ms`);
    console.log(`  processed            ${(processedDuringLoad / loadSeconds).toFixed(0)}/s during the load; ${(completedAt.size / ((drainedLive - started) / 1000)).toFixed(0)}/s from start until the queues were empty (${((drainedLive - loadEnded) / 1000).toFixed(1)} s after the load)`);
    console.log(`  end to end           p50 ${percentile(e2e, 50).toFixed(0)} ms, p99 ${percentile(e2e, 99).toFixed(0)} ms (sent → stored and deleted from the queue; ${e2e.length} first deliveries)`);
    console.log(`  platform CPU         ${((cpuDuringLoad.user + cpuDuringLoad.system) / 1000 / acknowledged.length).toFixed(2)} ms per accepted webhook during the load`);
    console.log(`  queue deliveries     ${polled.delivered} in ${polled.batches} batches while polling: ${polled.deleted} deleted, ${polled.failed} failed`);
    for (const [reason, n] of [...waiting].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`                         ${String(n).padStart(6)}  waiting for a redelivery after: ${reason}`);
    console.log(`  retries fast-forward ${fastForward.batches} batches, ${fastForward.delivered} deliveries, ${fastForward.deadLettered} dead-lettered (${((drained - drainedLive) / 1000).toFixed(1)} s)`);
    console.log('');
    console.log(`  acknowledged         ${logical.size} distinct webhooks (+${duplicates} retries), ${empty} with an empty From or To`);
    console.log(`  LOST                 ${lost.length} acknowledged but not stored: ${lostDead.length} in a DLQ (redrivable), ${lostVanished.length} neither stored nor dead-lettered`);
    for (const [what, n] of [...lostByKind].sort((a, b) => b[1] - a[1])) console.log(`                         ${String(n).padStart(6)}  ${what}`);
    if (readErrors.size) console.log(`  lookup errors        ${[...readErrors].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    const deadTotal = [...deadLetters.values()].reduce((a, b) => a + b, 0);
    console.log(`  dead-lettered        ${deadTotal}`);
    for (const [reason, n] of [...deadLetters].sort((a, b) => b[1] - a[1])) console.log(`                         ${String(n).padStart(6)}  ${reason}`);
    const failureTotal = [...logs.failures.values()].reduce((a, b) => a + b, 0);
    console.log(`  failed receives      ${failureTotal} (consumer log lines, each retried after the visibility timeout or dead-lettered)`);
    for (const [reason, n] of [...logs.failures].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`                         ${String(n).padStart(6)}  ${reason}`);
    const otherLines = [...logs.other].sort((a, b) => b[1] - a[1]).slice(0, 8);
    if (otherLines.length) {
      console.log('  other handler log lines');
      for (const [line, n] of otherLines) console.log(`                         ${String(n).padStart(6)}  ${line.slice(0, 160)}`);
    }
    const callCount = [...dynamo.calls.values()].reduce((a, b) => a + b, 0);
    console.log(`  DynamoDB calls       ${callCount} by the handlers (${(callCount / Math.max(1, completedAt.size)).toFixed(1)} per stored webhook, mean ${(dynamo.totalMs() / Math.max(1, callCount)).toFixed(1)} ms): ${[...dynamo.calls].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    if (dynamo.errors.size) console.log(`  DynamoDB errors      ${[...dynamo.errors].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    const platformNotices = queueNotices.filter((n) => !n.startsWith('Dead-lettered:'));
    console.log(`  queue notices        ${queueNotices.length - platformNotices.length} dead-letter lines${platformNotices.length ? `; other: ${[...new Set(platformNotices.map(reasonShape))].slice(0, 5).join(' | ')}` : ''}`);
  } finally {
    clearInterval(trace);
    logs.restore();
    await platform.stop();
  }
}

if (process.env.WEBHOOK_PIPELINE_GENERATOR) {
  runGenerator(JSON.parse(process.env.WEBHOOK_PIPELINE_GENERATOR) as GeneratorInput)
    .then((output) => process.stdout.write(JSON.stringify(output)))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
} else {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
