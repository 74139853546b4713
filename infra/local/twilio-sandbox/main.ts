/**
 * Runs the sandbox on its own: `npx tsx infra/local/twilio-sandbox/main.ts --port 4010 [--delay 60] [--realtime]`.
 */
import { startTwilioSandbox } from './sandbox';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const sandbox = await startTwilioSandbox({
    port: Number(flag('port') ?? 4010),
    reviewDelaySeconds: flag('delay') === undefined ? undefined : Number(flag('delay')),
    masterAccountSid: flag('account-sid'),
    masterAuthToken: flag('auth-token'),
    realtime: process.argv.includes('--realtime'),
  });
  process.stdout.write(
    [
      `Twilio sandbox listening on ${sandbox.url}`,
      `  master account sid: ${sandbox.masterAccountSid}`,
      `  master auth token:  ${sandbox.masterAuthToken}`,
      `  primary customer profile: ${sandbox.primaryCustomerProfileSid}`,
      `  control API: ${sandbox.url}/__sandbox/info`,
      '',
    ].join('\n'),
  );
  const shutdown = (): void => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

void main();
