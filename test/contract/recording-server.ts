/**
 * A tiny stand-in for every Twilio host in the base-URL layout (`/<host>/<path>`): it records
 * each request exactly as it arrived and answers with the spec operation's own example (or an
 * empty JSON object when the spec has none). Pagination links are cleared so list calls stop
 * after one page.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exampleTwilioResponse } from '../support/twilio-openapi';

export interface RecordedRequest {
  method: string;
  /** Absolute URL as received, e.g. `http://127.0.0.1:5555/api.twilio.com/2010-04-01/Accounts.json`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Responder = (request: RecordedRequest) => { status: number; body?: unknown } | undefined;

export interface RecordingServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Overrides the answer for matching requests until reset. */
  respondWith(responder: Responder): void;
  reset(): void;
  close(): Promise<void>;
}

function withoutNextPage(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy = { ...(body as Record<string, unknown>) };
  if ('next_page_uri' in copy) copy.next_page_uri = null;
  if (copy.meta && typeof copy.meta === 'object') copy.meta = { ...(copy.meta as Record<string, unknown>), next_page_url: null };
  return copy;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  let responder: Responder | undefined;
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: `${baseUrl}${req.url ?? '/'}`,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = responder?.(recorded) ?? exampleTwilioResponse(recorded.method, recorded.url) ?? { status: 404, body: { code: 20404, message: 'Not found', status: 404 } };
      if (answer.status === 204) {
        res.writeHead(answer.status).end();
        return;
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(withoutNextPage(answer.body ?? {})));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    respondWith: (r) => {
      responder = r;
    },
    reset: () => {
      requests.length = 0;
      responder = undefined;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
