import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog, type FunctionSpec } from '../infra/catalog';

/**
 * Bundles every catalog function the way the stack does (esbuild, minified, everything bundled)
 * and reports its size, whether it carries libraries it should not (the Twilio SDK in a function
 * that never talks to Twilio), and its cold `require` time in a fresh Node process. A function
 * that carries the SDK is also bundled with the SDK's full client added (see
 * ./full-twilio-client.ts), the size and cold start it had before, so one run shows both.
 */
export interface BundleFigures {
  id: string;
  bytes: number;
  coldRequireMs: number;
  includesTwilio: boolean;
  heaviestPackages: string[];
  /** The same function with the SDK's full client added (Twilio-using functions, when asked for). */
  fullClient?: { bytes: number; coldRequireMs: number };
}

const ROOT = join(__dirname, '..');

function packageOf(input: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1];
}

async function bundle(spec: FunctionSpec, outDir: string, withFullClient = false) {
  const outfile = join(outDir, `${spec.id}${withFullClient ? '.full-client' : ''}.js`);
  const result = await build({
    inject: withFullClient ? [join(__dirname, 'full-twilio-client.ts')] : [],
    entryPoints: [join(ROOT, spec.entry)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    metafile: true,
    logLevel: 'silent',
    mainFields: ['module', 'main'],
  });
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.inputs)) {
    const name = packageOf(input) ?? '(project)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return { outfile, byPackage };
}

/** What the stack sets on a function, so module-scope configuration checks pass as in Lambda. */
const LAMBDA_LIKE_ENV = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'bench',
  KEY_SERVICE: 'kms',
  KMS_KEY_ID: 'alias/bench',
  TWILIO_MASTER_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:twilio-master',
  WEBHOOK_BASE_URL: 'https://hooks.example.com',
  QUEUE_URLS: JSON.stringify({}),
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:onboarding',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** Median of several cold requires, each in a new process (the first load is what a cold start pays). */
function coldRequireMs(file: string, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`],
      { env: { ...process.env, ...LAMBDA_LIKE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    times.push(Number(out.toString()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function measureBundles(specs: readonly FunctionSpec[] = catalog, options: { fullClientReference?: boolean } = {}): Promise<BundleFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const spec of specs) {
      const { outfile, byPackage } = await bundle(spec, dir);
      let fullClient: BundleFigures['fullClient'];
      if (options.fullClientReference && byPackage.has('twilio')) {
        const reference = await bundle(spec, dir, true);
        fullClient = { bytes: statSync(reference.outfile).size, coldRequireMs: coldRequireMs(reference.outfile) };
      }
      figures.push({
        id: spec.id,
        bytes: statSync(outfile).size,
        coldRequireMs: coldRequireMs(outfile),
        includesTwilio: byPackage.has('twilio'),
        heaviestPackages: [...byPackage.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)}K`),
        fullClient,
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The gateway areas (shared/twilio/sdk/<area>.ts) a function's bundle carries. */
const AREA_FILE = /shared\/twilio\/sdk\/(accounts|auth-tokens|content|events|messages|messaging|numbers|trusthub|whatsapp)\.ts$/;

export interface TwilioInBundle {
  areas: string[];
  /** Modules of the SDK, relative to `twilio/lib` (e.g. `rest/api/v2010/account/message.js`). */
  sdkModules: string[];
}

/**
 * What a function bundles of the Twilio SDK, from esbuild's module graph alone: every other
 * package is left external, so this takes a fraction of a real build and can run in tests.
 */
export async function twilioInBundle(spec: FunctionSpec): Promise<TwilioInBundle> {
  const result = await build({
    entryPoints: [join(ROOT, spec.entry)],
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    metafile: true,
    logLevel: 'silent',
    mainFields: ['module', 'main'],
    plugins: [
      {
        name: 'only-twilio',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path === 'twilio' || args.path.startsWith('twilio/') ? undefined : { path: args.path, external: true }));
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile.inputs);
  return {
    areas: inputs.map((input) => AREA_FILE.exec(input)?.[1]).filter((area): area is string => area !== undefined).sort(),
    sdkModules: inputs.map((input) => /node_modules\/twilio\/lib\/(.+)$/.exec(input)?.[1]).filter((m): m is string => m !== undefined).sort(),
  };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(0);

if (require.main === module) {
  measureBundles(catalog, { fullClientReference: true }).then((figures) => {
    console.log('function                      bundle KB  cold require ms  twilio  full-client KB  full-client ms  heaviest');
    for (const f of figures) {
      console.log(
        `${f.id.padEnd(30)}${kb(f.bytes).padStart(9)}  ${f.coldRequireMs.toFixed(1).padStart(15)}  ${String(f.includesTwilio).padEnd(6)}  ${(f.fullClient ? kb(f.fullClient.bytes) : '').padStart(14)}  ${(f.fullClient?.coldRequireMs.toFixed(1) ?? '').padStart(14)}  ${f.heaviestPackages.join(', ')}`,
      );
    }
    const compared = figures.filter((f) => f.fullClient);
    if (compared.length > 0) {
      const ratios = (pick: (f: BundleFigures) => number) => compared.map(pick).sort((a, b) => a - b);
      const size = ratios((f) => f.bytes / f.fullClient!.bytes);
      const cold = ratios((f) => f.coldRequireMs / f.fullClient!.coldRequireMs);
      const range = (r: number[]) => `${(r[0]! * 100).toFixed(0)}–${(r[r.length - 1]! * 100).toFixed(0)}%`;
      console.log(`\nTwilio-using functions (${compared.length}) against the full client: size ${range(size)}, cold require ${range(cold)}`);
    }
  });
}
