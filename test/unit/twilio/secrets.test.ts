/**
 * No auth token (nor the Basic credential built from it) may appear in a thrown error, its
 * serialised form, its stack, or a log line written while retrying.
 */
import RequestClient from 'twilio/lib/base/RequestClient';
import { createSdkTwilioGateway } from '../../../shared/twilio/sdk-gateway';
import { everyArea } from '../../../shared/twilio/sdk/areas';
import { networkError, scriptHttp, type FakeHttp } from './fake-http';

const MASTER = { accountSid: `AC${'1'.repeat(32)}`, authToken: 'master-secret-7f3a9c' };
const SUB = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'sub-secret-41d2e8' };
const SECRETS = [MASTER.authToken, SUB.authToken, ...[MASTER, SUB].map((c) => Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64'))];

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

function everythingAbout(error: unknown): string {
  const e = error as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(Object.entries(e))].join('\n');
}

describe('secrets stay out of errors and logs', () => {
  let http: FakeHttp | undefined;
  afterEach(() => {
    http?.restore();
    http = undefined;
    jest.restoreAllMocks();
  });

  const lines: string[] = [];
  const log = { warn: (message: string, attributes: Record<string, unknown>) => lines.push(JSON.stringify({ message, ...attributes })) };
  const fast = { sleep: async () => undefined, maxAttempts: 3 };

  it('in Twilio error answers, even when Twilio echoes a token back', async () => {
    http = scriptHttp({ statusCode: 429, body: { code: 20429 } }, { statusCode: 401, body: { code: 20003, message: `Authenticate: ${SUB.authToken} is not valid`, status: 401 } });
    const gateway = createSdkTwilioGateway({ master: MASTER, retry: fast, log }, ...everyArea);
    const error = await gateway.fetchBrandRegistration(SUB, `BN${'a'.repeat(32)}`).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TwilioPermanentError', code: 20003 });
    expect(leaks(everythingAbout(error))).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join('\n'))).toEqual([]);
  });

  it('in transport failures whose message carries the credential in play', async () => {
    http = scriptHttp(networkError('ECONNRESET', `reset while sending Authorization: Basic ${SECRETS[2]} and ${MASTER.authToken}`));
    const gateway = createSdkTwilioGateway({ master: MASTER, retry: fast, log }, ...everyArea);
    const error = await gateway.findSubaccountsByFriendlyName('Acme').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TwilioRetryableError' });
    expect(leaks(everythingAbout(error))).toEqual([]);
    expect(leaks(lines.join('\n'))).toEqual([]);
  });

  it('when the real HTTP stack fails (connection refused), with the request config in reach', async () => {
    // A closed port on loopback: the real axios path runs and builds its error from the config.
    const gateway = createSdkTwilioGateway({ master: MASTER, baseUrl: 'http://127.0.0.1:9', retry: fast, log }, ...everyArea);
    const spy = jest.spyOn(RequestClient.prototype, 'request');
    const error = await gateway.fetchMessage(SUB, `SM${'a'.repeat(32)}`).catch((e: unknown) => e);
    expect(spy).toHaveBeenCalledTimes(3);
    expect(error).toMatchObject({ name: 'TwilioRetryableError', status: null });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    // The typed error carries no cause, config or headers that would hold the credential.
    expect(Object.keys(error as object).sort()).toEqual(['code', 'moreInfo', 'name', 'retryable', 'status']);
    expect(leaks(everythingAbout(error))).toEqual([]);
    expect(leaks(lines.join('\n'))).toEqual([]);
  });
});
