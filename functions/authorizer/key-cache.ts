import { createHash } from 'node:crypto';

export interface KeyDecision {
  partnerId: string;
  keyId: string;
}

/**
 * Reuses an Allow for the same API key for `ttlSeconds`, as API Gateway's authorizer cache did
 * before portal cookies (which carry no Authorization header to key that cache on) made the
 * gateway ask for every request. Entries are keyed by the key's SHA-256, never the key; refusals
 * are not kept; at `maxEntries` the oldest entry goes. A ttl of 0 asks every time.
 */
export function cachedKeyDecisions(
  authenticate: (key: string | undefined) => Promise<KeyDecision>,
  ttlSeconds: number,
  { now = Date.now, maxEntries = 1_000 }: { now?: () => number; maxEntries?: number } = {},
): (key: string | undefined) => Promise<KeyDecision> {
  const decisions = new Map<string, KeyDecision & { until: number }>();
  return async (key) => {
    if (ttlSeconds <= 0 || !key) return authenticate(key);
    const id = createHash('sha256').update(key, 'utf8').digest('hex');
    const hit = decisions.get(id);
    if (hit && hit.until > now()) return { partnerId: hit.partnerId, keyId: hit.keyId };
    decisions.delete(id);
    const decision = await authenticate(key);
    if (decisions.size >= maxEntries) decisions.delete(decisions.keys().next().value!);
    decisions.set(id, { partnerId: decision.partnerId, keyId: decision.keyId, until: now() + ttlSeconds * 1000 });
    return decision;
  };
}
