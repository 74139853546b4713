import { randomBytes } from 'node:crypto';
import { createLocalKeyService, createTokenCache, DecryptionError, type TokenContext, type KeyService } from '../../../shared/crypto';
import { context, token } from './fixtures';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A key service whose decrypts the test settles by hand, recording each call. */
function manualKeys() {
  const pending: Array<{ ciphertext: string; context: TokenContext } & ReturnType<typeof deferred<string>>> = [];
  const keys: Pick<KeyService, 'decrypt'> = {
    decrypt: jest.fn((ciphertext: string, ctx: TokenContext) => {
      const d = deferred<string>();
      pending.push({ ciphertext, context: ctx, ...d });
      return d.promise;
    }),
  };
  return { keys, pending };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('token cache', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_700_000_000_000;
  });

  it('decrypts once per account within the TTL', async () => {
    const decrypt = jest.fn(async () => token);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });

    await cache.get('blob', context);
    clock += 299_999;
    await expect(cache.get('blob', context)).resolves.toBe(token);

    expect(decrypt).toHaveBeenCalledTimes(1);
  });

  it('decrypts again once the TTL has elapsed', async () => {
    const decrypt = jest.fn(async () => token);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });

    await cache.get('blob', context);
    clock += 300_000;
    await cache.get('blob', context);

    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('measures the TTL from when the decrypt finished, not when it started', async () => {
    const { keys, pending } = manualKeys();
    const cache = createTokenCache({ keys, ttlSeconds: 60, now });

    const first = cache.get('blob', context);
    await flush();
    clock += 50_000;
    pending[0].resolve(token);
    await first;
    clock += 59_000;
    await cache.get('blob', context);

    expect(keys.decrypt).toHaveBeenCalledTimes(1);
  });

  it('shares one in-flight decrypt between concurrent callers (single flight)', async () => {
    const { keys, pending } = manualKeys();
    const cache = createTokenCache({ keys, ttlSeconds: 300, now });

    const callers = Array.from({ length: 25 }, () => cache.get('blob', context));
    await flush();
    pending[0].resolve(token);

    await expect(Promise.all(callers)).resolves.toEqual(Array(25).fill(token));
    expect(keys.decrypt).toHaveBeenCalledTimes(1);
  });

  it('does not cache failures: concurrent callers share the error, the next call retries', async () => {
    const { keys, pending } = manualKeys();
    const cache = createTokenCache({ keys, ttlSeconds: 300, now });

    const callers = [cache.get('blob', context), cache.get('blob', context)];
    await flush();
    pending[0].reject(new DecryptionError());
    await expect(Promise.all(callers)).rejects.toBeInstanceOf(DecryptionError);

    const retry = cache.get('blob', context);
    await flush();
    pending[1].resolve(token);
    await expect(retry).resolves.toBe(token);
    expect(keys.decrypt).toHaveBeenCalledTimes(2);
  });

  it('turns a synchronous throw from the key service into a rejection that is not cached', async () => {
    const decrypt = jest
      .fn<Promise<string>, [string, TokenContext]>()
      .mockImplementationOnce(() => {
        throw new TypeError('bad context');
      })
      .mockResolvedValueOnce(token);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });

    await expect(cache.get('blob', context)).rejects.toThrow(TypeError);
    await expect(cache.get('blob', context)).resolves.toBe(token);
  });

  it('keeps accounts apart', async () => {
    const decrypt = jest.fn(async (blob: string) => `token-for-${blob}`);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });
    const other = { ...context, accountSid: 'AC' + 'f'.repeat(32) };

    await expect(cache.get('blob-a', context)).resolves.toBe('token-for-blob-a');
    await expect(cache.get('blob-b', other)).resolves.toBe('token-for-blob-b');
    await expect(cache.get('blob-a', context)).resolves.toBe('token-for-blob-a');
    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('picks up a rotated token (new ciphertext) at once', async () => {
    const decrypt = jest.fn(async (blob: string) => `token-for-${blob}`);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });

    await cache.get('old-blob', context);
    await expect(cache.get('new-blob', context)).resolves.toBe('token-for-new-blob');
    await expect(cache.get('new-blob', context)).resolves.toBe('token-for-new-blob');
    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('does not let a slow load of the old token overwrite the rotated one', async () => {
    const { keys, pending } = manualKeys();
    const cache = createTokenCache({ keys, ttlSeconds: 300, now });

    const old = cache.get('old-blob', context);
    const rotated = cache.get('new-blob', context);
    await flush();
    pending[1].resolve('new-token');
    await rotated;
    pending[0].resolve('old-token');
    await old;

    await expect(cache.get('new-blob', context)).resolves.toBe('new-token');
    expect(keys.decrypt).toHaveBeenCalledTimes(2);
  });

  it('never serves a cached token to a caller with a different encryption context', async () => {
    const keys = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });
    const blob = await keys.encrypt(token, context);
    const cache = createTokenCache({ keys, ttlSeconds: 300, now });
    await expect(cache.get(blob, context)).resolves.toBe(token);

    for (const field of ['partnerId', 'customerId'] as const) {
      await expect(cache.get(blob, { ...context, [field]: 'someone-else' })).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  it('reloads after invalidate', async () => {
    const decrypt = jest.fn(async () => token);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });

    await cache.get('blob', context);
    cache.invalidate(context.accountSid);
    await cache.get('blob', context);

    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('with a TTL of 0 shares concurrent decrypts but keeps nothing afterwards', async () => {
    const { keys, pending } = manualKeys();
    const cache = createTokenCache({ keys, ttlSeconds: 0, now });

    const pair = [cache.get('blob', context), cache.get('blob', context)];
    await flush();
    pending[0].resolve(token);
    await Promise.all(pair);
    const later = cache.get('blob', context);
    await flush();
    pending[1].resolve(token);
    await later;

    expect(keys.decrypt).toHaveBeenCalledTimes(2);
  });

  it('holds at most maxEntries accounts, dropping the least recently loaded', async () => {
    const decrypt = jest.fn(async (blob: string) => blob);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now, maxEntries: 2 });
    const ctx = (n: number) => ({ ...context, accountSid: `AC${n}` });

    await cache.get('1', ctx(1));
    await cache.get('2', ctx(2));
    await cache.get('3', ctx(3));
    await cache.get('3', ctx(3));
    await cache.get('2', ctx(2));
    expect(decrypt).toHaveBeenCalledTimes(3);

    await cache.get('1', ctx(1));
    expect(decrypt).toHaveBeenCalledTimes(4);
  });

  it('refuses a negative TTL', () => {
    expect(() => createTokenCache({ keys: { decrypt: async () => token }, ttlSeconds: -1 })).toThrow(RangeError);
  });

  it('peeks synchronously only at a fresh value for the same blob and context', async () => {
    const decrypt = jest.fn(async () => token);
    const cache = createTokenCache({ keys: { decrypt }, ttlSeconds: 300, now });
    expect(cache.peek('blob', context)).toBeUndefined();
    const loading = cache.get('blob', context);
    expect(cache.peek('blob', context)).toBeUndefined();
    await loading;
    expect(cache.peek('blob', context)).toBe(token);
    expect(cache.peek('other-blob', context)).toBeUndefined();
    expect(cache.peek('blob', { ...context, customerId: 'cus_other' })).toBeUndefined();
    clock += 300_000;
    expect(cache.peek('blob', context)).toBeUndefined();
    expect(decrypt).toHaveBeenCalledTimes(1);
  });
});

