import type { IncomingMessage } from 'node:http';
import type { Params } from './context';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Form and query decoding where a repeated key becomes an array, as Twilio reads it. */
export function addPairs(target: Params, search: URLSearchParams): void {
  for (const [key, value] of search) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else target[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
}

export function parseJson(raw: string): unknown {
  if (!raw.trim()) return {};
  return JSON.parse(raw) as unknown;
}
