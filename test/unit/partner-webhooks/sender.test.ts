import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { postJson } from '../../../shared/partner-webhooks/sender';
import type { PinnedTarget } from '../../../shared/partner-webhooks/url-guard';
import { selfSigned } from './support/self-signed';

const BODY = '{"type":"message.delivered","data":{"id":"msg_1"}}';
const HEADERS = { 'content-type': 'application/json', 'webhook-id': 'evt_1' };

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
  remotePort?: number;
}

/** A loopback receiver whose answer each test sets; it records every request it gets. */
function receiver() {
  const received: Received[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok');
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body, remotePort: req.socket.remotePort });
      answer(req, res);
    });
  });
  return {
    server,
    received,
    answer: (next: typeof answer) => void (answer = next),
    start: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))),
  };
}

/** The target the guard would pin: a name nobody resolves, connected to at the checked address. */
const pinned = (scheme: 'http' | 'https', hostname: string, port: number, path = '/hooks'): PinnedTarget => ({
  url: new URL(`${scheme}://${hostname}:${port}${path}`),
  hostname,
  address: '127.0.0.1',
  family: 4,
  port,
});

describe('postJson over http (the loopback case)', () => {
  const http = receiver();
  let target: PinnedTarget;
  beforeAll(async () => {
    target = pinned('http', 'receiver.test', await http.start());
  });
  beforeEach(() => {
    http.received.length = 0;
  });
  afterAll(async () => {
    http.server.closeAllConnections();
    await new Promise((resolve) => http.server.close(resolve));
  });

  it('POSTs the body and headers to the pinned address, with the URL host as Host', async () => {
    http.answer((_req, res) => res.writeHead(204).end());

    const response = await postJson(target, HEADERS, BODY);

    expect(response).toEqual({ status: 204, durationMs: expect.any(Number) });
    expect(http.received).toEqual([
      {
        method: 'POST',
        url: '/hooks',
        body: BODY,
        remotePort: expect.any(Number),
        headers: expect.objectContaining({ ...HEADERS, host: `receiver.test:${target.port}`, 'content-length': String(Buffer.byteLength(BODY)) }),
      },
    ]);
  });

  it('measures the attempt on the clock it is given', async () => {
    let clock = 1_000;
    http.answer((_req, res) => {
      clock += 250;
      res.end();
    });

    await expect(postJson(target, HEADERS, BODY, { now: () => clock })).resolves.toEqual({ status: 200, durationMs: 250 });
  });

  it('reuses its keep-alive connection for the next attempt to the same target', async () => {
    await postJson(target, HEADERS, BODY);
    await postJson(target, HEADERS, BODY);

    expect(http.received).toHaveLength(2);
    expect(http.received[1]!.remotePort).toBe(http.received[0]!.remotePort);
  });

  it('reports a 5xx as a failed status', async () => {
    http.answer((_req, res) => res.writeHead(503).end('down for maintenance'));

    await expect(postJson(target, HEADERS, BODY)).resolves.toEqual({ status: 503, error: 'HTTP 503', durationMs: expect.any(Number) });
  });

  it.each([
    ['delay-seconds', '120', 120],
    ['an HTTP date', 'Sun, 01 Mar 2026 12:05:00 GMT', 300],
    ['an HTTP date in the past', 'Sun, 01 Mar 2026 11:00:00 GMT', 0],
  ])('reads Retry-After given as %s', async (_form, header, seconds) => {
    const now = () => Date.parse('2026-03-01T12:00:00Z');
    http.answer((_req, res) => res.writeHead(429, { 'retry-after': header }).end());

    await expect(postJson(target, HEADERS, BODY, { now })).resolves.toEqual({ status: 429, error: 'HTTP 429', retryAfterSeconds: seconds, durationMs: 0 });
  });

  it.each(['soon', '1.5', '-3', '2026-03-01'])('ignores an unreadable Retry-After %j', async (header) => {
    http.answer((_req, res) => res.writeHead(503, { 'retry-after': header }).end());

    const response = await postJson(target, HEADERS, BODY);

    expect(response.status).toBe(503);
    expect(response).not.toHaveProperty('retryAfterSeconds');
  });

  it('never follows a redirect: the 3xx is the outcome, and nothing else is requested', async () => {
    http.answer((req, res) => (req.url === '/hooks' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.end('followed')));

    const response = await postJson(target, HEADERS, BODY);

    expect(response).toEqual({ status: 302, error: 'redirect not followed (HTTP 302)', durationMs: expect.any(Number) });
    expect(http.received.map((r) => r.url)).toEqual(['/hooks']);
  });

  it('gives up on a receiver that never answers after its timeout', async () => {
    http.answer(() => undefined);

    await expect(postJson(target, HEADERS, BODY, { timeoutMs: 50 })).resolves.toEqual({ error: 'timeout after 0.05 s', timedOut: true, durationMs: expect.any(Number) });
  });

  it('counts the read of the body in the timeout: headers followed by silence time out too', async () => {
    http.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
    });

    await expect(postJson(target, HEADERS, BODY, { timeoutMs: 50 })).resolves.toEqual({ error: 'timeout after 0.05 s', timedOut: true, durationMs: expect.any(Number) });
  });

  it('reads at most 64 KiB of an answer and drops the rest: a body without end still ends the attempt', async () => {
    const endless = 1024 * 1024 * 1024;
    let written = 0;
    let closed!: Promise<boolean>;
    http.answer((_req, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve(res.writableFinished)));
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && written < endless) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });

    const response = await postJson(target, HEADERS, BODY, { timeoutMs: 5_000 });

    expect(response).toEqual({ status: 200, durationMs: expect.any(Number) });
    // The receiver sees its connection closed long before it could finish.
    await expect(closed).resolves.toBe(false);
    expect(written).toBeLessThan(endless / 8);
  });

  it('reports a connection the receiver drops as a reset', async () => {
    http.answer((req) => req.socket.destroy());

    await expect(postJson(target, HEADERS, BODY)).resolves.toEqual({ error: 'connection reset', durationMs: expect.any(Number) });
  });
});

describe('postJson to a closed port', () => {
  it('reports connection refused', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    await new Promise((resolve) => server.close(resolve));

    await expect(postJson(pinned('http', 'receiver.test', port), HEADERS, BODY)).resolves.toEqual({ error: 'connection refused', durationMs: expect.any(Number) });
  });
});

describe('postJson over https', () => {
  const validity = { notBefore: new Date('2000-01-01T00:00:00Z'), notAfter: new Date('2099-01-01T00:00:00Z') };
  const trusted = selfSigned('hooks.test', validity);
  const expired = selfSigned('old.test', { notBefore: new Date('2000-01-01T00:00:00Z'), notAfter: new Date('2001-01-01T00:00:00Z') });
  const untrusted = selfSigned('hooks.test', validity);
  const servers: TlsServer[] = [];
  const names: Array<{ port: number; servername: string }> = [];
  const seen: Array<{ host?: string; body: string }> = [];
  let dir: string;

  async function serve(pair: { cert: string; key: string }): Promise<number> {
    const context = createSecureContext(pair);
    let port = 0;
    const server = createTlsServer(
      {
        ...pair,
        SNICallback: (servername, callback) => {
          names.push({ port, servername });
          callback(null, context);
        },
      },
      (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          seen.push({ host: req.headers.host, body });
          res.end();
        });
      },
    );
    servers.push(server);
    port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    return port;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
    writeFileSync(join(dir, 'trusted.pem'), trusted.cert + expired.cert);
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'connects to the pinned address, names the URL host in SNI and Host, and checks the certificate against it',
    async () => {
      const good = await serve(trusted);
      const old = await serve(expired);
      const stranger = await serve(untrusted);
      const targets = [pinned('https', 'hooks.test', good), pinned('https', 'other.test', good), pinned('https', 'old.test', old), pinned('https', 'hooks.test', stranger)];

      // A process of its own, which trusts the test's certificates (NODE_EXTRA_CA_CERTS is read at start-up only).
      const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), join(__dirname, 'support/tls-attempt.ts'), JSON.stringify(targets.map((t) => ({ ...t, url: t.url.href })))], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'trusted.pem') },
      });
      const [ok, wrongName, outdated, unknown] = JSON.parse(stdout) as Array<Record<string, unknown>>;

      expect(ok).toEqual({ status: 200, durationMs: 0 });
      expect(seen).toEqual([{ host: `hooks.test:${good}`, body: '{"tls":true}' }]);
      expect(names).toEqual([
        { port: good, servername: 'hooks.test' },
        { port: good, servername: 'other.test' },
        { port: old, servername: 'old.test' },
        { port: stranger, servername: 'hooks.test' },
      ]);
      expect(wrongName).toEqual({ error: expect.stringMatching(/^TLS: Hostname\/IP does not match certificate's altnames: Host: other\.test\./), durationMs: 0 });
      expect(outdated).toEqual({ error: 'TLS: certificate has expired', durationMs: 0 });
      expect(unknown).toEqual({ error: 'TLS: self-signed certificate', durationMs: 0 });
    },
    30_000,
  );
});
