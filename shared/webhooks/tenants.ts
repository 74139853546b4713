import type { TokenContext } from '../crypto/key-service';

/** The subaccount a webhook's AccountSid names, with what verifying its signature needs. */
export interface WebhookTenant extends TokenContext {
  readonly encryptedAuthToken: string;
  /** The token a rotation replaced: Twilio may still sign with it (before the promote, and while it propagates). */
  readonly previousEncryptedAuthToken?: string;
  /** Epoch ms after which the previous token is refused; absent while the rotation has not promoted yet. */
  readonly previousValidUntil?: number;
}

/** Whether a signature made with the tenant's previous token is still genuine at `now`. */
export function acceptsPrevious(tenant: WebhookTenant, now: number): tenant is WebhookTenant & { previousEncryptedAuthToken: string } {
  return tenant.previousEncryptedAuthToken !== undefined && (tenant.previousValidUntil === undefined || now < tenant.previousValidUntil);
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
  /** How long an AccountSid found nowhere is answered from memory (default 5 s). */
  readonly missTtlMs?: number;
  /** Misses kept at most, apart from the tenants so a flood of them evicts no real tenant (default 10,000). */
  readonly maxMisses?: number;
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
 * for one account costs one GetItem, shared by concurrent callers. An AccountSid found nowhere is
 * remembered for a few seconds only: a flood of forged requests naming it costs one read, not one
 * each, while a subaccount is written before Twilio knows our URLs, so none of its webhooks can
 * arrive within a miss's lifetime (Twilio does not retry a 403).
 */
export function createTenantCache({ lookup, ttlSeconds, minRefreshMs = 10_000, now = Date.now, maxEntries = 5000, missTtlMs = 5_000, maxMisses = 10_000 }: TenantCacheOptions): TenantCache {
  const ttlMs = ttlSeconds * 1000;
  const entries = new Map<string, Entry>();
  /** AccountSid → when the lookup found nothing. */
  const misses = new Map<string, number>();
  const NOT_FOUND: Promise<undefined> = Promise.resolve(undefined);
  function missed(accountSid: string): boolean {
    const at = misses.get(accountSid);
    if (at === undefined) return false;
    if (now() - at < missTtlMs) return true;
    misses.delete(accountSid);
    return false;
  }

  function load(accountSid: string): Promise<WebhookTenant | undefined> {
    const entry: Entry = { loadedAt: now(), value: lookup(accountSid) };
    entries.delete(accountSid);
    entries.set(accountSid, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    entry.value.then(
      (tenant) => {
        if (tenant !== undefined) {
          entry.loaded = tenant;
          misses.delete(accountSid);
        } else if (entries.get(accountSid) === entry) {
          entries.delete(accountSid);
          misses.delete(accountSid);
          misses.set(accountSid, entry.loadedAt);
          if (misses.size > maxMisses) misses.delete(misses.keys().next().value as string);
        }
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
      if (missed(accountSid)) return NOT_FOUND;
      return load(accountSid);
    },
    refresh(accountSid) {
      const entry = entries.get(accountSid);
      if (entry && now() - entry.loadedAt < minRefreshMs) return Promise.resolve(undefined);
      return load(accountSid);
    },
  };
}
