/**
 * Per-key token buckets, as an API Gateway usage plan throttles each API key: `ratePerSecond`
 * steady state, `burst` at once. The clock is injected so tests can refill buckets without waiting.
 */
export interface ThrottleSettings {
  ratePerSecond: number;
  burst: number;
}

/** Generous, so local development and benchmarks are never throttled by accident. */
export const DEFAULT_THROTTLE: ThrottleSettings = { ratePerSecond: 1000, burst: 2000 };

export interface Throttle {
  /** Takes one token; when none is left, says how long until the next one. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function tokenBuckets(settings: ThrottleSettings, now: () => number = Date.now): Throttle {
  if (!(settings.ratePerSecond > 0) || !(settings.burst >= 1)) throw new Error('Throttle rate must be > 0 and burst >= 1');
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: settings.burst, at: t };
      bucket.tokens = Math.min(settings.burst, bucket.tokens + ((t - bucket.at) / 1000) * settings.ratePerSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / settings.ratePerSecond)) };
    },
  };
}
