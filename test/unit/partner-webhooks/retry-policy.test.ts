import fc from 'fast-check';
import { MAX_ATTEMPTS, nextDelayMs, RETRY_DELAYS_MS, verdictOf } from '../../../shared/partner-webhooks/retry-policy';
import type { AttemptResponse } from '../../../shared/partner-webhooks/sender';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const failed: AttemptResponse = { status: 500, error: 'HTTP 500', durationMs: 12 };
/** `random()` at the middle of its range: no jitter. */
const middle = () => 0.5;

describe('retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h before attempts 2 to 8', () => {
    expect(RETRY_DELAYS_MS).toEqual([5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(Array.from({ length: 7 }, (_, i) => nextDelayMs(i + 1, failed, middle))).toEqual(RETRY_DELAYS_MS);
    // About 28 hours from the first attempt to the last.
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe(27 * HOUR + 35 * MINUTE + 5 * SECOND);
  });

  it('has no attempt after the eighth', () => {
    expect(nextDelayMs(MAX_ATTEMPTS, failed, middle)).toBeUndefined();
    expect(nextDelayMs(MAX_ATTEMPTS + 1, failed, middle)).toBeUndefined();
    expect(nextDelayMs(MAX_ATTEMPTS, { status: 429, retryAfterSeconds: 10, durationMs: 1 }, middle)).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attempt number %p as a bug', (attempt) => {
    expect(() => nextDelayMs(attempt, failed)).toThrow(RangeError);
  });

  it('jitters by ±10 % at the extremes of random()', () => {
    expect(nextDelayMs(7, failed, () => 0)).toBe(9 * HOUR);
    expect(nextDelayMs(7, failed, () => 0.999_999_999)).toBe(11 * HOUR); // rounded to the millisecond
    expect(nextDelayMs(1, failed, () => 0)).toBe(4.5 * SECOND);
  });

  it('keeps every jittered wait within ±10 % of its schedule (never a 10 h wait turned into minutes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const scheduled = RETRY_DELAYS_MS[attempt - 1]!;
        const delay = nextDelayMs(attempt, failed, () => r)!;
        return delay >= Math.floor(scheduled * 0.9) && delay <= Math.ceil(scheduled * 1.1) && Number.isInteger(delay);
      }),
    );
  });
});

describe('Retry-After', () => {
  it.each([429, 503])('makes an early retry wait as long as a %i asks', (status) => {
    expect(nextDelayMs(1, { status, retryAfterSeconds: 120, durationMs: 3 }, middle)).toBe(120 * SECOND);
    expect(nextDelayMs(2, { status, retryAfterSeconds: 1200, durationMs: 3 }, middle)).toBe(20 * MINUTE);
  });

  it('never makes a retry sooner than the schedule', () => {
    expect(nextDelayMs(3, { status: 429, retryAfterSeconds: 1, durationMs: 3 }, middle)).toBe(30 * MINUTE);
    expect(nextDelayMs(1, { status: 503, retryAfterSeconds: 0, durationMs: 3 }, () => 0)).toBe(4.5 * SECOND);
  });

  it('honours at most an hour, so a receiver cannot park its deliveries', () => {
    expect(nextDelayMs(1, { status: 429, retryAfterSeconds: 86_400, durationMs: 3 }, middle)).toBe(HOUR);
    expect(nextDelayMs(6, { status: 429, retryAfterSeconds: 86_400, durationMs: 3 }, middle)).toBe(10 * HOUR);
  });

  it('is read only on 429 and 503', () => {
    expect(nextDelayMs(1, { status: 500, retryAfterSeconds: 600, durationMs: 3 }, middle)).toBe(5 * SECOND);
    expect(nextDelayMs(1, { status: 302, error: 'redirect not followed (HTTP 302)', retryAfterSeconds: 600, durationMs: 3 }, middle)).toBe(5 * SECOND);
  });

  it('bounds every wait between the jittered schedule and the larger of it and an hour', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(429, 503),
        fc.nat({ max: 10 * 86_400 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, status, retryAfterSeconds, r) => {
          const scheduled = RETRY_DELAYS_MS[attempt - 1]!;
          const delay = nextDelayMs(attempt, { status, retryAfterSeconds, durationMs: 1 }, () => r)!;
          return delay >= Math.min(retryAfterSeconds * SECOND, HOUR) && delay >= Math.floor(scheduled * 0.9) && delay <= Math.max(Math.ceil(scheduled * 1.1), HOUR);
        },
      ),
    );
  });
});

describe('verdict of an attempt', () => {
  it.each([200, 201, 202, 204, 299])('HTTP %i succeeded', (status) => {
    expect(verdictOf({ status, durationMs: 5 })).toEqual({ kind: 'succeeded' });
  });

  it('410 Gone stops the deliveries', () => {
    expect(verdictOf({ status: 410, error: 'HTTP 410', durationMs: 5 })).toEqual({ kind: 'gone' });
  });

  it.each<[string, AttemptResponse, string]>([
    ['a 5xx', { status: 502, error: 'HTTP 502', durationMs: 5 }, 'HTTP 502'],
    ['a 429', { status: 429, error: 'HTTP 429', retryAfterSeconds: 30, durationMs: 5 }, 'HTTP 429'],
    ['another 4xx', { status: 404, error: 'HTTP 404', durationMs: 5 }, 'HTTP 404'],
    ['a 400', { status: 400, durationMs: 5 }, 'HTTP 400'],
    ['a redirect', { status: 301, error: 'redirect not followed (HTTP 301)', durationMs: 5 }, 'redirect not followed (HTTP 301)'],
    ['a timeout', { error: 'timeout after 10 s', durationMs: 10_000 }, 'timeout after 10 s'],
    ['a network error', { error: 'connection refused', durationMs: 1 }, 'connection refused'],
    ['an SSRF refusal', { error: 'ssrf: api.example.com resolves to 10.0.0.8, a private address', durationMs: 0 }, 'ssrf: api.example.com resolves to 10.0.0.8, a private address'],
    ['nothing at all', { durationMs: 0 }, 'no response'],
  ])('%s is retried, with its reason', (_label, response, reason) => {
    expect(verdictOf(response)).toEqual({ kind: 'retry', reason });
  });
});
