/**
 * The partner event log under load, on DynamoDB Local: events per second appended for ONE partner
 * at a few concurrency levels (10 s each), with DynamoDB calls per append, conflict retries, the
 * hottest item's and the hottest partition's writes per second, append latency, and a read-back
 * of everything through the cursor (every event exactly once). Beside it: what DynamoDB Local
 * does with two-item transactions and nothing else (its own ceiling on this machine), and the
 * former design (one counter per partner) at the same concurrency.
 *
 * "P processes × C appenders" means P instances of the service (each one a Lambda container or
 * the local platform: its own counter hints and group commit) with C concurrent appenders each.
 *
 *   npx tsx bench/partner-events.bench.ts [seconds per level]
 */
import { cpus, loadavg } from 'node:os';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localDynamoClient, startDynamoDbLocal } from '../infra/local/dynamodb';
import { partnerEventService, type PartnerEventPage } from '../shared/services/partner-events';
import type { PartnerEventInput } from '../shared/services/partner-events-contract';
import { systemClock } from '../shared/services/support';
import { dynamoPartnerEventRepository, type PartnerEventRepository } from '../shared/store/partner-events';

const SECONDS = Number(process.argv[2] ?? 10);
const TABLE = 'switchboard-bench-events';
const TARGET = 1000;
const SUBJECTS = 5000;

interface Counts {
  calls: Map<string, number>;
  /** Write attempts per item (pk|sk), committed or not: a cancelled transaction is charged too. */
  attempts: Map<string, number>;
  /** Committed writes per item and per partition. */
  committedItems: Map<string, number>;
  committedPartitions: Map<string, number>;
  transactionItems: number;
}

const fresh = (): Counts => ({ calls: new Map(), attempts: new Map(), committedItems: new Map(), committedPartitions: new Map(), transactionItems: 0 });
const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
const max = (m: Map<string, number>) => [...m].reduce<[string, number]>((best, e) => (e[1] > best[1] ? e : best), ['-', 0]);

/** Counts every command the service sends, and what each transaction writes, on the way to DynamoDB Local. */
function counting(db: DynamoDBDocumentClient, counts: { current: Counts }): DynamoDBDocumentClient {
  return new Proxy(db, {
    get(target, property) {
      if (property !== 'send') return Reflect.get(target, property);
      return async (command: { constructor: { name: string }; input: unknown }) => {
        const c = counts.current;
        bump(c.calls, command.constructor.name.replace(/Command$/, ''));
        const items = command instanceof TransactWriteCommand ? (command.input.TransactItems ?? []) : [];
        const keys = items.map((i) => {
          const key = (i.Put?.Item ?? i.Update?.Key ?? i.Delete?.Key ?? i.ConditionCheck?.Key)!;
          return { pk: String(key.pk), item: `${key.pk}|${key.sk}` };
        });
        for (const k of keys) bump(c.attempts, k.item);
        c.transactionItems += keys.length;
        const reply = await (target.send as (cmd: unknown) => Promise<unknown>)(command);
        for (const k of keys) {
          bump(c.committedItems, k.item);
          bump(c.committedPartitions, k.pk);
        }
        return reply;
      };
    },
  });
}

const event = (i: number): PartnerEventInput => ({
  type: 'message.status.updated',
  customerId: 'cus_bench',
  data: { messageId: `msg_${String(i % SUBJECTS).padStart(6, '0')}`, sid: `SM${i}`, status: 'delivered', occurredAt: new Date().toISOString() },
});

interface Level {
  label: string;
  processes: number;
  perProcess: number;
  /** The former design: every event of the partner on one counter. */
  oneCounter?: boolean;
}

interface Outcome {
  level: Level;
  partnerId: string;
  appended: number;
  seconds: number;
  latencies: number[];
  conflicts: number;
  contended: number;
  failures: number;
  counts: Counts;
}

async function appendFor(db: DynamoDBDocumentClient, counts: { current: Counts }, level: Level, partnerId: string): Promise<Outcome> {
  counts.current = fresh();
  let conflicts = 0;
  let contended = 0;
  let failures = 0;
  const repository = (): PartnerEventRepository => {
    const repo = dynamoPartnerEventRepository(counting(db, counts), TABLE);
    return level.oneCounter ? { ...repo, shardOf: () => 0 } : repo;
  };
  const services = Array.from({ length: level.processes }, () =>
    partnerEventService({ events: repository(), clock: systemClock, onRetry: (r) => (r === 'conflict' ? conflicts++ : contended++) }),
  );
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let n = 0;
  const began = performance.now();
  const end = began + SECONDS * 1000;
  await Promise.all(
    services.flatMap((service) =>
      Array.from({ length: level.perProcess }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          try {
            await service.append(partnerId, event(Math.floor(Math.random() * 1e9)));
            latencies.push(performance.now() - t);
            n++;
          } catch (error) {
            failures++;
            const message = (error as Error).message.replace(/ptn_\w+/, 'ptn_…').replace(/\d+ attempts/, 'N attempts');
            errors.set(message, (errors.get(message) ?? 0) + 1);
          }
        }
      }),
    ),
  );
  for (const [message, count] of errors) console.error(`${level.label}: ${count} × ${message}`);
  return { level, partnerId, appended: n, seconds: (performance.now() - began) / 1000, latencies, conflicts, contended, failures, counts: counts.current };
}

/** Reads the partner's whole log back through the cursor: every event exactly once? */
async function readBack(db: DynamoDBDocumentClient, counts: { current: Counts }, partnerId: string, expected: number) {
  counts.current = fresh();
  const log = partnerEventService({ events: dynamoPartnerEventRepository(counting(db, counts), TABLE), clock: systemClock });
  const ids = new Set<string>();
  let total = 0;
  let pages = 0;
  let cursor: string | undefined;
  const began = performance.now();
  for (;;) {
    const page: PartnerEventPage = await log.list(partnerId, cursor, 100);
    pages++;
    total += page.data.length;
    for (const e of page.data) ids.add(e.id);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  const seconds = (performance.now() - began) / 1000;
  const calls = [...counts.current.calls.values()].reduce((a, b) => a + b, 0);
  return { total, unique: ids.size, expected, pages, seconds, callsPerPage: calls / pages };
}

/** DynamoDB Local's own ceiling: two-item transactions on distinct items, nothing to conflict. */
async function rawTransactions(db: DynamoDBDocumentClient, concurrency: number, seconds: number): Promise<number> {
  let n = 0;
  const began = performance.now();
  const end = began + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const pk = `RAW#${w}#${i}`;
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Update: { TableName: TABLE, Key: { pk, sk: 'COUNTER' }, UpdateExpression: 'SET #s = :one', ConditionExpression: 'attribute_not_exists(#s)', ExpressionAttributeNames: { '#s': 'sequence' }, ExpressionAttributeValues: { ':one': 1 } } },
              { Put: { TableName: TABLE, Item: { pk, sk: 'EVENT#000000000001', data: { status: 'delivered' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        n++;
      }
    }),
  );
  return n / ((performance.now() - began) / 1000);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function report(o: Outcome): string {
  const perSecond = o.appended / o.seconds;
  const calls = [...o.counts.calls.values()].reduce((a, b) => a + b, 0);
  const transactions = o.counts.calls.get('TransactWrite') ?? 0;
  const gets = o.counts.calls.get('Get') ?? 0;
  const [, hotAttempts] = max(o.counts.attempts);
  const [hotItem, hotCommitted] = max(o.counts.committedItems);
  const [, hotPartition] = max(o.counts.committedPartitions);
  const sorted = [...o.latencies].sort((a, b) => a - b);
  const row = [
    o.level.label.padEnd(36),
    perSecond.toFixed(0).padStart(7),
    (calls / o.appended).toFixed(2).padStart(11),
    `${(transactions / o.appended).toFixed(2)} tx + ${(gets / o.appended).toFixed(2)} get`.padStart(20),
    (o.appended / Math.max(1, transactions - o.conflicts - o.contended)).toFixed(1).padStart(6),
    (o.conflicts / o.appended).toFixed(2).padStart(9),
    (o.contended / o.appended).toFixed(2).padStart(9),
    (hotCommitted / o.seconds).toFixed(0).padStart(9),
    (hotAttempts / o.seconds).toFixed(0).padStart(9),
    (hotPartition / o.seconds).toFixed(0).padStart(9),
    `${pct(sorted, 50).toFixed(1)} / ${pct(sorted, 99).toFixed(1)}`.padStart(14),
  ];
  return `${row.join(' ')}${o.failures ? `  (${o.failures} appends gave up)` : ''}${hotItem.includes('COUNTER') ? '' : '  [hottest item is not a counter]'}`;
}

async function main(): Promise<number> {
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  try {
    await ensureTable(dynamo.endpoint, TABLE);
    const db = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), { marshallOptions: { removeUndefinedValues: true } });
    const counts = { current: fresh() };

    const loadBefore = loadavg()[0]!;
    // Warm the JVM and the SDK before anything is measured.
    await appendFor(db, counts, { label: 'warm-up', processes: 4, perProcess: 8 }, 'ptn_warmup');
    const ceiling = await rawTransactions(db, 32, Math.min(SECONDS, 5));

    const levels: Level[] = [
      { label: '1 process × 1 appender', processes: 1, perProcess: 1 },
      { label: '1 process × 64 appenders', processes: 1, perProcess: 64 },
      { label: '1 process × 512 appenders', processes: 1, perProcess: 512 },
      { label: '8 processes × 8 appenders', processes: 8, perProcess: 8 },
      { label: '64 processes × 1 appender', processes: 64, perProcess: 1 },
      { label: 'former design (one counter), 8 × 8', processes: 8, perProcess: 8, oneCounter: true },
      { label: 'former design (one counter), 64 × 1', processes: 64, perProcess: 1, oneCounter: true },
    ];
    const outcomes: Outcome[] = [];
    for (const [i, level] of levels.entries()) outcomes.push(await appendFor(db, counts, level, `ptn_bench_${i}`));

    console.log(`\nPartner event log on DynamoDB Local, one partner, ${SECONDS} s per level, ${SUBJECTS} subjects (message ids)`);
    console.log(`Machine: ${cpus().length} cores, 1-minute load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (other work on the machine moves every figure)`);
    console.log(`DynamoDB Local alone: ${ceiling.toFixed(0)} two-item transactions/s (32 concurrent, distinct items, no conflicts)\n`);
    console.log(
      `${'level'.padEnd(36)} ${'events/s'.padStart(7)} ${'calls/event'.padStart(11)} ${'per event'.padStart(20)} ${'ev/tx'.padStart(6)} ${'conflict'.padStart(9)} ${'contended'.padStart(9)} ${'hot item'.padStart(9)} ${'(tried)'.padStart(9)} ${'hot part.'.padStart(9)} ${'p50 / p99 ms'.padStart(14)}`,
    );
    console.log(`${''.padEnd(36)} ${''.padStart(7)} ${''.padStart(11)} ${''.padStart(20)} ${'commit'.padStart(6)} ${'retries/ev'.padStart(9)} ${'retries/ev'.padStart(9)} ${'writes/s'.padStart(9)} ${'writes/s'.padStart(9)} ${'writes/s'.padStart(9)}`);
    for (const o of outcomes) console.log(report(o));

    const best = outcomes.filter((o) => !o.level.oneCounter).reduce((a, b) => (b.appended / b.seconds > a.appended / a.seconds ? b : a));
    const bestRate = best.appended / best.seconds;
    const read = await readBack(db, counts, best.partnerId, best.appended);
    console.log(
      `\nRead back (${best.level.label}): ${read.unique} distinct of ${read.total} read, ${read.expected} appended; ${read.pages} pages of ≤ 100 in ${read.seconds.toFixed(1)} s (${(read.total / read.seconds).toFixed(0)} events/s), ${read.callsPerPage.toFixed(1)} DynamoDB calls per page`,
    );
    const independent = outcomes.filter((o) => !o.level.oneCounter && o.level.perProcess === 1 && o.level.processes > 1);
    const bestIndependent = Math.max(...independent.map((o) => o.appended / o.seconds));
    console.log(
      `Target ≥ ${TARGET} events/s for one partner: ${bestRate >= TARGET ? 'met' : 'not met'} by one process batching (best ${bestRate.toFixed(0)} events/s, ${best.level.label}); ` +
        `${bestIndependent >= TARGET ? 'met' : 'not met'} by independent single-append processes (${bestIndependent.toFixed(0)} events/s: each append is its own transaction, and DynamoDB Local runs ${ceiling.toFixed(0)} transactions/s in all here)`,
    );
    return read.unique === read.expected && read.total === read.expected ? 0 : 1;
  } finally {
    await dynamo.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
