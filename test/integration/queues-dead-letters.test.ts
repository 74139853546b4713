import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { manualClock } from '../../infra/local/clock';
import { createLambdaRuntime, type LambdaRuntime } from '../../infra/local/lambda-runtime';
import { silentLog, type LocalLog } from '../../infra/local/log';
import { PROJECT_ROOT } from '../../infra/local/platform';
import { createLocalQueues, type LocalQueues } from '../../infra/local/queues';
import { fixtureCatalog } from './fixtures/catalog';
import { reset } from './fixtures/handlers';

/**
 * What the local queues say when they dead-letter a message (queue, id, receive count, the last
 * failure's reason), and how background polling feeds a consumer. Fixture catalog: queue `work`,
 * batch size 3, visibility 30 s, DLQ after 3 receives.
 */
function capturingLog() {
  const warnings: string[] = [];
  const log: LocalLog = { ...silentLog, warn: (message) => void warnings.push(message) };
  return { log, warnings };
}

const fixtureRuntime = () => createLambdaRuntime({ catalog: fixtureCatalog, rootDir: PROJECT_ROOT, region: 'us-east-1', log: silentLog });

/** A runtime whose consumer fails everything and tells the queue why, as `createWebhookConsumer` does. */
function reportingRuntime(queues: () => LocalQueues, reason: (record: SQSEvent['Records'][number]) => string): LambdaRuntime {
  const real = fixtureRuntime();
  return {
    ...real,
    async invoke(_id, event) {
      const { Records } = event as SQSEvent;
      for (const r of Records) queues().recordFailure(r.eventSourceARN, r.messageId, reason(r));
      return { batchItemFailures: Records.map((r) => ({ itemIdentifier: r.messageId })) } satisfies SQSBatchResponse;
    },
  };
}

beforeEach(reset);

describe('dead-lettering in the local queues', () => {
  it("logs the queue, message id, receive count and the consumer's last reason, never the body", async () => {
    const { log, warnings } = capturingLog();
    let queues!: LocalQueues;
    const runtime = reportingRuntime(() => queues, (r) => `ValidationException: attempt ${r.attributes.ApproximateReceiveCount}`);
    queues = createLocalQueues({ catalog: fixtureCatalog, runtime, clock: manualClock(), log });
    const { messageId } = await queues.send('work', 'private body +14155550123');

    expect(await queues.drain()).toMatchObject({ delivered: 3, failed: 3, deadLettered: 1 });
    expect(warnings).toEqual([`Dead-lettered: queue=work messageId=${messageId} receiveCount=3 → work-dlq; last failure: ValidationException: attempt 3`]);
    expect(queues.deadLetters('work')).toEqual([expect.objectContaining({ messageId, receiveCount: 3, lastFailure: 'ValidationException: attempt 3' })]);

    // A redrive starts over: no stale reason.
    queues.redrive('work');
    expect(queues.messages('work')[0]).not.toHaveProperty('lastFailure');
  });

  it('names the failed invocation when the whole batch failed, and says so when a consumer gave no reason', async () => {
    const { log, warnings } = capturingLog();
    const queues = createLocalQueues({ catalog: fixtureCatalog, runtime: fixtureRuntime(), clock: manualClock(), log });
    const thrown = await queues.send('work', 'throw');
    await queues.drain();
    const silent = await queues.send('work', 'fail-always');
    await queues.drain();

    expect(warnings).toEqual([
      `Dead-lettered: queue=work messageId=${thrown.messageId} receiveCount=3 → work-dlq; last failure: LambdaInvocationError: fx-consumer: handler failed: fixture consumer failure`,
      expect.stringMatching(new RegExp(`^Dead-lettered: queue=work messageId=${silent.messageId} receiveCount=3 → work-dlq; last failure: reported in batchItemFailures without a reason`)),
    ]);
    expect(warnings.join('\n')).not.toContain('fail-always');
  });

  it('ignores reports for unknown queues and messages', async () => {
    const queues = createLocalQueues({ catalog: fixtureCatalog, runtime: fixtureRuntime(), clock: manualClock() });
    expect(() => queues.recordFailure('arn:aws:sqs:us-east-1:000000000000:nope', 'x', 'r')).not.toThrow();
    expect(() => queues.recordFailure('work', 'no-such-message', 'r')).not.toThrow();
  });
});

describe('background polling', () => {
  it('keeps up to `concurrency` batches in flight and takes the next batch as soon as one ends', async () => {
    let active = 0;
    let peak = 0;
    const seen: string[] = [];
    const real = fixtureRuntime();
    const runtime: LambdaRuntime = {
      ...real,
      async invoke(_id, event) {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const r of (event as SQSEvent).Records) seen.push(r.body);
        active--;
        return { batchItemFailures: [] };
      },
    };
    const queues = createLocalQueues({ catalog: fixtureCatalog, runtime, log: silentLog });
    for (let i = 0; i < 60; i++) await queues.send('work', `m${i}`);

    const started = Date.now();
    // An interval far longer than the run: after the first round at start, every batch is taken
    // when one in flight completes.
    queues.startPolling({ intervalMs: 60_000, concurrency: 4 });
    await waitFor(() => seen.length >= 60);
    await queues.stopPolling();

    expect(new Set(seen).size).toBe(60);
    expect(queues.stats('work')).toEqual({ visible: 0, inFlight: 0, deadLettered: 0 });
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("runs as many batches at once as the trigger's maxConcurrency allows, whatever the default", async () => {
    const catalog = {
      ...fixtureCatalog,
      functions: fixtureCatalog.functions.map((f) => (f.trigger.kind === 'queue' ? { ...f, trigger: { ...f.trigger, maxConcurrency: 7 } } : f)),
    };
    // Every batch waits at a gate until the test opens it: the count in flight is exact, not timed.
    let active = 0;
    let peak = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let done = 0;
    const real = fixtureRuntime();
    const runtime: LambdaRuntime = {
      ...real,
      async invoke(_id, event) {
        peak = Math.max(peak, ++active);
        await gate;
        active--;
        done += (event as SQSEvent).Records.length;
        return { batchItemFailures: [] };
      },
    };
    const queues = createLocalQueues({ catalog, runtime, log: silentLog });
    for (let i = 0; i < 60; i++) await queues.send('work', `m${i}`);

    queues.startPolling({ intervalMs: 60_000, concurrency: 2 });
    await waitFor(() => active === 7);
    expect(queues.stats('work')).toMatchObject({ inFlight: 21, visible: 39 });
    open();
    await waitFor(() => done === 60);
    await queues.stopPolling();
    expect(peak).toBe(7);
  });

  it('hands a message sent to an idle queue to its consumer at once, not at the next interval', async () => {
    const seen: string[] = [];
    const real = fixtureRuntime();
    const runtime: LambdaRuntime = {
      ...real,
      async invoke(_id, event) {
        for (const r of (event as SQSEvent).Records) seen.push(r.body);
        return { batchItemFailures: [] };
      },
    };
    const queues = createLocalQueues({ catalog: fixtureCatalog, runtime, log: silentLog });
    // The first wake-up finds nothing; the next interval is a minute away, longer than the test may take.
    queues.startPolling({ intervalMs: 60_000 });
    await queues.send('work', 'm1');
    await waitFor(() => seen.length === 1, 4_000);
    await queues.send('work', 'later', undefined, { delaySeconds: 1 });
    await queues.stopPolling();
    expect(seen).toEqual(['m1']);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    const queues = createLocalQueues({ catalog: fixtureCatalog, runtime: fixtureRuntime() });
    expect(() => queues.startPolling({ concurrency: 0 })).toThrow(RangeError);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
