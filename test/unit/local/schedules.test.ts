import type { ScheduledEvent } from 'aws-lambda';
import { manualClock } from '../../../infra/local/clock';
import type { LambdaRuntime } from '../../../infra/local/lambda-runtime';
import type { LocalCatalog } from '../../../infra/local/local-catalog';
import { silentLog } from '../../../infra/local/log';
import { createLocalSchedules } from '../../../infra/local/schedules';

/** Scheduled functions on a manual clock: EventBridge `rate()` rules, locally. */
const catalog: LocalCatalog = {
  functions: [
    { id: 'every-minute', entry: 'unused.ts', description: 'fixture', access: {}, trigger: { kind: 'schedule', rateMinutes: 1 } },
    { id: 'every-five', entry: 'unused.ts', description: 'fixture', access: {}, trigger: { kind: 'schedule', rateMinutes: 5 } },
    { id: 'a-queue', entry: 'unused.ts', description: 'fixture', access: {}, trigger: { kind: 'queue', queue: 'q', batchSize: 1 } },
  ],
  queues: { q: { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 } },
};

function recorder(fail?: string) {
  const runs: { id: string; event: ScheduledEvent }[] = [];
  const runtime: LambdaRuntime = {
    region: 'eu-west-1',
    spec: () => catalog.functions[0]!,
    missingEntries: () => [],
    invoke: async (id, event) => {
      runs.push({ id, event: event as ScheduledEvent });
      if (id === fail) throw new Error('fixture failure');
      return undefined;
    },
  };
  return { runtime, runs };
}

describe('local schedules', () => {
  const MINUTE = 60_000;

  it('runs each function one period after the start, then every period, on the clock', async () => {
    const clock = manualClock();
    const start = clock.now();
    const { runtime, runs } = recorder();
    const schedules = createLocalSchedules({ catalog, runtime, region: 'eu-west-1', clock, log: silentLog });
    expect(await schedules.runDue()).toBe(0);
    expect(schedules.nextRuns()).toEqual({ 'every-minute': start + MINUTE, 'every-five': start + 5 * MINUTE });

    clock.advance(MINUTE - 1);
    expect(await schedules.runDue()).toBe(0);
    clock.advance(1);
    expect(await schedules.runDue()).toBe(1);
    expect(await schedules.runDue()).toBe(0); // once per period, however often it is asked
    for (let minute = 2; minute <= 5; minute++) {
      clock.set(start + minute * MINUTE);
      await schedules.runDue();
    }
    expect(runs.map((r) => r.id)).toEqual(['every-minute', 'every-minute', 'every-minute', 'every-minute', 'every-minute', 'every-five']);
    expect(runs[0]!.event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date(start + MINUTE).toISOString().replace('.000Z', 'Z'),
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:000000000000:rule/every-minute'],
      detail: {},
    });
    await schedules.stop();
  });

  it('runs a function once when several periods passed, at the latest of them, and keeps its phase (no back-fill)', async () => {
    const clock = manualClock();
    const start = clock.now();
    const { runtime, runs } = recorder();
    const schedules = createLocalSchedules({ catalog, runtime, region: 'eu-west-1', clock, log: silentLog });
    clock.set(start + 17 * MINUTE + 30_000);
    expect(await schedules.runDue()).toBe(2);
    expect(runs.map((r) => [r.id, r.event.time])).toEqual([
      ['every-minute', new Date(start + 17 * MINUTE).toISOString().replace('.000Z', 'Z')],
      ['every-five', new Date(start + 15 * MINUTE).toISOString().replace('.000Z', 'Z')],
    ]);
    expect(schedules.nextRuns()).toEqual({ 'every-minute': start + 18 * MINUTE, 'every-five': start + 20 * MINUTE });
    await schedules.stop();
  });

  it('goes on after a failed run: the next period is its retry', async () => {
    const clock = manualClock();
    const { runtime, runs } = recorder('every-minute');
    const schedules = createLocalSchedules({ catalog, runtime, region: 'eu-west-1', clock, log: silentLog });
    clock.advance(MINUTE);
    expect(await schedules.runDue()).toBe(1);
    clock.advance(MINUTE);
    expect(await schedules.runDue()).toBe(1);
    expect(runs).toHaveLength(2);
    await schedules.stop();
  });

  it('refuses a rate that is not a whole number of minutes', () => {
    const bad: LocalCatalog = { functions: [{ id: 'bad', entry: 'unused.ts', description: 'fixture', access: {}, trigger: { kind: 'schedule', rateMinutes: 0.5 } }], queues: {} };
    expect(() => createLocalSchedules({ catalog: bad, runtime: recorder().runtime, region: 'eu-west-1', log: silentLog })).toThrow(/bad: rateMinutes must be a positive whole number/);
  });
});
