/**
 * The webhook receiver's cost, each figure beside its baseline:
 *   1. in-process handler time (decode → parse → verify → enqueue, caches warm) vs a bare
 *      decode + parse + verify with node:crypto, and a forged signature vs a valid check;
 *   2. the receiver bundle (esbuild, minified, as the stack bundles it) vs the AWS SDK clients it needs;
 *   3. loopback HTTP under load (autocannon in a child process) vs Express + `twilio.webhook()`.
 *
 *   npx tsx bench/webhook-receiver.bench.ts [iterations] [seconds per load run]
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import twilio from 'twilio';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { build } from 'esbuild';
import { catalog } from '../infra/catalog';
import { createLocalKeyService, createTokenCache } from '../shared/crypto';
import type { QueuePort } from '../shared/queue/port';
import { createReceiver, type FunctionUrlRequest } from '../shared/webhooks/receiver';
import { createTenantCache } from '../shared/webhooks/tenants';
import { decodeEventBody, parseFormBody, verifyFormSignature } from '../shared/twilio/webhook-signature';
import { measureBundles } from './bundles';

const ITERATIONS = Number(process.argv[2] ?? 50_000);
const LOAD_SECONDS = Number(process.argv[3] ?? 5);
const ROOT = join(__dirname, '..');

const TOKEN = '9f4e2b1c7a3d5e6f8091a2b3c4d5e6f7';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const PARAMS: Array<[string, string]> = [
  ['ToCountry', 'US'], ['ToState', 'CA'], ['SmsMessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['NumMedia', '0'],
  ['ToCity', 'SAN FRANCISCO'], ['FromZip', '94105'], ['SmsSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['FromState', 'CA'],
  ['SmsStatus', 'received'], ['FromCity', 'SAN FRANCISCO'], ['Body', 'Hello, can I book a table for 2 people tonight?'],
  ['FromCountry', 'US'], ['To', '+14155550100'], ['MessagingServiceSid', 'MG0123456789abcdef0123456789abcdef'], ['ToZip', '94107'],
  ['NumSegments', '1'], ['MessageSid', 'SM1f0e2d3c4b5a69788796a5b4c3d2e1f0'], ['AccountSid', ACCOUNT],
  ['From', '+14155550199'], ['ApiVersion', '2010-04-01'],
];
const BODY = new URLSearchParams(PARAMS).toString();

async function receiverFor(url: string) {
  const keys = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });
  const context = { accountSid: ACCOUNT, partnerId: 'ptn_bench', customerId: 'cus_bench' };
  const tenant = { ...context, encryptedAuthToken: await keys.encrypt(TOKEN, context) };
  const queue: QueuePort = { send: async () => undefined, sendBatch: async () => undefined };
  const receive = createReceiver({
    kind: 'inbound', format: 'form', url: async () => url, queueName: 'inbound-messages', queue,
    tenants: createTenantCache({ ttlSeconds: 300, lookup: async () => tenant }),
    tokens: createTokenCache({ keys, ttlSeconds: 300 }),
    previousTokens: createTokenCache({ keys, ttlSeconds: 300 }),
    rejected: () => undefined, failed: () => undefined,
  });
  return { receive };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Times several candidates interleaved in rounds of 1,000 runs each, so that a drift in the
 * machine's speed during the run (this is a shared VM) weighs on every candidate alike instead of
 * on whichever happened to run in the slow stretch.
 */
async function timeInterleaved(candidates: ReadonlyArray<() => unknown>): Promise<Array<{ median: number; p99: number }>> {
  const ROUND = 1000;
  for (const run of candidates) for (let i = 0; i < ITERATIONS / 5; i++) await run();
  const samples = candidates.map(() => new Float64Array(ITERATIONS));
  for (let offset = 0; offset < ITERATIONS; offset += ROUND) {
    for (let c = 0; c < candidates.length; c++) {
      const run = candidates[c]!;
      for (let i = offset; i < Math.min(ITERATIONS, offset + ROUND); i++) {
        const start = process.hrtime.bigint();
        await run();
        samples[c]![i] = Number(process.hrtime.bigint() - start) / 1000;
      }
    }
  }
  return samples.map((s) => {
    s.sort();
    return { median: percentile(s, 50), p99: percentile(s, 99) };
  });
}

async function inProcess(): Promise<void> {
  const url = 'https://hooks.example.com/prod/twilio/inbound';
  const { receive } = await receiverFor(url);
  const signature = getExpectedTwilioSignature(TOKEN, url, Object.fromEntries(PARAMS));
  const event = (sig: string): FunctionUrlRequest => ({
    rawQueryString: '', headers: { 'x-twilio-signature': sig, 'i-twilio-idempotency-token': 'tok' },
    body: Buffer.from(BODY).toString('base64'), isBase64Encoded: true, requestContext: { http: { method: 'POST' } },
  });
  const valid = event(signature);
  const forged = event('q1Sx0FYgNh3KzM9mTa2bXv7RkPw=');
  if ((await receive(valid)).statusCode !== 200 || (await receive(forged)).statusCode !== 403) throw new Error('receiver verdicts are wrong');
  const bareVerify = () => {
    const params = parseFormBody(decodeEventBody(valid));
    if (!verifyFormSignature({ url, authToken: TOKEN, signature, params }).valid) throw new Error('baseline verdict');
  };
  const [baseline, handler, rejected] = await timeInterleaved([bareVerify, () => receive(valid), () => receive(forged)]);
  console.log(`\n1. In-process, ${ITERATIONS} runs each, interleaved, base64 form body of ${PARAMS.length} params (µs)`);
  console.log('                                   median     p99');
  console.log(`   baseline decode+parse+verify  ${baseline.median.toFixed(2).padStart(8)} ${baseline.p99.toFixed(2).padStart(8)}`);
  console.log(`   receiver (verify + enqueue)   ${handler.median.toFixed(2).padStart(8)} ${handler.p99.toFixed(2).padStart(8)}   ratio ${(handler.median / baseline.median).toFixed(2)}× (target ≤ 1.2×), p99 target ≤ 100`);
  console.log(`   receiver, forged signature    ${rejected.median.toFixed(2).padStart(8)} ${rejected.p99.toFixed(2).padStart(8)}   ${(rejected.median / handler.median).toFixed(2)}× a valid request (target ≤ 2×)`);
}

async function bundles(): Promise<void> {
  const spec = catalog.find((f) => f.id === 'webhooks-inbound')!;
  const [receiver] = await measureBundles([spec]);
  // The clients the receiver needs, bundled the same way: its size is what the receiver adds to.
  const dir = join(ROOT, 'node_modules', '.cache', 'webhook-bench');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'sdk-clients.ts');
  writeFileSync(entry, "export { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';\nexport { KMSClient, DecryptCommand } from '@aws-sdk/client-kms';\nexport { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\n");
  const out = join(dir, 'sdk-clients.js');
  await build({ entryPoints: [entry], outfile: out, bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'silent', mainFields: ['module', 'main'] });
  const sdkBytes = Number(execFileSync('stat', ['-c', '%s', out]).toString());
  rmSync(dir, { recursive: true, force: true });
  console.log('\n2. Bundle (esbuild, minified, as the stack bundles it)');
  console.log(`   webhooks-inbound: ${(receiver!.bytes / 1024).toFixed(0)} KB, cold require ${receiver!.coldRequireMs.toFixed(1)} ms, twilio included: ${receiver!.includesTwilio}`);
  console.log(`   heaviest: ${receiver!.heaviestPackages.join(', ')}`);
  console.log(`   SDK clients alone (DynamoDB + lib-dynamodb, KMS, SQS): ${(sdkBytes / 1024).toFixed(0)} KB → the receiver adds ${((receiver!.bytes - sdkBytes) / 1024).toFixed(0)} KB (target ≤ 50 KB)`);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface LoadResult {
  rps: number;
  p99: number;
  non2xx: number;
  cpuUsPerRequest: number;
}

/** autocannon in its own process, so the server process's CPU is the server's alone. */
function load(url: string, connections: number, signature: string): Promise<LoadResult> {
  const script = `
    const autocannon = require('autocannon');
    autocannon({ url: ${JSON.stringify(url)}, method: 'POST', connections: ${connections}, duration: ${LOAD_SECONDS},
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': ${JSON.stringify(signature)} },
      body: ${JSON.stringify(BODY)} }, (err, r) => { if (err) throw err;
      process.stdout.write(JSON.stringify({ rps: r.requests.average, p99: r.latency.p99, total: r.requests.total, non2xx: r.non2xx })); });`;
  return new Promise((resolve, reject) => {
    const before = process.cpuUsage();
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => {
      const cpu = process.cpuUsage(before);
      const r = JSON.parse(out) as { rps: number; p99: number; total: number; non2xx: number };
      resolve({ rps: r.rps, p99: r.p99, non2xx: r.non2xx, cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, r.total) });
    });
  });
}

async function http(): Promise<void> {
  // Ours: the function URL path of the local platform (event built as a function URL delivers it) → receiver.
  const { functionUrlEvent } = await import('../infra/local/function-urls');
  let ours: Awaited<ReturnType<typeof receiverFor>>['receive'] = async () => ({ statusCode: 500 });
  const oursServer = createServer(async (req, res) => {
    const body = await readBody(req);
    const [path, query = ''] = (req.url ?? '/').split('?');
    const result = await ours(functionUrlEvent(req, path!, query, body, '127.0.0.1', 'webhooks-inbound', 'us-east-1'));
    res.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  const oursPort = await listen(oursServer);
  const oursUrl = `http://127.0.0.1:${oursPort}/webhooks/inbound`;
  ours = (await receiverFor(oursUrl)).receive;

  // Theirs: Express + urlencoded + twilio.webhook() (which takes the URL up front, hence the port first),
  // the same no-op enqueue and the same TwiML answer.
  const queue: QueuePort = { send: async () => undefined, sendBatch: async () => undefined };
  const expressServer = createServer();
  const expressUrl = `http://127.0.0.1:${await listen(expressServer)}/webhooks/inbound`;
  const app = express();
  app.post('/webhooks/inbound', express.urlencoded({ extended: false }), twilio.webhook(TOKEN, { url: expressUrl }), async (req, res) => {
    await queue.send('inbound-messages', JSON.stringify({ kind: 'inbound', params: req.body, receivedAt: new Date().toISOString() }));
    res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
  expressServer.on('request', app);

  const sign = (url: string) => getExpectedTwilioSignature(TOKEN, url, Object.fromEntries(PARAMS));
  console.log(`\n3. Loopback HTTP, ${LOAD_SECONDS} s per run, autocannon in a child process`);
  console.log('   server                     conns   req/s    p99 ms  non-2xx  server CPU µs/webhook');
  const rows: Record<string, LoadResult> = {};
  for (const connections of [10, 50]) {
    for (const [name, url] of [['function URL + receiver', oursUrl], ['Express + twilio.webhook', expressUrl]] as const) {
      const r = await load(url, connections, sign(url));
      rows[`${name}/${connections}`] = r;
      console.log(`   ${name.padEnd(26)} ${String(connections).padStart(5)} ${r.rps.toFixed(0).padStart(7)} ${String(r.p99).padStart(9)} ${String(r.non2xx).padStart(8)} ${r.cpuUsPerRequest.toFixed(1).padStart(12)}`);
    }
    const a = rows[`function URL + receiver/${connections}`]!;
    const b = rows[`Express + twilio.webhook/${connections}`]!;
    console.log(`   → ${connections} connections: ${(a.rps / b.rps).toFixed(2)}× the requests/s at ${(a.cpuUsPerRequest / b.cpuUsPerRequest).toFixed(2)}× the CPU per webhook (target ≥ 2× req/s)`);
  }
  oursServer.close();
  expressServer.close();
}

async function main(): Promise<void> {
  await inProcess();
  await bundles();
  await http();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
