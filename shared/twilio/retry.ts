/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * the n-th wait is uniform in [0, min(maxDelay, base·2^(n-1))), which spreads retries from many
 * tenants instead of synchronising them. Attempts and total elapsed time are both bounded so a
 * Lambda never spends its whole timeout waiting on Twilio. Clock, sleep and randomness are
 * injectable so tests never wait.
 */

export interface RetryOptions {
  /** Total attempts including the first. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** No retry is started if its wait would end later than this after the first attempt began. */
  maxElapsedMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ResolvedRetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxElapsedMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

export const DEFAULT_RETRY: Omit<ResolvedRetryOptions, 'sleep' | 'random' | 'now'> = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxElapsedMs: 15000,
};

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxElapsedMs: options.maxElapsedMs ?? DEFAULT_RETRY.maxElapsedMs,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };
}

/** The wait before retry number `retry` (1-based). */
export function backoffDelay(retry: number, options: Pick<ResolvedRetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(options.random() * ceiling);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RetryEvent {
  attempt: number;
  delayMs: number;
}

/**
 * Runs `attempt` until `shouldRetry` says the outcome is final or the budget is spent, then
 * returns the last value or throws the last error. An outcome can be a value worth retrying
 * (an HTTP 429 answer is a value, not an exception, at the HTTP layer).
 */
export async function retry<T>(
  attempt: () => Promise<T>,
  shouldRetry: (outcome: Outcome<T>) => boolean,
  options: ResolvedRetryOptions,
  onRetry?: (outcome: Outcome<T>, event: RetryEvent) => void,
): Promise<T> {
  const started = options.now();
  for (let n = 1; ; n++) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await attempt() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const delayMs = backoffDelay(n, options);
    const withinBudget = n < options.maxAttempts && options.now() - started + delayMs <= options.maxElapsedMs;
    if (!withinBudget || !shouldRetry(outcome)) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    onRetry?.(outcome, { attempt: n, delayMs });
    await options.sleep(delayMs);
  }
}
