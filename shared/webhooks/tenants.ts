import type { TokenContext } from '../crypto/key-service';

/** The subaccount a webhook's AccountSid names, with what verifying its signature needs. */
export interface WebhookTenant extends TokenContext {
  readonly encryptedAuthToken: string;
}

/** Port: tenant by AccountSid (one GetItem on the subaccount row). */
export type TenantLookup = (accountSid: string) => Promise<WebhookTenant | undefined>;

export interface TenantCacheOptions {
  readonly lookup: TenantLookup;
  readonly ttlSeconds: number;
  /** A re-read after a signature mismatch happens at most this often per account. */
  readonly minRefreshMs?: number;
  readonly now?: () => number;
  readonly maxEntries?: number;
}

export interface TenantCache {
  get(accountSid: string): Promise<WebhookTenant | undefined>;
  /** The tenant if its row is loaded and fresh; no I/O, no promise (the receivers' hot path). */
  peek(accountSid: string): WebhookTenant | undefined;
  /**
   * Re-reads the account when the cached row may be stale (its token was rotated), at most once per
   * `minRefreshMs`; resolves `undefined` when no re-read was allowed, so a flood of forged requests
   * costs at most one read per account per interval.
   */
  refresh(accountSid: string): Promise<WebhookTenant | undefined>;
}

interface Entry {
  loadedAt: number;
  value: Promise<WebhookTenant | undefined>;
  /** Set once the lookup found the tenant. */
  loaded?: WebhookTenant;
}

/**
 * Keeps the subaccount row of a warm receiver in memory for the token TTL, so a burst of webhooks
 * for one account costs one GetItem, shared by concurrent callers. Unknown accounts are not kept:
 * a subaccount created a second ago must be found at once (Twilio does not retry a 403).
 */
export function createTenantCache({ lookup, ttlSeconds, minRefreshMs = 10_000, now = Date.now, maxEntries = 5000 }: TenantCacheOptions): TenantCache {
  const ttlMs = ttlSeconds * 1000;
  const entries = new Map<string, Entry>();

  function load(accountSid: string): Promise<WebhookTenant | undefined> {
    const entry: Entry = { loadedAt: now(), value: lookup(accountSid) };
    entries.delete(accountSid);
    entries.set(accountSid, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    entry.value.then(
      (tenant) => {
        if (tenant !== undefined) entry.loaded = tenant;
        else if (entries.get(accountSid) === entry) entries.delete(accountSid);
      },
      () => entries.get(accountSid) === entry && entries.delete(accountSid),
    );
    return entry.value;
  }

  return {
    peek(accountSid) {
      const entry = entries.get(accountSid);
      return entry && now() - entry.loadedAt < ttlMs ? entry.loaded : undefined;
    },
    get(accountSid) {
      const entry = entries.get(accountSid);
      if (entry && now() - entry.loadedAt < ttlMs) return entry.value;
      return load(accountSid);
    },
    refresh(accountSid) {
      const entry = entries.get(accountSid);
      if (entry && now() - entry.loadedAt < minRefreshMs) return Promise.resolve(undefined);
      return load(accountSid);
    },
  };
}
