import type { AttemptResponse } from './sender';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits before attempts 2…8 (attempt 1 is immediate): close to what the field's providers use, about 28 h in all. */
export const RETRY_DELAYS_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** ±10 %: spreads a burst of failures without turning a 10 h wait into a minute (full jitter would). */
const JITTER = 0.1;
/** A receiver's Retry-After is honoured up to this: beyond it, the schedule's own wait applies. */
const MAX_RETRY_AFTER_MS = HOUR;

export type Verdict = { kind: 'succeeded' } | { kind: 'gone' } | { kind: 'retry'; reason: string };

/** 2xx succeeded; 410 Gone stops (the endpoint is disabled); everything else is retried, other 4xx and 3xx included. */
export function verdictOf(response: AttemptResponse): Verdict {
  const { status } = response;
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'succeeded' };
  if (status === 410) return { kind: 'gone' };
  return { kind: 'retry', reason: response.error ?? (status !== undefined ? `HTTP ${status}` : 'no response') };
}

/**
 * The wait before the attempt after `attempt` (1-based), or undefined when `attempt` was the last.
 *
 * The schedule's wait, ±10 %. A 429 or 503 with `Retry-After` waits at least what it asks, up to an
 * hour, and never less than the jittered schedule: `max(jittered, min(retryAfter, 1 h))`. So a
 * receiver can slow the early retries down (5 s → its 20 minutes) but can neither speed any retry
 * up nor park its deliveries: after the fourth attempt the schedule's own wait (2 h and more) is
 * always the longer one, so the 8 attempts span at most about three hours more than the 28 h.
 */
export function nextDelayMs(attempt: number, response: AttemptResponse, random: () => number = Math.random): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a whole number from 1, not ${attempt}`);
  const scheduled = RETRY_DELAYS_MS[attempt - 1];
  if (scheduled === undefined) return undefined;
  const jittered = Math.round(scheduled * (1 + JITTER * (2 * random() - 1)));
  const asked = (response.status === 429 || response.status === 503) && response.retryAfterSeconds !== undefined ? Math.min(response.retryAfterSeconds * SECOND, MAX_RETRY_AFTER_MS) : 0;
  return Math.max(jittered, asked);
}
