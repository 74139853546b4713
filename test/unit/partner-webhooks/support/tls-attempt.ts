/**
 * Runs `postJson` in a process of its own, so that the test's certificate can be trusted the only
 * way node reads extra trust anchors: NODE_EXTRA_CA_CERTS, at start-up. Argument: a JSON array of
 * targets (`url` as a string); prints the JSON array of their responses.
 */
import { postJson } from '../../../../shared/partner-webhooks/sender';
import type { PinnedTarget } from '../../../../shared/partner-webhooks/url-guard';

type Given = Omit<PinnedTarget, 'url'> & { url: string };

async function main(): Promise<void> {
  const targets = JSON.parse(process.argv[2] ?? '[]') as Given[];
  const responses = [];
  for (const target of targets) {
    responses.push(await postJson({ ...target, url: new URL(target.url) }, { 'content-type': 'application/json' }, '{"tls":true}', { timeoutMs: 5_000, now: () => 0 }));
  }
  // Keep-alive agents would hold the process open: it has said all it has to.
  process.stdout.write(JSON.stringify(responses), () => process.exit(0));
}

void main();
