/**
 * Partner webhook delivery on the local platform in real time (table stream poller, delivery
 * lanes polled in the background, DynamoDB Local), to loopback receivers that verify every
 * signature with `standardwebhooks`. Prints:
 *
 * - the delivery stage's throughput: a backlog of events fanned out while the delivery lanes are
 *   paused, then drained (signed POST + attempt recorded per delivery);
 * - end to end at a steady rate per partner: deliveries per second and the p50/p99 from event
 *   commit to its first delivery attempt (the receiver's arrival), for a healthy endpoint alone,
 *   next to another partner's healthy endpoint (the same load on the one DynamoDB Local), next to
 *   a dead one (connection refused) and next to a slow one (never answers);
 * - the share of a core DynamoDB Local used in each run: all partners share that one process,
 *   which is what bounds the local figures (deployed, partners' items are on their own partitions).
 *
 *   npx tsx bench/partner-webhooks.bench.ts [seconds per run] [events per second per partner] [backlog]
 *
 * Targets: ≥ 500 deliveries/s, p99 ≤ 1 s, healthy p99 with a dead or slow neighbour ≤ 1.2× its
 * p99 alone (also shown against the same load from a healthy neighbour). On a shared 2-vCPU
 * machine one run's p99 moves by ±25 %: compare runs of 15 s or more.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { Webhook } from 'standardwebhooks';
import type { Platform } from '../infra/local/platform';
import type { PartnerEventInput } from '../shared/services/partner-events-contract';

const SECONDS = Number(process.argv[2] ?? 10);
const RATE = Number(process.argv[3] ?? 100);
const BACKLOG = Number(process.argv[4] ?? 3000);

/** CPU time of a process in ms (user + system, from /proc; Linux clock ticks are 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
};

interface Receiver {
  url: string;
  arrivals: Map<string, number>;
  verified: number;
  refused: number;
  secret?: string;
  close(): Promise<void>;
}

/** healthy: 200 at once; slow: accepts and never answers. */
async function receiver(kind: 'healthy' | 'slow'): Promise<Receiver> {
  const r: Receiver = { url: '', arrivals: new Map(), verified: 0, refused: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      if (!r.arrivals.has(id)) r.arrivals.set(id, Date.now());
      if (kind === 'slow') return;
      try {
        new Webhook(r.secret!).verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
        r.verified++;
      } catch {
        r.refused++;
      }
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return r;
}

/** A port nothing listens on: connection refused. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hooks`;
}

async function main(): Promise<void> {
  const { startDynamoDbLocal } = await import('../infra/local/dynamodb');
  const { startPlatform } = await import('../infra/local/platform');
  const dynamo = await startDynamoDbLocal({ inMemory: true });
  const log = { info: () => {}, warn: () => {}, error: (m: string, e?: Error) => console.error(m, e?.message ?? '') };
  // Background polling as `npm start` runs it.
  const platform: Platform = await startPlatform({ port: 0, dynamoDbEndpoint: dynamo.endpoint, twilio: 'none', throttle: false, log, tableName: 'bench-webhooks', pollQueues: true, env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true' } });
  // Loaded after the platform set the handlers' environment, as a handler would be.
  const { partnerEvents } = await import('../shared/wiring/partner-events');
  console.log(`Partner webhooks: ${SECONDS} s per run at ${RATE} events/s per partner, backlog ${BACKLOG}; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`);

  const register = async (apiKey: string, url: string) => {
    const reply = await fetch(`${platform.url}/v1/webhook-endpoints`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ url, eventTypes: ['*'] }) });
    if (reply.status !== 201) throw new Error(`registration answered ${reply.status}: ${await reply.text()}`);
    return ((await reply.json()) as { secret: string }).secret;
  };
  const optIn = (n: number): PartnerEventInput => ({ type: 'contact.opted_in', customerId: `cus_bench${n % 20}`, data: { contact: `+1415${String(n).padStart(7, '0')}`, channel: 'sms', source: 'partner', at: new Date().toISOString() } });
  const waitFor = async (done: () => boolean, ms: number) => {
    for (const until = Date.now() + ms; !done() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
  };

  /** The delivery stage alone: a fanned-out backlog, drained by the delivery lanes. */
  async function drain() {
    const healthy = await receiver('healthy');
    const partner = await platform.admin.createPartnerWithKey('bench backlog');
    healthy.secret = await register(partner.apiKey, healthy.url);
    await platform.queues.stopPolling();
    await Promise.all(Array.from({ length: BACKLOG }, (_, n) => partnerEvents.append(partner.partnerId, optIn(n))));
    await waitFor(() => platform.queues.stats('partner-deliveries').visible >= BACKLOG, 60_000);
    const queued = platform.queues.stats('partner-deliveries').visible;
    const started = Date.now();
    const dynamoCpu = cpuMs(dynamo.pid);
    platform.queues.startPolling();
    await waitFor(() => healthy.arrivals.size >= queued, 120_000);
    const seconds = (Math.max(...healthy.arrivals.values()) - started) / 1000;
    const dynamoShare = (cpuMs(dynamo.pid) - dynamoCpu) / 10 / seconds;
    console.log(
      `${'delivery stage, backlog drained'.padEnd(40)} ${healthy.arrivals.size}/${queued} delivered, ${(healthy.arrivals.size / seconds).toFixed(0)} deliveries/s; ` +
        `signatures verified ${healthy.verified}, refused ${healthy.refused}; DynamoDB Local ${dynamoShare.toFixed(0)}% of a core`,
    );
    await healthy.close();
    return healthy.arrivals.size / seconds;
  }

  /** Appends `RATE` events a second for `SECONDS` to each partner; the commit time of each event by id. */
  async function load(partners: string[]): Promise<Map<string, number>> {
    const committed = new Map<string, number>();
    const started = Date.now();
    const pending: Promise<void>[] = [];
    let n = 0;
    for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      for (; n < due; n++) {
        for (const partnerId of partners) pending.push(partnerEvents.append(partnerId, optIn(n)).then((e) => void committed.set(`${partnerId}/${e.id}`, Date.now())));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    return committed;
  }

  async function run(label: string, neighbour?: 'healthy' | 'dead' | 'slow') {
    const healthy = await receiver('healthy');
    const partner = await platform.admin.createPartnerWithKey(`bench ${label}`);
    healthy.secret = await register(partner.apiKey, healthy.url);
    const partners = [partner.partnerId];
    let other: Receiver | undefined;
    if (neighbour) {
      const otherPartner = await platform.admin.createPartnerWithKey(`bench ${label} neighbour`);
      other = neighbour === 'dead' ? undefined : await receiver(neighbour);
      const secret = await register(otherPartner.apiKey, other?.url ?? (await deadUrl()));
      if (other) other.secret = secret;
      partners.push(otherPartner.partnerId);
    }
    const started = Date.now();
    const dynamoCpu = cpuMs(dynamo.pid);
    const committed = await load(partners);
    const mine = [...committed].filter(([k]) => k.startsWith(`${partner.partnerId}/`));
    // Wait (bounded) for the healthy endpoint's deliveries to arrive.
    await waitFor(() => healthy.arrivals.size >= mine.length, 30_000);
    const last = Math.max(...healthy.arrivals.values());
    const dynamoShare = (cpuMs(dynamo.pid) - dynamoCpu) / 10 / ((last - started) / 1000);
    const latencies = mine.flatMap(([key, at]) => {
      const arrived = healthy.arrivals.get(key.slice(key.indexOf('/') + 1));
      return arrived === undefined ? [] : [arrived - at];
    });
    const result = { label, events: mine.length, delivered: healthy.arrivals.size, perSecond: healthy.arrivals.size / ((last - started) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    console.log(
      `${label.padEnd(40)} ${result.delivered}/${result.events} delivered, ${result.perSecond.toFixed(0)} deliveries/s, commit → first attempt p50 ${result.p50} ms, p99 ${result.p99} ms; ` +
        `signatures verified ${healthy.verified}, refused ${healthy.refused}; DynamoDB Local ${dynamoShare.toFixed(0)}% of a core` +
        (neighbour ? `; the neighbour got ${other ? other.arrivals.size : 0} requests` : ''),
    );
    await healthy.close();
    await other?.close();
    return result;
  }

  await run('warm-up');
  const stage = await drain();
  const alone = await run('healthy endpoint alone');
  const paired = await run('next to a healthy neighbour', 'healthy');
  const dead = await run('next to a dead neighbour', 'dead');
  const slow = await run('next to a slow neighbour', 'slow');
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(`\nTargets: ≥ 500 deliveries/s: delivery stage ${verdict(stage >= 500)} (${stage.toFixed(0)}/s), end to end ${verdict(alone.perSecond >= 500)} (${alone.perSecond.toFixed(0)}/s at ${RATE}/s offered)`);
  console.log(`p99 ≤ 1 s: ${verdict(alone.p99 <= 1000)} (${alone.p99} ms alone, ${paired.p99} ms next to a healthy neighbour)`);
  for (const r of [dead, slow]) {
    console.log(`${r.label}: p99 ${r.p99} ms = ${(r.p99 / alone.p99).toFixed(2)}× alone (target ≤ 1.2×: ${verdict(r.p99 <= 1.2 * alone.p99)}); ${(r.p99 / paired.p99).toFixed(2)}× next to a healthy neighbour (the same load)`);
  }
  await platform.stop();
  await dynamo.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
