import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the local platform reaches Twilio: the local sandbox (default, when its module is present),
 * real Twilio with the credentials given, or not at all (routes that call Twilio then fail with
 * a configuration error naming the missing variable).
 */
export type TwilioMode = 'sandbox' | 'none' | { accountSid: string; authToken: string; baseUrl?: string };

/** What the platform uses of the sandbox; its module is loaded only when present. */
export interface SandboxHandle {
  url: string;
  masterAccountSid: string;
  masterAuthToken: string;
  primaryCustomerProfileSid?: string;
  stop(): Promise<void>;
}
interface SandboxModule {
  startTwilioSandbox(options: { port?: number; realtime?: boolean; reviewDelaySeconds?: number; stateFile?: string; startTime?: Date }): Promise<SandboxHandle>;
}

export interface TwilioConnection {
  env: Record<string, string>;
  sandbox?: SandboxHandle;
  stop(): Promise<void>;
}

const SANDBOX_ENTRY = join(__dirname, 'twilio-sandbox', 'index.ts');

export function sandboxAvailable(): boolean {
  return existsSync(SANDBOX_ENTRY);
}

/** Starts the sandbox on a free port (if chosen) and returns the TWILIO_* variables for the handlers. */
export async function connectTwilio(
  mode: TwilioMode,
  { realtime, port = 0, reviewDelaySeconds, stateFile }: { realtime: boolean; port?: number; reviewDelaySeconds?: number; stateFile?: string },
): Promise<TwilioConnection> {
  if (mode === 'none') return { env: {}, stop: async () => undefined };
  if (mode !== 'sandbox') {
    const env: Record<string, string> = { TWILIO_ACCOUNT_SID: mode.accountSid, TWILIO_AUTH_TOKEN: mode.authToken };
    if (mode.baseUrl) env.TWILIO_BASE_URL = mode.baseUrl;
    return { env, stop: async () => undefined };
  }
  const { startTwilioSandbox } = require(SANDBOX_ENTRY) as SandboxModule;
  // Sandbox time starts at the wall time: send times (scheduled messages) mean the same to the API and to it.
  const sandbox = await startTwilioSandbox({ port, realtime, reviewDelaySeconds, stateFile, startTime: new Date() });
  const env: Record<string, string> = {
    TWILIO_BASE_URL: sandbox.url,
    TWILIO_ACCOUNT_SID: sandbox.masterAccountSid,
    TWILIO_AUTH_TOKEN: sandbox.masterAuthToken,
  };
  if (sandbox.primaryCustomerProfileSid) env.TWILIO_PRIMARY_PROFILE_SID = sandbox.primaryCustomerProfileSid;
  return { env, sandbox, stop: () => sandbox.stop() };
}
