import type { IncomingMessage } from 'node:http';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is refused
 * before anything is read; a chunked body stops being kept the moment it passes the limit, and
 * the rest is drained (not stored) so the client can still read the refusal.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle({ ok: true, body: Buffer.concat(chunks, size) }));
    req.on('error', () => settle({ ok: false, reason: 'aborted' }));
    req.on('close', () => settle({ ok: false, reason: 'aborted' }));
  });
}

/** Media types that API Gateway and function URLs pass as text (everything else arrives base64). */
export function isTextMediaType(contentType: string | undefined): boolean {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!media) return false;
  return (
    media.startsWith('text/') ||
    /^application\/(json|xml|javascript|graphql|x-www-form-urlencoded)$/.test(media) ||
    /\+(json|xml)$/.test(media)
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Request headers with their original spelling, as API Gateway passes them; repeated names keep every value. */
export function rawHeaderValues(req: IncomingMessage): Map<string, { name: string; values: string[] }> {
  const byLower = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    const entry = byLower.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else byLower.set(name.toLowerCase(), { name, values: [value] });
  }
  return byLower;
}
