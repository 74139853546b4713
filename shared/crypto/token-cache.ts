import { canonicalContext, type TokenContext, type KeyService } from './key-service';

export interface TokenCacheOptions {
  readonly keys: Pick<KeyService, 'decrypt'>;
  /** How long a decrypted token may be reused; 0 still shares concurrent decrypts but keeps nothing. */
  readonly ttlSeconds: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  readonly now?: () => number;
  /** Bound on tenants held by one warm instance; the least recently loaded is dropped first. */
  readonly maxEntries?: number;
}

export interface TokenCache {
  /** The plaintext of `ciphertext`, decrypted at most once per account per TTL. */
  get(ciphertext: string, context: TokenContext): Promise<string>;
  /** The plaintext if it is cached and fresh for exactly this blob and context; no I/O, no promise (hot paths). */
  peek(ciphertext: string, context: TokenContext): string | undefined;
  /** Forget an account's token, e.g. after Twilio answered 401 with it. */
  invalidate(accountSid: string): void;
}

type State = { readonly kind: 'loading'; readonly promise: Promise<string> } | { readonly kind: 'ready'; readonly value: string; readonly expiresAt: number };

interface Entry {
  readonly ciphertext: string;
  readonly context: string;
  /** The context object of the load: callers that pass the same object again skip re-canonicalising it. */
  readonly contextObject: TokenContext;
  state: State;
}

/**
 * Keeps "one KMS Decrypt per warm instance per token per TTL" true under load: a burst of webhooks for
 * one account triggers a single decrypt that every caller awaits, later calls reuse the result until it
 * expires, and a failed decrypt is forgotten so the next call tries again.
 *
 * A hit requires the same ciphertext and the same encryption context as the load that filled the entry:
 * a rotated token (new blob) is picked up at once, and the cache can never hand a token to a caller
 * whose context would have been refused by the key service.
 */
export function createTokenCache({ keys, ttlSeconds, now = Date.now, maxEntries = 5000 }: TokenCacheOptions): TokenCache {
  if (!(ttlSeconds >= 0) || !(maxEntries >= 1)) throw new RangeError('ttlSeconds must be >= 0 and maxEntries >= 1');
  const ttlMs = ttlSeconds * 1000;
  const entries = new Map<string, Entry>();

  function load(accountSid: string, ciphertext: string, context: TokenContext, canonical: string): Promise<string> {
    const entry: Entry = { ciphertext, context: canonical, contextObject: context, state: { kind: 'ready', value: '', expiresAt: 0 } };
    const promise = Promise.resolve()
      .then(() => keys.decrypt(ciphertext, context))
      .then(
        (value) => {
          // Only the newest load for the account may fill it; an older one finishing late must not overwrite a rotation.
          if (entries.get(accountSid) === entry) entry.state = { kind: 'ready', value, expiresAt: now() + ttlMs };
          return value;
        },
        (error: unknown) => {
          if (entries.get(accountSid) === entry) entries.delete(accountSid);
          throw error;
        },
      );
    entry.state = { kind: 'loading', promise };
    entries.delete(accountSid);
    entries.set(accountSid, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
    return promise;
  }

  return {
    peek(ciphertext, context) {
      const entry = entries.get(context.accountSid);
      if (entry === undefined || entry.state.kind !== 'ready' || entry.ciphertext !== ciphertext || now() >= entry.state.expiresAt) return undefined;
      return entry.contextObject === context || entry.context === canonicalContext(context) ? entry.state.value : undefined;
    },
    get(ciphertext, context) {
      const canonical = canonicalContext(context);
      const entry = entries.get(context.accountSid);
      if (entry && entry.ciphertext === ciphertext && entry.context === canonical) {
        if (entry.state.kind === 'loading') return entry.state.promise;
        if (now() < entry.state.expiresAt) return Promise.resolve(entry.state.value);
      }
      return load(context.accountSid, ciphertext, context, canonical);
    },
    invalidate(accountSid) {
      entries.delete(accountSid);
    },
  };
}
