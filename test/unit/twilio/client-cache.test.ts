import { TwilioClientCache } from '../../../shared/twilio/sdk/clients';
import { TwilioRequestClient } from '../../../shared/twilio/request-client';
import { createSdkTwilio, createSdkTwilioGateway } from '../../../shared/twilio/sdk-gateway';
import { messagesAdapter } from '../../../shared/twilio/sdk/messages';
import { numbersAdapter } from '../../../shared/twilio/sdk/numbers';
import { everyArea } from '../../../shared/twilio/sdk/areas';
import { scriptHttp, type FakeHttp } from './fake-http';

const A = { accountSid: `AC${'a'.repeat(32)}`, authToken: 'token-a' };
const B = { accountSid: `AC${'b'.repeat(32)}`, authToken: 'token-b' };

describe('SDK client cache', () => {
  const http = new TwilioRequestClient();

  it('builds one client per credential set and reuses it', () => {
    const cache = new TwilioClientCache(http);
    const first = cache.get(A);
    expect(cache.get({ ...A })).toBe(first);
    expect(cache.get(B)).not.toBe(first);
    expect(cache.size).toBe(2);
  });

  it('builds a new client when the token rotates', () => {
    const cache = new TwilioClientCache(http);
    expect(cache.get({ ...A, authToken: 'rotated' })).not.toBe(cache.get(A));
  });

  it('shares the one request client (rewrite + retry) across clients', () => {
    const cache = new TwilioClientCache(http);
    expect(cache.get(A).httpClient).toBe(http);
    expect(cache.get(B).httpClient).toBe(http);
  });

  it('evicts the least recently used client beyond its bound', () => {
    const cache = new TwilioClientCache(http, 2);
    const a = cache.get(A);
    cache.get(B);
    cache.get(A);
    cache.get({ accountSid: `AC${'c'.repeat(32)}`, authToken: 'token-c' });
    expect(cache.size).toBe(2);
    expect(cache.get(A)).toBe(a);
  });

  describe('through the gateway', () => {
    let fake: FakeHttp;
    afterEach(() => {
      fake.restore();
      jest.restoreAllMocks();
    });

    it('does not build a client per call', async () => {
      fake = scriptHttp({ statusCode: 200, body: { sid: `SM${'1'.repeat(32)}`, status: 'sent', to: '+1' } });
      const built = jest.spyOn(TwilioClientCache.prototype, 'get');
      const gateway = createSdkTwilioGateway({ master: A }, ...everyArea);
      await gateway.fetchMessage(B, `SM${'1'.repeat(32)}`);
      await gateway.fetchMessage(B, `SM${'1'.repeat(32)}`);
      const clients = new Set(built.mock.results.map((r) => r.value));
      expect(built).toHaveBeenCalledTimes(2);
      expect(clients.size).toBe(1);
      // Each call authenticates as the subaccount, never as the master.
      expect(fake.calls.every((c) => String(c.uri).includes(B.accountSid))).toBe(true);
    });

    it('shares one client per credential set across the gateways of one SDK instance', async () => {
      fake = scriptHttp({ statusCode: 200, body: { sid: `SM${'1'.repeat(32)}`, status: 'sent', to: '+1', phone_number: '+1' } });
      const built = jest.spyOn(TwilioClientCache.prototype, 'get');
      const sdk = createSdkTwilio({ master: A });
      const messages = sdk.gateway(messagesAdapter);
      const numbers = sdk.gateway(numbersAdapter);
      // Each gateway has only its areas' methods.
      expect(Object.keys(messages).sort()).toEqual(['cancelMessage', 'fetchMessage', 'sendMessage']);
      expect(numbers).not.toHaveProperty('sendMessage');
      await messages.fetchMessage(B, `SM${'1'.repeat(32)}`);
      await numbers.fetchNumber(B, `PN${'1'.repeat(32)}`);
      expect(new Set(built.mock.results.map((r) => r.value)).size).toBe(1);
      expect(fake.calls.map((c) => new URL(String(c.uri)).pathname)).toEqual([
        `/2010-04-01/Accounts/${B.accountSid}/Messages/SM${'1'.repeat(32)}.json`,
        `/2010-04-01/Accounts/${B.accountSid}/IncomingPhoneNumbers/PN${'1'.repeat(32)}.json`,
      ]);
    });
  });
});
