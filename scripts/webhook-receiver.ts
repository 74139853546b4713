/**
 * A small partner-side receiver for trying webhooks locally: it verifies every request with the
 * official Standard Webhooks verifier and prints what arrived.
 *
 *   npm run webhooks:listen -- [--port 4100] [--secret whsec_…] [--status 200]
 *
 * Without `--secret` it prints requests unverified (start it before registering the endpoint,
 * then restart it with the secret the registration returned). `--status` answers with another
 * status, to watch the retries (e.g. 503) or the endpoint being disabled (410).
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4100' }, secret: { type: 'string' }, status: { type: 'string', default: '200' } } });
const verifier = values.secret ? new Webhook(values.secret) : undefined;
const status = Number(values.status);

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let verdict = 'not verified (no --secret)';
    if (verifier) {
      try {
        verifier.verify(body, req.headers as Record<string, string>);
        verdict = 'signature verified';
      } catch (error) {
        verdict = `SIGNATURE REFUSED: ${(error as Error).message}`;
      }
    }
    console.log(`${new Date().toISOString()} ${req.method} ${req.url} webhook-id=${req.headers['webhook-id']} — ${verdict} → ${status}`);
    console.log(body);
    res.writeHead(status).end();
  });
}).listen(Number(values.port), '127.0.0.1', () => console.log(`Listening on http://127.0.0.1:${values.port}/ (Ctrl-C to stop)`));
