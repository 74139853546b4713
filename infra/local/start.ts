/**
 * `npm start`: the whole platform on this machine. Persistent under `.local/` by default
 * (`--in-memory` for a throwaway run); `PORT` picks the HTTP port. The first start creates a
 * demo partner and prints its API key — the only time it is ever shown.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUTHORIZER_CACHE_SECONDS } from '../catalog';
import { writeConnectionFile } from './connection-file';
import { consoleLog } from './log';
import { PROJECT_ROOT, startPlatform, type Platform } from './platform';
import { portFromEnv } from './ports';

const DEMO_MARKER = 'demo-partner.json';

async function main(): Promise<void> {
  const inMemory = process.argv.includes('--in-memory');
  const dataDir = resolve(PROJECT_ROOT, '.local');
  const started = Date.now();
  // A fixed sandbox port keeps the README's tour copy-pasteable (its control API lives there).
  const sandboxPort = portFromEnv('SANDBOX_PORT', 4010);
  // Twilio's reviews take days; the local sandbox approves after a few seconds so a tour completes.
  const sandboxReviewSeconds = Number(process.env.SANDBOX_REVIEW_SECONDS ?? 5);
  const loopback = loopbackWebhooks(process.env.PARTNER_WEBHOOKS_ALLOW_LOOPBACK);
  // Like the deployed API: a revoked key stops working within AUTHORIZER_CACHE_SECONDS.
  const platform = await startPlatform({
    env: { PARTNER_WEBHOOKS_ALLOW_LOOPBACK: loopback.value },
    inMemory,
    dataDir,
    pollQueues: true,
    sandboxPort,
    sandboxReviewSeconds,
    authorizerCacheSeconds: AUTHORIZER_CACHE_SECONDS,
    operatorEndpoint: true,
    portal: true,
    log: consoleLog,
  });
  const removeConnectionFile = writeConnectionFile(dataDir, {
    dynamoEndpoint: platform.dynamoDbEndpoint,
    tableName: platform.tableName,
    region: platform.env.AWS_REGION ?? 'us-east-1',
    operator: platform.operator,
    apiUrl: platform.url,
    ...(platform.env.LOCAL_MASTER_KEY ? { localMasterKey: platform.env.LOCAL_MASTER_KEY } : {}),
    ...(platform.env.TWILIO_BASE_URL ? { twilioBaseUrl: platform.env.TWILIO_BASE_URL } : {}),
  });
  installShutdown(platform, removeConnectionFile);

  const lines = [
    `Switchboard is running at ${platform.url}  (${inMemory ? 'in memory' : `data in ${dataDir}`}, started in ${Date.now() - started} ms)`,
    `  webhooks:  ${platform.webhookBaseUrl}/<name>`,
    `  portal:    ${platform.url}/portal/  (sign in with a link: npx switchboard portal open …)`,
    `  DynamoDB:  ${platform.dynamoDbEndpoint} (table ${platform.tableName})`,
    `  Twilio:    ${platform.twilioSandbox ? `sandbox at ${platform.twilioSandbox.url}` : platform.env.TWILIO_ACCOUNT_SID ? 'real Twilio' : 'not configured'}`,
    `  Partner webhooks: ${loopback.line}`,
  ];
  const marker = join(dataDir, DEMO_MARKER);
  if (inMemory || !existsSync(marker)) {
    const demo = await platform.admin.createPartnerWithKey('Demo partner');
    if (!inMemory) {
      mkdirSync(dataDir, { recursive: true });
      // The key itself is never written down: only its id, to know the demo partner exists.
      writeFileSync(marker, `${JSON.stringify({ partnerId: demo.partnerId, keyId: demo.keyId, createdAt: new Date().toISOString() }, null, 2)}\n`);
    }
    lines.push(
      '',
      `Demo partner ${demo.partnerId} created. Its API key is shown only this once:`,
      '',
      `  ${demo.apiKey}`,
      '',
      'Try it:',
      `  curl -s ${platform.url}/v1/customers -H 'Authorization: Bearer ${demo.apiKey}'`,
    );
  } else {
    lines.push('', `Lost the demo key? Issue a new one: npx switchboard keys issue --partner ${demoPartnerId(marker)}`);
  }
  lines.push('', 'Press Ctrl-C to stop.');
  console.log(lines.join('\n'));
}

/** The demo partner recorded at the first start (its key was shown then and never stored). */
function demoPartnerId(marker: string): string {
  try {
    const { partnerId } = JSON.parse(readFileSync(marker, 'utf8')) as { partnerId?: unknown };
    if (typeof partnerId === 'string' && partnerId) return partnerId;
  } catch {
    // An unreadable marker only costs the hint its id.
  }
  return 'ptn_…';
}

/**
 * Partner webhook endpoints on this machine (`http://127.0.0.1:…`, e.g. `npm run webhooks:listen`)
 * are refused by the SSRF guard unless PARTNER_WEBHOOKS_ALLOW_LOOPBACK is on; locally it is on
 * unless the operator set it. Whatever they set is passed on as it is: `shared/config.ts` reads
 * true/1 and false/0 (an empty value counts as unset) and stops a function on anything else.
 */
function loopbackWebhooks(raw: string | undefined): { value: string; line: string } {
  const value = raw?.trim() ? raw : 'true';
  const flag = value.trim().toLowerCase();
  const line = ['true', '1'].includes(flag)
    ? 'http and https endpoints on loopback (127.0.0.1, ::1) are allowed locally; PARTNER_WEBHOOKS_ALLOW_LOOPBACK=false npm start refuses them, as deployed'
    : ['false', '0'].includes(flag)
      ? `loopback and http endpoints are refused, as deployed (PARTNER_WEBHOOKS_ALLOW_LOOPBACK=${value})`
      : `PARTNER_WEBHOOKS_ALLOW_LOOPBACK=${value} is neither true nor false: the functions that read it will not start`;
  return { value, line };
}

function installShutdown(platform: Platform, removeConnectionFile: () => void): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    removeConnectionFile();
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
