import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { portalSecurityHeaders } from '../portal-headers';
import type { RawResponse } from './api/gateway-responses';

/** The built portal (`portal/dist`), served under `prefix` on the API's own origin. */
export interface StaticSite {
  prefix: string;
  dir: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The portal's headers as the distribution sends them, less what only https serving adds. */
const PORTAL_SECURITY_HEADERS = portalSecurityHeaders();

const respond = (statusCode: number, headers: Record<string, string>, body: Buffer | string = ''): RawResponse => ({
  statusCode,
  headers: { ...PORTAL_SECURITY_HEADERS, ...headers },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});

/**
 * A GET for the site: its file, or its index.html for an app route (a path without an extension),
 * so a reload on /portal/templates works; undefined for paths outside the prefix. Files outside
 * `dir` are never read (`..` and encoded separators resolve outside and answer 404).
 */
export async function serveStatic(site: StaticSite, method: string, path: string): Promise<RawResponse | undefined> {
  if (path !== site.prefix && !path.startsWith(`${site.prefix}/`)) return undefined;
  if (method !== 'GET' && method !== 'HEAD') return respond(405, { allow: 'GET, HEAD' });
  if (path === site.prefix) return respond(308, { location: `${site.prefix}/` });
  let relative: string;
  try {
    relative = decodeURIComponent(path.slice(site.prefix.length + 1));
  } catch {
    return respond(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found');
  }
  const root = resolve(site.dir);
  const wanted = resolve(root, relative || 'index.html');
  if (wanted !== root && !wanted.startsWith(root + sep)) return respond(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found');
  const isAppRoute = extname(wanted) === '';
  const file = isAppRoute ? join(root, 'index.html') : wanted;
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
  } catch {
    return respond(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found');
  }
  const body = await readFile(file);
  // Assets carry a content hash in their names; the page itself must always be asked for again.
  const cache = file.startsWith(join(root, 'assets') + sep) ? 'public, max-age=31536000, immutable' : 'no-cache';
  return respond(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache }, method === 'HEAD' ? '' : body);
}
