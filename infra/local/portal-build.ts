import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the portal's sources are and where Vite writes the built site. */
export const PORTAL_SOURCE = 'portal';
export const PORTAL_DIST = join(PORTAL_SOURCE, 'dist');
/** What the portal imports from outside its folder: the value lists its forms share with the API. */
const SHARED_SOURCES = [join('shared', 'domain', 'customer-values.ts')];

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds the portal with Vite when its build is missing or older than its sources, so `npm start`
 * and the browser tests always serve what is in the checkout. Vite runs as its own process: it is
 * an ES module, and the local platform is loaded as CommonJS under the test runner.
 */
export function ensurePortalBuilt(projectRoot: string): string {
  const root = join(projectRoot, PORTAL_SOURCE);
  const dist = join(projectRoot, PORTAL_DIST);
  let built = 0;
  try {
    built = statSync(join(dist, 'index.html')).mtimeMs;
  } catch {
    // Not built yet.
  }
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'index.html')), newest(join(root, 'vite.config.ts')), ...SHARED_SOURCES.map((f) => newest(join(projectRoot, f))));
  if (built < sources) {
    // Always the production build: the test runner sets NODE_ENV=test, which Vite would bake into
    // the bundle, and a deploy reuses a build that is newer than its sources.
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', root, '--logLevel', 'warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
  return dist;
}
