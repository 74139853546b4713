import { UnauthorizedError } from '../../../shared/domain/errors';
import { cachedKeyDecisions } from '../../../functions/authorizer/key-cache';

/** A table that answers each key's decision and counts the reads. */
function fakeAuthenticate(valid: Record<string, string>) {
  const asked: (string | undefined)[] = [];
  const authenticate = async (key: string | undefined) => {
    asked.push(key);
    const partnerId = key ? valid[key] : undefined;
    if (!partnerId) throw new UnauthorizedError('Missing or invalid API key');
    return { partnerId, keyId: `key_${partnerId}` };
  };
  return { authenticate, asked };
}

describe('cachedKeyDecisions', () => {
  it('reuses an Allow for the same key within the ttl and asks again after it', async () => {
    let now = 1_000_000;
    const table = fakeAuthenticate({ k1: 'ptn_1' });
    const authenticate = cachedKeyDecisions(table.authenticate, 60, { now: () => now });
    expect(await authenticate('k1')).toEqual({ partnerId: 'ptn_1', keyId: 'key_ptn_1' });
    now += 59_999;
    expect(await authenticate('k1')).toEqual({ partnerId: 'ptn_1', keyId: 'key_ptn_1' });
    expect(table.asked).toEqual(['k1']);
    now += 1;
    await authenticate('k1');
    expect(table.asked).toEqual(['k1', 'k1']);
  });

  it('never keeps a refusal, nor caches an absent key', async () => {
    const table = fakeAuthenticate({});
    const authenticate = cachedKeyDecisions(table.authenticate, 60, { now: () => 0 });
    await expect(authenticate('bad')).rejects.toThrow(UnauthorizedError);
    await expect(authenticate('bad')).rejects.toThrow(UnauthorizedError);
    await expect(authenticate(undefined)).rejects.toThrow(UnauthorizedError);
    expect(table.asked).toEqual(['bad', 'bad', undefined]);
  });

  it('asks every time with a ttl of 0', async () => {
    const table = fakeAuthenticate({ k1: 'ptn_1' });
    const authenticate = cachedKeyDecisions(table.authenticate, 0, { now: () => 0 });
    await authenticate('k1');
    await authenticate('k1');
    expect(table.asked).toEqual(['k1', 'k1']);
  });

  it('keeps at most maxEntries decisions, dropping the oldest', async () => {
    const table = fakeAuthenticate({ a: 'ptn_a', b: 'ptn_b', c: 'ptn_c' });
    const authenticate = cachedKeyDecisions(table.authenticate, 60, { now: () => 0, maxEntries: 2 });
    for (const key of ['a', 'b', 'c', 'c', 'b', 'a']) await authenticate(key);
    // a was dropped for c; b and c were still held; a is asked again.
    expect(table.asked).toEqual(['a', 'b', 'c', 'a']);
  });
});
