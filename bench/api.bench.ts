import { startPlatform } from '../infra/local/platform';
import { silentLog } from '../infra/local/log';
import { validCustomer } from '../test/support/fixtures';
import { measureBundles } from './bundles';
import { runLoad, type LoadResult } from './load';

/**
 * The partner API on the local platform (DynamoDB Local in memory, real handlers and authorizer):
 * requests/s and p50/p99 of `GET /v1/customers/{id}` and `POST /v1/customers` at concurrency 10,
 * then every function's bundle size and cold require time. Target: GET p99 ≤ 20 ms.
 */
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;

function row(name: string, r: LoadResult): string {
  return `${name.padEnd(28)}${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${r.p50Ms.toFixed(1).padStart(5)} ms   p99 ${r.p99Ms.toFixed(1).padStart(5)} ms   (${r.requests} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;
}

async function main() {
  const platform = await startPlatform({ port: 0, inMemory: true, twilio: 'none', throttle: false, log: silentLog, tableName: 'bench' });
  try {
    const { apiKey } = await platform.admin.createPartnerWithKey('Bench partner');
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${platform.url}/v1/customers`, { method: 'POST', headers, body: JSON.stringify(validCustomer()) });
    const { id } = (await created.json()) as { id: string };

    // Warm every handler once (module load, JIT) before measuring.
    await runLoad({ url: `${platform.url}/v1/customers/${id}`, connections: CONNECTIONS, durationSeconds: 2, headers });

    console.log(`Local platform, concurrency ${CONNECTIONS}, ${DURATION_SECONDS} s each, Node ${process.version}`);
    const get = await runLoad({ url: `${platform.url}/v1/customers/${id}`, connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, headers });
    console.log(row(`GET /v1/customers/{id}`, get));
    const post = await runLoad({
      url: `${platform.url}/v1/customers`,
      method: 'POST',
      connections: CONNECTIONS,
      durationSeconds: DURATION_SECONDS,
      headers,
      body: JSON.stringify(validCustomer()),
    });
    console.log(row('POST /v1/customers', post));
    console.log(`GET p99 target ≤ 20 ms: ${get.p99Ms <= 20 ? 'met' : 'NOT met'}`);
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
