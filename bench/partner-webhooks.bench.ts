/**
 * Partner webhook delivery on the local platform in real time (table stream poller, delivery
 * lanes polled in the background, DynamoDB Local): events appended to partner logs at a steady
 * rate reach loopback receivers, signed. Prints deliveries per second, the p50/p99 from event
 * commit to its first delivery attempt (the receiver's arrival), and whether a dead endpoint
 * (connection refused) or a slow one (never answers until the 10 s timeout) of another partner
 * slows a healthy endpoint (its p99 compared with its run alone).
 *
 *   npx tsx bench/partner-webhooks.bench.ts [seconds per run] [events per second]
 *
 * Targets: ≥ 500 deliveries/s, p99 ≤ 1 s, healthy p99 with a dead or slow neighbour ≤ 1.2× alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { Webhook } from 'standardwebhooks';
import type { Platform } from '../infra/local/platform';
import type { PartnerEventInput } from '../shared/services/partner-events-contract';

const SECONDS = Number(process.argv[2] ?? 10);
const RATE = Number(process.argv[3] ?? 600);

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
  const { startPlatform } = await import('../infra/local/platform');
  const log = { info: () => {}, warn: () => {}, error: (m: string, e?: Error) => console.error(m, e?.message ?? '') };
  const platform: Platform = await startPlatform({ port: 0, inMemory: true, twilio: 'none', throttle: false, log, tableName: 'bench-webhooks', pollQueues: true, env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true' } });
  // Loaded after the platform set the handlers' environment, as a handler would be.
  const { partnerEvents } = await import('../shared/wiring/partner-events');
  console.log(`Partner webhooks: ${SECONDS} s per run at ${RATE} events/s; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`);

  const register = async (apiKey: string, url: string) => {
    const reply = await fetch(`${platform.url}/v1/webhook-endpoints`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ url, eventTypes: ['*'] }) });
    if (reply.status !== 201) throw new Error(`registration answered ${reply.status}: ${await reply.text()}`);
    return ((await reply.json()) as { secret: string }).secret;
  };

  /** Appends `RATE` events a second for `SECONDS` to each partner; the commit time of each event by id. */
  async function load(partners: string[]): Promise<Map<string, number>> {
    const committed = new Map<string, number>();
    const started = Date.now();
    const pending: Promise<void>[] = [];
    let n = 0;
    for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      for (; n < due; n++) {
        for (const partnerId of partners) {
          const event: PartnerEventInput = { type: 'contact.opted_in', customerId: 'cus_bench', data: { contact: `+1415${String(n).padStart(7, '0')}`, channel: 'sms', source: 'partner', at: new Date().toISOString() } };
          pending.push(partnerEvents.append(partnerId, event).then((e) => void committed.set(`${partnerId}/${e.id}`, Date.now())));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    return committed;
  }

  async function run(label: string, neighbour?: 'dead' | 'slow') {
    const healthy = await receiver('healthy');
    const partner = await platform.admin.createPartnerWithKey(`bench ${label}`);
    healthy.secret = await register(partner.apiKey, healthy.url);
    const partners = [partner.partnerId];
    let slow: Receiver | undefined;
    if (neighbour) {
      const other = await platform.admin.createPartnerWithKey(`bench ${label} neighbour`);
      slow = neighbour === 'slow' ? await receiver('slow') : undefined;
      await register(other.apiKey, slow?.url ?? (await deadUrl()));
      partners.push(other.partnerId);
    }
    const started = Date.now();
    const committed = await load(partners);
    const mine = [...committed].filter(([k]) => k.startsWith(`${partner.partnerId}/`));
    // Wait (bounded) for the healthy endpoint's deliveries to arrive.
    for (const until = Date.now() + 30_000; healthy.arrivals.size < mine.length && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    const last = Math.max(...healthy.arrivals.values());
    const latencies = mine.flatMap(([key, at]) => {
      const arrived = healthy.arrivals.get(key.slice(key.indexOf('/') + 1));
      return arrived === undefined ? [] : [arrived - at];
    });
    const result = {
      label,
      events: mine.length,
      delivered: healthy.arrivals.size,
      perSecond: healthy.arrivals.size / ((last - started) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      verified: healthy.verified,
      refused: healthy.refused,
    };
    console.log(
      `${label.padEnd(34)} ${result.delivered}/${result.events} delivered, ${result.perSecond.toFixed(0)} deliveries/s, commit → first attempt p50 ${result.p50} ms, p99 ${result.p99} ms; signatures verified ${result.verified}, refused ${result.refused}` +
        (neighbour ? `; neighbour got ${neighbour === 'slow' ? slow!.arrivals.size : 0} requests` : ''),
    );
    await healthy.close();
    await slow?.close();
    return result;
  }

  await run('warm-up');
  const alone = await run('healthy endpoint alone');
  const dead = await run('healthy + dead neighbour', 'dead');
  const slow = await run('healthy + slow neighbour', 'slow');
  console.log(`\nTargets: ≥ 500 deliveries/s: ${alone.perSecond >= 500 ? 'met' : 'NOT met'} (${alone.perSecond.toFixed(0)}); p99 ≤ 1 s: ${alone.p99 <= 1000 ? 'met' : 'NOT met'} (${alone.p99} ms)`);
  for (const r of [dead, slow]) console.log(`${r.label}: p99 ${r.p99} ms = ${(r.p99 / alone.p99).toFixed(2)}× alone (target ≤ 1.2×: ${r.p99 <= 1.2 * alone.p99 ? 'met' : 'NOT met'})`);
  await platform.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
