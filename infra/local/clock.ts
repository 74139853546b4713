/** Milliseconds since the epoch; the only time source of the local queues and the throttle. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand, so visibility timeouts and throttle refills need no waiting. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function manualClock(startMs = Date.UTC(2025, 0, 1)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      if (ms < 0) throw new Error('A clock only moves forward');
      current += ms;
    },
    set: (epochMs) => {
      if (epochMs < current) throw new Error('A clock only moves forward');
      current = epochMs;
    },
  };
}

export const isManual = (clock: Clock): clock is ManualClock => typeof (clock as ManualClock).advance === 'function';
