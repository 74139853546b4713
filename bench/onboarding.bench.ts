/**
 * What one onboarding costs, per brand type, on the local platform with the real steps, the real
 * ASL and a Twilio sandbox that reviews instantly: Twilio calls by endpoint (from the sandbox's
 * request log), state transitions (the local runner counts them as Step Functions bills them),
 * DynamoDB calls (counted by a pass-through proxy in front of DynamoDB Local, so every client in
 * the process is seen), key-service decrypts and wall time.
 *
 *   npx tsx bench/onboarding.bench.ts
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { manualClock } from '../infra/local/clock';
import { startDynamoDbLocal } from '../infra/local/dynamodb';
import { silentLog } from '../infra/local/log';
import { PROJECT_ROOT, startPlatform, type Platform } from '../infra/local/platform';
import { startTwilioSandbox, type TwilioSandbox } from '../infra/local/twilio-sandbox';
import type { KeyService } from '../shared/crypto';
import { validCustomer } from '../test/support/fixtures';

const BRAND_TYPES = ['STANDARD', 'LOW_VOLUME_STANDARD', 'SOLE_PROPRIETOR'] as const;
type BrandType = (typeof BRAND_TYPES)[number];
const MAX_STANDARD_TRANSITIONS = 60;

const CAMPAIGN = {
  useCase: 'ACCOUNT_NOTIFICATION',
  description: 'Acme sends order confirmations and delivery updates to customers who ordered online.',
  messageFlow: 'Customers opt in by checking an SMS box at checkout on https://acme.example.com/checkout and confirming by reply.',
  messageSamples: ['Acme: your order [order_id] has shipped. Reply STOP to opt out.', 'Acme: your order [order_id] was delivered. Reply HELP for help, STOP to opt out.'],
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
};
/** The shared sample customer (the same one the tests use). */
const BUSINESS = validCustomer();

function scenario(brandType: BrandType) {
  if (brandType !== 'SOLE_PROPRIETOR') return { customer: BUSINESS, options: { brandType, mock: true, campaign: CAMPAIGN, numbers: { count: 1 } } };
  const { registration: _none, ...rest } = BUSINESS;
  return {
    customer: { ...rest, legalName: 'Ada Lovelace', displayName: 'Ada Lovelace Tutoring', businessType: 'Sole Proprietorship' },
    options: {
      brandType,
      mock: false,
      campaign: { ...CAMPAIGN, useCase: 'SOLE_PROPRIETOR', messageSamples: CAMPAIGN.messageSamples.map((s) => s.replace('Acme', 'Ada Lovelace Tutoring')) },
      numbers: { count: 1 },
    },
  };
}

/**
 * Counts DynamoDB operations (X-Amz-Target) on their way to DynamoDB Local, and what they touch:
 * `GetItem CUSTOMER/ONBOARDING` is a GetItem of an onboarding row (the last label of its pk, then
 * the first of its sk; see shared/store/table.ts). A transaction counts once as an operation and
 * once per item it writes. The local runner's execution rows (`LOCAL_WORKFLOW/EXECUTION`) are not
 * counted: deployed, Step Functions keeps its executions.
 */
async function countingProxy(target: string) {
  const counts = new Map<string, number>();
  const rows = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const touched = rowsTouched(operation, body);
      // The local runner's own execution rows have no deployed counterpart (Step Functions keeps its executions).
      if (!touched.every((row) => row.includes(' LOCAL_WORKFLOW/'))) {
        counts.set(operation, (counts.get(operation) ?? 0) + 1);
        for (const row of touched) rows.set(row, (rows.get(row) ?? 0) + 1);
      }
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      forward.on('error', (error) => res.destroy(error));
      forward.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    rows,
    stop: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

type AttributeMap = Record<string, { S?: string } | undefined>;

/** `PARTNER#p#CUSTOMER#c` + `ONBOARDING` → `CUSTOMER/ONBOARDING`; idempotency rows by function. */
function rowKind(pk: string | undefined, sk: string | undefined): string {
  const labels = (pk ?? '?').split('#').filter((_, i) => i % 2 === 0);
  return `${labels[labels.length - 1]}/${(sk ?? '?').split('#')[0]}`;
}

function rowsTouched(operation: string, body: Buffer): string[] {
  const input = JSON.parse(body.toString('utf8') || '{}') as {
    Key?: AttributeMap;
    Item?: AttributeMap;
    ExpressionAttributeValues?: AttributeMap;
    TransactItems?: Array<Record<string, { Key?: AttributeMap; Item?: AttributeMap }>>;
  };
  const of = (m: AttributeMap | undefined) => rowKind(m?.pk?.S, m?.sk?.S);
  if (input.TransactItems) {
    return input.TransactItems.flatMap((item) => Object.entries(item).map(([kind, op]) => `${operation}:${kind} ${of(op.Key ?? op.Item)}`));
  }
  if (operation === 'Query') return [`Query ${rowKind(input.ExpressionAttributeValues?.[':pk']?.S, '*')}`];
  return [`${operation} ${of(input.Key ?? input.Item)}`];
}

/** `POST /v1/CustomerProfiles/{sid}/EntityAssignments`: SIDs folded so calls group by endpoint. */
const template = (method: string, path: string) => `${method} ${path.replace(/(?<=\/)[A-Z]{2}[0-9a-f]{32}(?=[/.]|$)/g, '{sid}')}`;

async function call(platform: Platform, apiKey: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${platform.url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

interface Result {
  brandType: BrandType;
  status: string;
  wallMs: number;
  transitions: number;
  twilio: Map<string, number>;
  dynamo: Map<string, number>;
  /** Operation and row kind → count (see countingProxy). */
  dynamoRows: Map<string, number>;
  decrypts: number;
  eventResumes: number;
  pollResumes: number;
  redundantReads: string[];
}

async function onboardOnce(platform: Platform, sandbox: TwilioSandbox, apiKey: string, brandType: BrandType, dynamo: { counts: Map<string, number>; rows: Map<string, number> }, decrypts: { count: number }): Promise<Result> {
  const { customer, options } = scenario(brandType);
  const created = await call(platform, apiKey, 'POST', '/v1/customers', customer);
  const firstRequest = sandbox.requests().length;
  dynamo.counts.clear();
  dynamo.rows.clear();
  decrypts.count = 0;
  const began = performance.now();

  const started = await call(platform, apiKey, 'POST', `/v1/customers/${created.id}/onboarding`, options);
  for (let round = 0; round < 50; round++) {
    await platform.workflow.whenIdle();
    const execution = platform.workflow.execution(started.executionName)!;
    if (execution.status !== 'RUNNING') break;
    // The owner answers the sole proprietor's OTP text as soon as the brand asks for it.
    if (execution.waiting?.state === 'WaitBrand') {
      const brand = (await call(platform, apiKey, 'GET', `/v1/customers/${created.id}/onboarding`)).steps.find((s: { step: string }) => s.step === 'brand');
      if (brand.waitingFor?.startsWith('brand-otp:')) await sandbox.confirmBrandOtp(brand.sids.brandSid);
    }
    await sandbox.advance(1);
    await platform.queues.drain();
  }
  const wallMs = performance.now() - began;
  const execution = platform.workflow.execution(started.executionName)!;
  const timeline = await call(platform, apiKey, 'GET', `/v1/customers/${created.id}/onboarding`);

  const twilio = new Map<string, number>();
  for (const r of sandbox.requests().slice(firstRequest)) twilio.set(template(r.method, r.path), (twilio.get(template(r.method, r.path)) ?? 0) + 1);

  // A wait resumed by its event needs exactly one status read (Check); more reads than waits means polling.
  const entered = (name: string) => execution.history.filter((h) => h.type === 'StateEntered' && h.state?.name === name).length;
  const caughtTimeouts = execution.history.filter((h) => h.type === 'StateCaught' || h.type === 'TaskTimedOut').length;
  const waits = execution.history.filter((h) => h.type === 'StateEntered' && h.state?.name.startsWith('Wait')).length;
  const checks = execution.history.filter((h) => h.type === 'StateEntered' && h.state?.name.startsWith('Check')).length;
  const redundantReads: string[] = [];
  for (const step of ['Brand', 'Campaign', 'Numbers']) {
    if (entered(`Check${step}`) > entered(`Wait${step}`)) redundantReads.push(`${step}: ${entered(`Check${step}`)} checks for ${entered(`Wait${step}`)} waits`);
  }
  return {
    brandType, status: timeline.status, wallMs, transitions: execution.transitions, twilio, dynamo: new Map(dynamo.counts), dynamoRows: new Map(dynamo.rows), decrypts: decrypts.count,
    eventResumes: Math.min(waits, checks) - caughtTimeouts, pollResumes: caughtTimeouts, redundantReads,
  };
}

/** The guide's call sequence (TWILIO.md §2.1/§2.2) as endpoint → calls, to compare against. */
function guideSequence(brandType: BrandType): Map<string, number> {
  const soleProp = brandType === 'SOLE_PROPRIETOR';
  return new Map([
    // §1 subaccount, §2.7 Event Streams sink + subscription in it, §3 number search + purchase.
    ['POST /2010-04-01/Accounts.json', 1],
    ['POST /v1/Sinks', 1],
    ['POST /v1/Subscriptions', 1],
    ['GET /2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/US/Local.json', 1],
    ['POST /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json', 1],
    ['POST /v1/CustomerProfiles', 1],
    ['POST /v1/EndUsers', soleProp ? 2 : 3],
    ['POST /v1/CustomerProfiles/{sid}/EntityAssignments', soleProp ? 3 : 4],
    ['POST /2010-04-01/Accounts/{sid}/Addresses.json', 1],
    ['POST /v1/SupportingDocuments', 1],
    ['POST /v1/CustomerProfiles/{sid}/Evaluations', 1],
    ['POST /v1/CustomerProfiles/{sid}', 1],
    ['POST /v1/TrustProducts', 1],
    ['POST /v1/TrustProducts/{sid}/EntityAssignments', 2],
    ['POST /v1/TrustProducts/{sid}/Evaluations', 1],
    ['POST /v1/TrustProducts/{sid}', 1],
    ['POST /v1/a2p/BrandRegistrations', 1],
    ['POST /v1/Services', 1],
    ['GET /v1/Services/{sid}/Compliance/Usa2p/Usecases', 1],
    ['POST /v1/Services/{sid}/Compliance/Usa2p', 1],
    ['POST /v1/Services/{sid}/PhoneNumbers', 1],
  ]);
}

function report(r: Result): void {
  const total = [...r.twilio.values()].reduce((a, b) => a + b, 0);
  const dynamoTotal = [...r.dynamo.values()].reduce((a, b) => a + b, 0);
  console.log(`\n== ${r.brandType}: ${r.status} in ${r.wallMs.toFixed(0)} ms`);
  console.log(`   state transitions ${r.transitions}${r.brandType === 'STANDARD' ? ` (target ≤ ${MAX_STANDARD_TRANSITIONS}: ${r.transitions <= MAX_STANDARD_TRANSITIONS ? 'met' : 'MISSED'})` : ''}`);
  console.log(`   Twilio calls ${total}; DynamoDB calls ${dynamoTotal} (${[...r.dynamo].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ')})`);
  console.log(`   key-service decrypts ${r.decrypts}; waits resumed by event ${r.eventResumes}, by poll timeout ${r.pollResumes}`);
  const guide = guideSequence(r.brandType);
  console.log('   Twilio calls by endpoint                                            calls  guide');
  for (const [endpoint, n] of [...r.twilio].sort((a, b) => a[0].localeCompare(b[0]))) {
    const expected = guide.get(endpoint);
    // Reads the guide does not list are look-ups before create (idempotency) and status reads after a wait.
    const note = expected === undefined ? (endpoint.startsWith('GET ') ? '  read: look-up or status check' : '  NOT IN THE GUIDE') : n > expected ? '  MORE THAN THE GUIDE' : '';
    console.log(`     ${endpoint.padEnd(66)} ${String(n).padStart(4)}  ${expected === undefined ? '    -' : String(expected).padStart(5)}${note}`);
  }
  for (const [endpoint] of [...guide].filter(([e]) => !r.twilio.has(e))) console.log(`     ${endpoint.padEnd(66)}    0  (guide call not made)`);
  console.log('   DynamoDB calls by operation and row (pk label/sk label)');
  for (const [row, n] of [...r.dynamoRows].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) console.log(`     ${row.padEnd(66)} ${String(n).padStart(4)}`);
  console.log(`   redundant status reads: ${r.redundantReads.length === 0 ? 'none (every wait was resumed by its event and read once)' : r.redundantReads.join('; ')}`);
}

async function main(): Promise<number> {
  const dynamoLocal = await startDynamoDbLocal({ inMemory: true });
  const proxy = await countingProxy(dynamoLocal.endpoint);
  const sandbox = await startTwilioSandbox({ reviewDelaySeconds: 0 });
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      port: 0,
      dynamoDbEndpoint: proxy.url,
      tableName: 'switchboard-bench',
      twilio: { accountSid: sandbox.masterAccountSid, authToken: sandbox.masterAuthToken, baseUrl: sandbox.url },
      env: { TWILIO_PRIMARY_PROFILE_SID: sandbox.primaryCustomerProfileSid },
      clock: manualClock(),
      throttle: false,
      log: silentLog,
    });
    // The handlers share this process's module cache, so this is the key service the steps use.
    const { keyService } = require(resolve(PROJECT_ROOT, 'shared/wiring/keys')) as { keyService: KeyService };
    const decrypts = { count: 0 };
    const decrypt = keyService.decrypt.bind(keyService);
    keyService.decrypt = (ciphertext, context) => {
      decrypts.count += 1;
      return decrypt(ciphertext, context);
    };
    const { apiKey } = await platform.admin.createPartnerWithKey('Bench partner');

    // One warm-up onboarding so module loading and first connections are not measured.
    await onboardOnce(platform, sandbox, apiKey, 'STANDARD', proxy, decrypts);
    const results: Result[] = [];
    for (const brandType of BRAND_TYPES) results.push(await onboardOnce(platform, sandbox, apiKey, brandType, proxy, decrypts));
    for (const r of results) report(r);
    console.log('\nbrand type              status     wall ms  transitions  Twilio  DynamoDB  decrypts');
    for (const r of results) {
      const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      console.log(`${r.brandType.padEnd(23)} ${r.status.padEnd(9)} ${r.wallMs.toFixed(0).padStart(8)} ${String(r.transitions).padStart(12)} ${String(sum(r.twilio)).padStart(7)} ${String(sum(r.dynamo)).padStart(9)} ${String(r.decrypts).padStart(9)}`);
    }
    const standard = results.find((r) => r.brandType === 'STANDARD')!;
    return results.every((r) => r.status === 'succeeded') && standard.transitions <= MAX_STANDARD_TRANSITIONS ? 0 : 1;
  } finally {
    await platform?.stop();
    await sandbox.stop();
    await proxy.stop();
    await dynamoLocal.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
