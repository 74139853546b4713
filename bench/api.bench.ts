import { AUTHORIZER_CACHE_SECONDS } from '../infra/catalog';
import { startPlatform } from '../infra/local/platform';
import { silentLog } from '../infra/local/log';
import { validCustomer } from '../test/support/fixtures';
import { measureBundles } from './bundles';
import { runLoad, type LoadResult } from './load';

/**
 * The partner API on the local platform (DynamoDB Local in memory, real handlers and authorizer):
 * requests/s and p50/p99 of `GET /v1/customers/{id}` and `POST /v1/customers` at concurrency 10,
 * then every function's bundle size and cold require time. Target: GET p99 ≤ 20 ms, judged on the
 * median of three 10 s rounds.
 */
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const WARMUP_MIN_ROUNDS = 6;
const WARMUP_MAX_ROUNDS = 12;
const GET_ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function row(name: string, r: LoadResult): string {
  return `${name.padEnd(30)}${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50Ms.toFixed(1).padStart(5)} ms   p99 ${r.p99Ms.toFixed(1).padStart(5)} ms   (${r.requests} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;
}

async function main() {
  // Configured like the deployed API (authorizer results cached per key); no throttling, so the
  // figures measure the platform rather than the usage plan.
  const platform = await startPlatform({
    port: 0,
    inMemory: true,
    twilio: 'none',
    throttle: false,
    authorizerCacheSeconds: AUTHORIZER_CACHE_SECONDS,
    log: silentLog,
    tableName: 'bench',
  });
  try {
    const { apiKey } = await platform.admin.createPartnerWithKey('Bench partner');
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${platform.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(validCustomer()) });
    const { id } = (await created.json()) as { id: string };

    // Steady state first: both JITs (V8's and DynamoDB Local's C2) keep compiling for tens of
    // seconds, and throughput climbs until they are done. Warm in 5 s rounds, at least 30 s, then
    // until a round gains less than 3%, so the figures below are the running platform's.
    const warmup: number[] = [];
    for (let round = 0; round < WARMUP_MAX_ROUNDS; round++) {
      warmup.push((await runLoad({ url: `${platform.url}/v1/customers/${id}`, connections: CONNECTIONS, durationSeconds: 5, headers })).requestsPerSecond);
      if (round >= WARMUP_MIN_ROUNDS - 1 && warmup[round]! < warmup[round - 1]! * 1.03) break;
    }
    await runLoad({ url: `${platform.url}/v1/customers`, method: 'POST', connections: CONNECTIONS, durationSeconds: 5, headers, body: JSON.stringify(validCustomer()) });
    console.log(`Warm-up GET rounds (req/s): ${warmup.map((r) => r.toFixed(0)).join(' → ')}`);

    console.log(`Local platform (DynamoDB Local in memory, authorizer cache ${AUTHORIZER_CACHE_SECONDS} s), concurrency ${CONNECTIONS}, ${DURATION_SECONDS} s per round, Node ${process.version}`);
    // Several rounds, all printed: on a shared 2-core machine one window's p99 moves by several ms
    // with whatever else the host is doing, so the target is judged on the median round.
    const rounds: LoadResult[] = [];
    for (let round = 1; round <= GET_ROUNDS; round++) {
      const cpuBefore = process.cpuUsage();
      const get = await runLoad({ url: `${platform.url}/v1/customers/${id}`, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, headers });
      const cpu = process.cpuUsage(cpuBefore);
      rounds.push(get);
      console.log(`${row(`GET /v1/customers/{id} #${round}`, get)}   platform CPU ${((cpu.user + cpu.system) / 1000 / get.requests).toFixed(2)} ms/request`);
    }
    const medianP99 = median(rounds.map((r) => r.p99Ms));
    console.log(`  GET median of ${GET_ROUNDS} rounds: ${median(rounds.map((r) => r.requestsPerSecond)).toFixed(0)} req/s, p50 ${median(rounds.map((r) => r.p50Ms)).toFixed(1)} ms, p99 ${medianP99.toFixed(1)} ms`);
    console.log('  (platform CPU is the platform process only; DynamoDB Local and the load generator share the other core)');
    const post = await runLoad({
      url: `${platform.url}/v1/customers`,
      method: 'POST',
      connections: CONNECTIONS,
      durationSeconds: DURATION_SECONDS,
      headers,
      body: JSON.stringify(validCustomer()),
    });
    console.log(row('POST /v1/customers', post));
    console.log(`GET p99 target ≤ 20 ms (median round): ${medianP99 <= 20 ? 'met' : 'NOT met'}`);
  } finally {
    await platform.stop();
  }

  console.log('\nBundles (esbuild, minified, as deployed) and cold require time (median of 5 fresh processes)');
  console.log('function                      bundle KB  cold require ms  twilio  heaviest packages');
  for (const f of await measureBundles()) {
    console.log(
      `${f.id.padEnd(30)}${(f.bytes / 1024).toFixed(0).padStart(9)}  ${f.coldRequireMs.toFixed(1).padStart(15)}  ${String(f.includesTwilio).padEnd(6)}  ${f.heaviestPackages.join(', ')}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
