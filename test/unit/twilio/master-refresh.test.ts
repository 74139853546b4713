/**
 * A rotated master secret is picked up without a deploy: when Twilio refuses the cached master
 * credentials (401/20003) the secret is re-read once and the call retried; concurrent refusals
 * share that one read, and a secret that is simply wrong costs one read per interval, not a storm.
 */
import { createSdkTwilioGateway, type MasterProvider } from '../../../shared/twilio/sdk-gateway';
import { accountsAdapter } from '../../../shared/twilio/sdk/accounts';
import { startRecordingServer, type RecordingServer } from '../../contract/recording-server';

const SID = `AC${'1'.repeat(32)}`;
const SUB = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'sub-token-0123456789abcdef01' };
const OLD = 'master-token-old-0123456789ab';
const NEW = 'master-token-new-0123456789ab';

describe('master credentials: re-read on an authentication failure', () => {
  let server: RecordingServer;
  /** The token Twilio accepts for the master right now. */
  let accepted = NEW;
  beforeAll(async () => {
    server = await startRecordingServer();
  });
  beforeEach(() => {
    server.reset();
    accepted = NEW;
    server.respondWith((request) => {
      const [sid, token] = Buffer.from(String(request.headers.authorization).replace(/^Basic /, ''), 'base64').toString().split(':');
      if (sid === SID && token !== accepted) return { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } };
      return undefined;
    });
  });
  afterAll(() => server.close());

  /** A Secrets Manager stand-in: the cache serves `cached` until a refresh reads `stored`. */
  function secret(initial: string) {
    const reads: Array<'cached' | 'refresh'> = [];
    const state = { cached: initial, stored: initial };
    const provider: MasterProvider = async (options) => {
      reads.push(options?.refresh ? 'refresh' : 'cached');
      if (options?.refresh) state.cached = state.stored;
      return { accountSid: SID, authToken: state.cached };
    };
    return { provider, reads, state };
  }

  function gateway(provider: MasterProvider, clock = { now: 0 }) {
    return createSdkTwilioGateway({ master: provider, baseUrl: server.baseUrl, retry: { maxAttempts: 1 }, log: { warn: () => undefined }, now: () => clock.now }, accountsAdapter);
  }

  it('a rotated secret: one re-read, one retry with the new token, then the new token from the cache', async () => {
    const s = secret(OLD);
    s.state.stored = NEW;
    const g = gateway(s.provider);

    await expect(g.fetchAccount(SUB.accountSid)).resolves.toHaveProperty('accountSid');
    expect(s.reads).toEqual(['cached', 'refresh', 'cached']);
    expect(server.requests).toHaveLength(2);

    await g.fetchAccount(SUB.accountSid);
    expect(s.reads).toEqual(['cached', 'refresh', 'cached', 'cached']);
    expect(server.requests).toHaveLength(3);
  });

  it('concurrent refusals share one re-read, and every call is retried once', async () => {
    const s = secret(OLD);
    s.state.stored = NEW;
    const g = gateway(s.provider);

    const results = await Promise.all(Array.from({ length: 10 }, () => g.fetchAccount(SUB.accountSid)));

    expect(results).toHaveLength(10);
    expect(s.reads.filter((r) => r === 'refresh')).toHaveLength(1);
    expect(server.requests).toHaveLength(20);
  });

  it('a secret that is wrong at the source: one re-read, no retry, the refusal surfaces; no further re-read within the interval', async () => {
    const s = secret(OLD);
    const clock = { now: 0 };
    const g = gateway(s.provider, clock);
    accepted = 'neither';

    await expect(g.fetchAccount(SUB.accountSid)).rejects.toMatchObject({ name: 'TwilioPermanentError', code: 20003 });
    await expect(g.fetchAccount(SUB.accountSid)).rejects.toMatchObject({ code: 20003 });
    expect(s.reads.filter((r) => r === 'refresh')).toHaveLength(1);
    expect(server.requests).toHaveLength(2);

    clock.now += 60_000;
    await expect(g.fetchAccount(SUB.accountSid)).rejects.toMatchObject({ code: 20003 });
    expect(s.reads.filter((r) => r === 'refresh')).toHaveLength(2);
  });

  it('a refusal of a subaccount’s own credentials never re-reads the master secret', async () => {
    const s = secret(NEW);
    const g = gateway(s.provider);
    server.respondWith(() => ({ status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } }));

    await expect(g.createAddress(SUB, { customerName: 'Acme', street: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', isoCountry: 'US' })).rejects.toMatchObject({ code: 20003 });
    expect(s.reads).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('fixed master credentials (no provider) are not retried', async () => {
    const g = createSdkTwilioGateway({ master: { accountSid: SID, authToken: OLD }, baseUrl: server.baseUrl, retry: { maxAttempts: 1 }, log: { warn: () => undefined } }, accountsAdapter);
    await expect(g.fetchAccount(SUB.accountSid)).rejects.toMatchObject({ code: 20003 });
    expect(server.requests).toHaveLength(1);
  });

  it('a re-read that fails leaves Twilio’s refusal as the error', async () => {
    let reads = 0;
    const provider: MasterProvider = async (options) => {
      reads++;
      if (options?.refresh) throw Object.assign(new Error('Secrets Manager unavailable'), { name: 'InternalServiceError' });
      return { accountSid: SID, authToken: OLD };
    };
    await expect(gateway(provider).fetchAccount(SUB.accountSid)).rejects.toMatchObject({ name: 'TwilioPermanentError', code: 20003 });
    expect(reads).toBe(2);
    expect(server.requests).toHaveLength(1);
  });
});
