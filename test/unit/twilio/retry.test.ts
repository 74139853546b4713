import { backoffDelay, resolveRetryOptions, retry } from '../../../shared/twilio/retry';
import { shouldRetryTwilioCall, TwilioRequestClient } from '../../../shared/twilio/request-client';
import { createSdkTwilioGateway } from '../../../shared/twilio/sdk-gateway';
import { everyArea } from '../../../shared/twilio/sdk/areas';
import { TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import { networkError, scriptHttp, type FakeHttp } from './fake-http';

const SUB = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'sub-token-abcdef0123456789' };
const MESSAGE = `SM${'a'.repeat(32)}`;

/** Records every wait instead of waiting; the clock advances by what was slept. */
function fakeTime(random = () => 0.5) {
  const sleeps: number[] = [];
  let clock = 0;
  return {
    sleeps,
    options: {
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
      random,
      now: () => clock,
    },
  };
}

describe('backoff', () => {
  it('is full jitter over an exponentially growing, capped ceiling', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...opts, random: () => 0.999999 }))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { ...opts, random: () => 0.5 })).toBe(200);
  });
});

describe('retry', () => {
  it('retries until the outcome is final', async () => {
    const time = fakeTime();
    const attempt = jest.fn().mockRejectedValueOnce(new Error('a')).mockRejectedValueOnce(new Error('b')).mockResolvedValue('ok');
    await expect(retry(attempt, (o) => !o.ok, resolveRetryOptions({ ...time.options, baseDelayMs: 100 }))).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(time.sleeps).toEqual([50, 100]);
  });

  it('stops at maxAttempts and surfaces the last failure', async () => {
    const time = fakeTime();
    const attempt = jest.fn().mockRejectedValue(new Error('still down'));
    await expect(retry(attempt, () => true, resolveRetryOptions({ ...time.options, maxAttempts: 3 }))).rejects.toThrow('still down');
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(time.sleeps).toHaveLength(2);
  });

  it('does not start a wait that would overrun the total time budget', async () => {
    const time = fakeTime(() => 0.999);
    const attempt = jest.fn().mockRejectedValue(new Error('down'));
    const options = resolveRetryOptions({ ...time.options, maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 8000, maxElapsedMs: 5000 });
    await expect(retry(attempt, () => true, options)).rejects.toThrow('down');
    // Waits of ~999 and ~1998 fit in 5 s; the next (~3996) would not.
    expect(time.sleeps).toEqual([999, 1998]);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('never retries what shouldRetry calls final', async () => {
    const time = fakeTime();
    const attempt = jest.fn().mockRejectedValue(new Error('permanent'));
    await expect(retry(attempt, () => false, resolveRetryOptions(time.options))).rejects.toThrow('permanent');
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(time.sleeps).toEqual([]);
  });
});

describe('which Twilio outcomes are retried', () => {
  const answer = (statusCode: number, body: unknown = {}) => ({ ok: true as const, value: { statusCode, body } });
  const failure = (code: string) => ({ ok: false as const, error: networkError(code) });

  it.each([
    ['post', answer(429), true],
    ['post', answer(400, { code: 20429 }), true],
    ['post', answer(400, '{"code":20429,"message":"Too many"}'), true],
    ['get', answer(500), true],
    ['delete', answer(503), true],
    ['post', answer(500), false],
    ['post', answer(502), false],
    ['get', answer(400, { code: 21211 }), false],
    ['get', answer(401, { code: 20003 }), false],
    ['get', answer(404, { code: 20404 }), false],
    ['post', answer(201), false],
    ['get', failure('ECONNRESET'), true],
    ['get', failure('ETIMEDOUT'), true],
    ['post', failure('ECONNREFUSED'), true],
    ['post', failure('ECONNRESET'), false],
    ['post', failure('ETIMEDOUT'), false],
  ])('%s %j → %s', (method, outcome, expected) => {
    expect(shouldRetryTwilioCall(method, outcome)).toBe(expected);
  });

  it('retries ambiguous POST failures only when asked to', () => {
    expect(shouldRetryTwilioCall('post', answer(500), true)).toBe(true);
    expect(shouldRetryTwilioCall('post', failure('ECONNRESET'), true)).toBe(true);
    expect(shouldRetryTwilioCall('post', answer(400, { code: 21211 }), true)).toBe(false);
  });
});

describe('retry in the request client and the gateway', () => {
  let http: FakeHttp;
  afterEach(() => http.restore());

  it('retries 429 with backoff, then returns the success', async () => {
    http = scriptHttp({ statusCode: 429, body: { code: 20429 } }, { statusCode: 429, body: { code: 20429 } }, { statusCode: 200, body: { ok: true } });
    const time = fakeTime();
    const client = new TwilioRequestClient({ retry: { ...time.options, baseDelayMs: 200 } });
    const response = await client.request({ method: 'post', uri: 'https://api.twilio.com/2010-04-01/Accounts.json' });
    expect(response.statusCode).toBe(200);
    expect(http.calls).toHaveLength(3);
    expect(time.sleeps).toEqual([100, 200]);
  });

  it('tells of every throttled answer, the retried ones and the last, and of nothing else', async () => {
    http = scriptHttp({ statusCode: 429, body: { code: 20429 } }, { statusCode: 200, body: { code: 20429 } }, { statusCode: 503, body: {} });
    let throttled = 0;
    const time = fakeTime();
    const client = new TwilioRequestClient({ retry: { ...time.options, maxAttempts: 2 }, onThrottled: () => throttled++ });
    await client.request({ method: 'post', uri: 'https://api.twilio.com/2010-04-01/Accounts.json' });
    // A 429, then an answer whose body names 20429.
    expect(throttled).toBe(2);
    await client.request({ method: 'get', uri: 'https://api.twilio.com/2010-04-01/Accounts.json' }).catch(() => undefined);
    expect(throttled).toBe(2);
  });

  it('gives up after maxAttempts and the gateway raises TwilioRetryableError', async () => {
    http = scriptHttp({ statusCode: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    const time = fakeTime();
    const gateway = createSdkTwilioGateway({ master: SUB, retry: { ...time.options, maxAttempts: 3 } }, ...everyArea);
    const failure = gateway.fetchMessage(SUB, MESSAGE);
    await expect(failure).rejects.toBeInstanceOf(TwilioRetryableError);
    await expect(failure).rejects.toMatchObject({ status: 429, code: 20429 });
    expect(http.calls).toHaveLength(3);
    expect(time.sleeps).toHaveLength(2);
  });

  it('retries a 5xx read and succeeds', async () => {
    http = scriptHttp({ statusCode: 503, body: { code: 20503, message: 'Unavailable' } }, { statusCode: 200, body: { sid: MESSAGE, status: 'delivered', to: '+15125550111' } });
    const gateway = createSdkTwilioGateway({ master: SUB, retry: fakeTime().options }, ...everyArea);
    await expect(gateway.fetchMessage(SUB, MESSAGE)).resolves.toMatchObject({ sid: MESSAGE, status: 'delivered' });
    expect(http.calls).toHaveLength(2);
  });

  it('never retries a permanent error', async () => {
    http = scriptHttp({ statusCode: 400, body: { code: 21211, message: "The 'To' number is not valid", status: 400 } });
    const time = fakeTime();
    const gateway = createSdkTwilioGateway({ master: SUB, retry: time.options }, ...everyArea);
    await expect(gateway.sendMessage(SUB, { to: 'nope', body: 'hi', messagingServiceSid: `MG${'a'.repeat(32)}` })).rejects.toBeInstanceOf(TwilioPermanentError);
    expect(http.calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it('maps failures of raw JSON calls the same way', async () => {
    http = scriptHttp({ statusCode: 429, body: { code: 20429, message: 'slow' } }, { statusCode: 404, body: { code: 20404, message: 'Not found', status: 404 } });
    const gateway = createSdkTwilioGateway({ master: SUB, retry: fakeTime().options }, ...everyArea);
    await expect(gateway.fetchWhatsAppSender(SUB, `XE${'a'.repeat(32)}`)).rejects.toMatchObject({ name: 'TwilioPermanentError', code: 20404, status: 404 });
    expect(http.calls).toHaveLength(2);
  });

  it('retries a connection reset on a read and surfaces exhaustion as retryable', async () => {
    http = scriptHttp(networkError('ECONNRESET', 'socket hang up'));
    const gateway = createSdkTwilioGateway({ master: SUB, retry: { ...fakeTime().options, maxAttempts: 2 } }, ...everyArea);
    await expect(gateway.fetchNumber(SUB, `PN${'a'.repeat(32)}`)).rejects.toMatchObject({ name: 'TwilioRetryableError', status: null });
    expect(http.calls).toHaveLength(2);
  });
});
