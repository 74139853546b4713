import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { startTwilioSandbox, type TwilioSandbox, type TwilioSandboxOptions, type WebhookRequest } from '../../../infra/local/twilio-sandbox';

/** Sends every SDK request to the sandbox: `https://<host>/<path>` → `<sandbox>/<host>/<path>`. */
export class SandboxRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/([^/]+)/, `${this.baseUrl}/$1`) });
  }
}

export type Twilio = ReturnType<typeof twilio>;

export function clientFor(sandbox: TwilioSandbox, sid: string, token: string, accountSid?: string): Twilio {
  return twilio(sid, token, { httpClient: new SandboxRequestClient(sandbox.url), accountSid });
}

export interface Harness {
  sandbox: TwilioSandbox;
  master: Twilio;
  /** Every webhook the sandbox delivered, captured instead of sent over the network. */
  delivered: WebhookRequest[];
}

export async function startHarness(options: TwilioSandboxOptions = {}): Promise<Harness> {
  const delivered: WebhookRequest[] = [];
  const sandbox = await startTwilioSandbox({
    masterAccountSid: 'AC' + 'a'.repeat(32),
    masterAuthToken: 'master-token-for-tests',
    dispatch: async (req) => {
      delivered.push(req);
      return { status: 200 };
    },
    ...options,
  });
  return { sandbox, master: clientFor(sandbox, sandbox.masterAccountSid, sandbox.masterAuthToken), delivered };
}

/** A fresh subaccount and an SDK client that uses its own credentials. */
export async function subaccount(h: Harness, friendlyName = 'Customer'): Promise<{ sid: string; token: string; client: Twilio }> {
  const account = await h.master.api.v2010.accounts.create({ friendlyName });
  return { sid: account.sid, token: account.authToken, client: clientFor(h.sandbox, account.sid, account.authToken) };
}

export async function expectTwilioError(promise: Promise<unknown>, status: number, code: number): Promise<{ message: string; moreInfo: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { status: number; code: number; message: string; moreInfo: string };
    expect({ status: e.status, code: e.code }).toEqual({ status, code });
    return e;
  }
  throw new Error(`expected Twilio error ${code}`);
}

export const parseForm = (body: string): Record<string, string> => Object.fromEntries(new URLSearchParams(body));
