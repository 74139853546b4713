import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalog, type FunctionSpec } from '../infra/catalog';

/**
 * Bundles every catalog function the way the stack does (esbuild, minified, everything bundled)
 * and reports its size, whether it carries libraries it should not (the Twilio SDK in a function
 * that never talks to Twilio), and its cold `require` time in a fresh Node process.
 */
export interface BundleFigures {
  id: string;
  bytes: number;
  coldRequireMs: number;
  includesTwilio: boolean;
  heaviestPackages: string[];
}

const ROOT = join(__dirname, '..');

function packageOf(input: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1];
}

async function bundle(spec: FunctionSpec, outDir: string) {
  const outfile = join(outDir, `${spec.id}.js`);
  const result = await build({
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

export async function measureBundles(specs: readonly FunctionSpec[] = catalog): Promise<BundleFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const spec of specs) {
      const { outfile, byPackage } = await bundle(spec, dir);
      figures.push({
        id: spec.id,
        bytes: statSync(outfile).size,
        coldRequireMs: coldRequireMs(outfile),
        includesTwilio: byPackage.has('twilio'),
        heaviestPackages: [...byPackage.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)}K`),
      });
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measureBundles().then((figures) => {
    console.log('function                      bundle KB  cold require ms  twilio  heaviest');
    for (const f of figures) {
      console.log(
        `${f.id.padEnd(30)}${(f.bytes / 1024).toFixed(0).padStart(9)}  ${f.coldRequireMs.toFixed(1).padStart(15)}  ${String(f.includesTwilio).padEnd(6)}  ${f.heaviestPackages.join(', ')}`,
      );
    }
  });
}
