import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { systemClock, type Clock } from './clock';
import { LOCAL_ACCOUNT, type LambdaRuntime } from './lambda-runtime';
import { functionsOf, type LocalCatalog } from './local-catalog';
import type { LocalLog } from './log';

/**
 * The catalog's `schedule` triggers on one machine: each function runs every `rateMinutes` on
 * the platform's {@link Clock}, as an EventBridge `rate()` rule invokes it. The first run is one
 * period after the schedules are created (a new rule fires first after a period, too). Periods
 * that passed unseen are not made up: a run that is due runs once, with the time of the latest
 * period, and the next one is the period after the clock — EventBridge does not back-fill either.
 *
 * With a manual clock nothing runs until a test moves it and calls {@link LocalSchedules.runDue};
 * `startTimers` looks at the clock in real time (npm start).
 */
export interface LocalSchedules {
  /** Invokes every function whose next run is due by the clock, once each; returns how many ran. */
  runDue(): Promise<number>;
  /** Next run of each scheduled function, epoch ms on the clock. */
  nextRuns(): Record<string, number>;
  /** Real time: look for due runs every `intervalMs` (default 1000). */
  startTimers(intervalMs?: number): void;
  /** Stops the timers and waits for the runs in flight. */
  stop(): Promise<void>;
}

export interface LocalSchedulesOptions {
  catalog: LocalCatalog;
  runtime: LambdaRuntime;
  region: string;
  clock?: Clock;
  log: LocalLog;
}

export function createLocalSchedules({ catalog, runtime, region, clock = systemClock, log }: LocalSchedulesOptions): LocalSchedules {
  const start = clock.now();
  const schedules = functionsOf(catalog, 'schedule').map((fn) => {
    const { rateMinutes } = fn.trigger;
    if (!(Number.isInteger(rateMinutes) && rateMinutes >= 1)) throw new Error(`Scheduled function ${fn.id}: rateMinutes must be a positive whole number of minutes`);
    return { fn, periodMs: rateMinutes * 60_000, next: start + rateMinutes * 60_000 };
  });

  async function runOnce(): Promise<number> {
    let ran = 0;
    // One after another, in catalog order: deterministic for tests.
    for (const schedule of schedules) {
      const now = clock.now();
      if (schedule.next > now) continue;
      const periodsPassed = Math.floor((now - schedule.next) / schedule.periodMs);
      const firedAt = schedule.next + periodsPassed * schedule.periodMs;
      schedule.next = firedAt + schedule.periodMs;
      ran++;
      try {
        await runtime.invoke(schedule.fn.id, scheduledEvent(schedule.fn.id, region, firedAt));
      } catch {
        // The runtime has logged it. EventBridge invokes asynchronously and Lambda would retry
        // twice; locally the next period is the retry.
      }
    }
    return ran;
  }

  let chain: Promise<unknown> = Promise.resolve();
  const runDue = (): Promise<number> => {
    const run = chain.then(runOnce);
    chain = run.catch(() => undefined);
    return run;
  };

  let timer: NodeJS.Timeout | undefined;
  return {
    runDue,
    nextRuns: () => Object.fromEntries(schedules.map((s) => [s.fn.id, s.next])),
    startTimers(intervalMs = 1000) {
      if (timer || schedules.length === 0) return;
      timer = setInterval(() => {
        runDue().catch((error: unknown) => log.error('Running scheduled functions failed', error as Error));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await chain;
    },
  };
}

/** What an EventBridge schedule rule sends its target. */
function scheduledEvent(functionId: string, region: string, at: number): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT}:rule/${functionId}`],
    detail: {},
  };
}
