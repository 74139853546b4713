import { request } from 'node:http';

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

/**
 * A request with exact control over the wire (repeated headers, declared lengths, streamed
 * bodies), which fetch normalises away.
 */
export function rawRequest(
  url: string,
  { method = 'GET', headers = [], body }: { method?: string; headers?: [string, string][]; body?: Buffer | string | ((write: (chunk: Buffer) => boolean) => void) } = {},
): Promise<RawReply> {
  // Raw header arrays bypass Node's defaults, so Host (required by HTTP/1.1) is added here.
  const all: [string, string][] = headers.some(([name]) => name.toLowerCase() === 'host') ? headers : [['Host', new URL(url).host], ...headers];
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: all.flat() as unknown as Record<string, string> }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8') });
      });
      res.on('error', reject);
    });
    // The server may answer and close before a large body is fully written; the answer is what counts.
    req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    if (typeof body === 'function') body((chunk) => req.write(chunk));
    else if (body !== undefined) req.write(body);
    req.end();
  });
}
