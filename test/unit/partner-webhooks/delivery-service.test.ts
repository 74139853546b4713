import type { DeliveryAttempt, DeliveryTask, ScheduledRetry, StoredWebhookEndpoint, WebhookEndpointStore } from '../../../shared/partner-webhooks/contract';
import type { AttemptInput, AttemptResult } from '../../../shared/partner-webhooks/deliver';
import { deliveryService, HEALTHY_LANE_TIMEOUT_MS, SLOW_COOLDOWN_MS } from '../../../shared/partner-webhooks/delivery-service';
import { deliveryQueues } from '../../../shared/partner-webhooks/enqueue';
import type { QueueEntry } from '../../../shared/queue/port';
import { fanOut } from '../../../shared/partner-webhooks/fan-out';
import { retrySweeper } from '../../../shared/partner-webhooks/sweeper';
import type { PartnerEvent, PartnerEventInput } from '../../../shared/services/partner-events-contract';
import { fixedClock } from '../../support/fakes';

const DAY = 24 * 60 * 60 * 1000;

function endpointRow(overrides: Partial<StoredWebhookEndpoint> = {}): StoredWebhookEndpoint {
  return {
    partnerId: 'prt_1',
    id: 'we_1',
    url: 'https://hooks.example.com/in',
    eventTypes: ['*'],
    enabled: true,
    secrets: [{ ciphertext: 'blob-1', createdAt: '2026-01-01T00:00:00.000Z' }],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** The endpoint store in memory, with the semantics the delivery path relies on. */
function memoryStore(rows: StoredWebhookEndpoint[]) {
  const endpoints = new Map(rows.map((r) => [r.id, { ...r }]));
  const attempts: DeliveryAttempt[] = [];
  const calls = { markFailure: 0, markSuccess: 0, get: 0 };
  const store: WebhookEndpointStore = {
    create: async (e) => void endpoints.set(e.id, e),
    get: async (_p, id) => {
      calls.get++;
      const row = endpoints.get(id);
      return row && { ...row };
    },
    all: async () => [...endpoints.values()].map((e) => ({ ...e })),
    replace: async () => true,
    delete: async (_p, id) => endpoints.delete(id),
    markFailure: async (_p, id, at) => {
      calls.markFailure++;
      const row = endpoints.get(id);
      if (!row) return undefined;
      row.failingSince ??= at;
      row.lastFailureAt = at;
      return { ...row };
    },
    markSuccess: async (_p, id, at) => {
      calls.markSuccess++;
      const row = endpoints.get(id);
      if (row) {
        delete row.failingSince;
        row.lastSuccessAt = at;
      }
    },
    disable: async (_p, id, reason, at) => {
      const row = endpoints.get(id);
      if (!row || !row.enabled) return false;
      Object.assign(row, { enabled: false, disabledReason: reason, disabledAt: at });
      return true;
    },
    recordAttempts: async (list) => void attempts.push(...list),
    attempts: async () => ({ data: [], next: null }),
  };
  return { store, endpoints, attempts, calls };
}

const event: PartnerEvent = { id: 'evt_03_7', type: 'message.received', occurredAt: '2026-01-01T00:00:00.000Z', customerId: 'cus_1', data: { messageId: 'msg_1' } } as unknown as PartnerEvent;
const task = (overrides: Partial<DeliveryTask> = {}): DeliveryTask => ({ partnerId: 'prt_1', endpointId: 'we_1', event, attempt: 1, origin: 'event', ...overrides });

const answered = (status: number, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  status,
  durationMs: 3,
  verdict: status >= 200 && status < 300 ? { kind: 'succeeded' } : status === 410 ? { kind: 'gone' } : { kind: 'retry', reason: `HTTP ${status}` },
  ...(status >= 300 ? { error: `HTTP ${status}` } : {}),
  ...extra,
});

function harness(rows: StoredWebhookEndpoint[], respond: (input: AttemptInput) => AttemptResult | Promise<AttemptResult>, { endpointCacheMs = 0 } = {}) {
  const clock = fixedClock('2026-03-01T12:00:00.000Z');
  const memory = memoryStore(rows);
  const retried: Array<{ task: DeliveryTask; delaySeconds: number }> = [];
  const scheduled: ScheduledRetry[] = [];
  const appended: PartnerEventInput[] = [];
  const inputs: AttemptInput[] = [];
  let monotonic = 0;
  const service = deliveryService({
    endpoints: memory.store,
    retries: { schedule: async (list) => void scheduled.push(...list), due: async () => ({ retries: [] }), remove: async () => {}, sweptThrough: async () => {} },
    queues: { retry: async (t, delaySeconds) => void retried.push({ task: t, delaySeconds }) },
    events: { append: async (_p, e) => (appended.push(e), { ...e, id: 'evt_x', occurredAt: clock.now().toISOString() }) as PartnerEvent },
    decrypt: async (ciphertext) => `whsec_secret-of-${ciphertext}`,
    attempt: async (input) => (inputs.push(input), respond(input)),
    allowLoopback: false,
    clock,
    random: () => 0.5,
    endpointCacheMs,
    monotonic: () => monotonic,
  });
  return { service, clock, retried, scheduled, appended, inputs, ...memory, advanceMonotonic: (ms: number) => (monotonic += ms) };
}

describe('delivery service', () => {
  it('a success records the attempt and schedules nothing', async () => {
    const h = harness([endpointRow()], () => answered(204));
    await expect(h.service.deliver(task())).resolves.toBe('succeeded');
    expect(h.attempts).toEqual([expect.objectContaining({ eventId: 'evt_03_7', attempt: 1, outcome: 'succeeded', responseStatus: 204, attemptedAt: '2026-03-01T12:00:00.000Z' })]);
    expect(h.attempts[0]!.nextAttemptAt).toBeUndefined();
    expect(h.retried).toEqual([]);
    expect(h.inputs[0]!.secrets).toEqual(['whsec_secret-of-blob-1']);
  });

  it('a failure within 15 minutes goes back to the retry queue with its delay; later ones wait in the table', async () => {
    const h = harness([endpointRow()], () => answered(503));
    await expect(h.service.deliver(task())).resolves.toBe('retrying');
    expect(h.retried).toEqual([{ task: expect.objectContaining({ attempt: 2 }), delaySeconds: expect.any(Number) }]);
    expect(h.retried[0]!.delaySeconds).toBeGreaterThan(0);
    expect(h.retried[0]!.delaySeconds).toBeLessThanOrEqual(900);
    expect(h.attempts[0]).toMatchObject({ outcome: 'failed', responseStatus: 503, error: 'HTTP 503' });
    expect(Date.parse(h.attempts[0]!.nextAttemptAt!)).toBe(h.clock.now().getTime() + h.retried[0]!.delaySeconds * 1000);

    await h.service.deliver(task({ attempt: 3 })); // the next delay (30 min) is beyond SQS's reach
    expect(h.scheduled).toEqual([{ dueAt: expect.any(String), task: expect.objectContaining({ attempt: 4 }) }]);
    expect(Date.parse(h.scheduled[0]!.dueAt) - h.clock.now().getTime()).toBeGreaterThan(15 * 60 * 1000);
  });

  it('marks the endpoint failing, sends its later deliveries to the retry lane, and a success clears it', async () => {
    let status = 500;
    const h = harness([endpointRow()], () => answered(status));
    await h.service.deliver(task());
    expect(h.endpoints.get('we_1')!.failingSince).toBe('2026-03-01T12:00:00.000Z');
    status = 200;
    await h.service.deliver(task({ attempt: 2 }));
    expect(h.endpoints.get('we_1')!.failingSince).toBeUndefined();
    expect(h.calls.markSuccess).toBe(1);
    await h.service.deliver(task());
    expect(h.calls.markSuccess).toBe(1); // a healthy endpoint's successes write nothing to its row
  });

  it('the last attempt fails for good', async () => {
    const h = harness([endpointRow()], () => answered(500));
    await expect(h.service.deliver(task({ attempt: 8 }))).resolves.toBe('failed');
    expect(h.retried).toEqual([]);
    expect(h.scheduled).toEqual([]);
    expect(h.attempts[0]!.nextAttemptAt).toBeUndefined();
  });

  it('410 Gone disables the endpoint at once and tells the log', async () => {
    const h = harness([endpointRow()], () => answered(410));
    await expect(h.service.deliver(task())).resolves.toBe('failed');
    expect(h.endpoints.get('we_1')).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect(h.appended).toEqual([{ type: 'webhook_endpoint.disabled', data: expect.objectContaining({ endpointId: 'we_1', reason: 'gone', url: 'https://hooks.example.com/in' }) }]);
    expect(h.retried).toEqual([]);
    await expect(h.service.deliver(task())).resolves.toBe('dropped');
    expect(h.inputs).toHaveLength(1);
  });

  it('an endpoint failing every attempt for 5 days is disabled, not before', async () => {
    const h = harness([endpointRow()], () => answered(502));
    await h.service.deliver(task());
    h.clock.advance(5 * DAY - 60_000);
    await expect(h.service.deliver(task({ attempt: 2 }))).resolves.toBe('retrying');
    expect(h.endpoints.get('we_1')!.enabled).toBe(true);
    h.clock.advance(60_000);
    await expect(h.service.deliver(task({ attempt: 3 }))).resolves.toBe('failed');
    expect(h.endpoints.get('we_1')).toMatchObject({ enabled: false, disabledReason: 'failing' });
    expect(h.appended[0]).toMatchObject({ type: 'webhook_endpoint.disabled', data: { reason: 'failing', failingSince: '2026-03-01T12:00:00.000Z', lastError: 'HTTP 502' } });
  });

  it('attempts failing or succeeding at the same time share one write of the endpoint row', async () => {
    let status = 500;
    const h = harness([endpointRow()], () => answered(status), { endpointCacheMs: 60_000 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.service.deliver(task({ event: { ...event, id: `evt_01_${i + 1}` } }))));
    expect(h.calls.markFailure).toBe(1);
    status = 200;
    await Promise.all(Array.from({ length: 20 }, (_, i) => h.service.deliver(task({ attempt: 2, event: { ...event, id: `evt_01_${i + 1}` } }))));
    expect(h.calls.markSuccess).toBe(1);
    expect(h.endpoints.get('we_1')!.failingSince).toBeUndefined();
    // A new run of failures is marked, and cleared, again.
    status = 500;
    h.clock.advance(1_000);
    await h.service.deliver(task());
    status = 200;
    await h.service.deliver(task({ attempt: 2 }));
    expect([h.calls.markFailure, h.calls.markSuccess]).toEqual([2, 2]);
  });

  it('a failing endpoint row is written at most once a minute, however many attempts fail', async () => {
    const h = harness([endpointRow()], () => answered(500));
    for (let i = 0; i < 20; i++) await h.service.deliver(task({ event: { ...event, id: `evt_01_${i + 1}` } }));
    expect(h.calls.markFailure).toBe(1);
    h.clock.advance(60_000);
    await h.service.deliver(task());
    expect(h.calls.markFailure).toBe(2);
  });

  it('sends nothing to a deleted, disabled or unsubscribed endpoint; a test event goes whatever the types', async () => {
    const h = harness([endpointRow({ eventTypes: ['contact.opted_out'] }), endpointRow({ id: 'we_off', enabled: false, disabledReason: 'partner' })], () => answered(200));
    await expect(h.service.deliver(task({ endpointId: 'we_gone' }))).resolves.toBe('dropped');
    await expect(h.service.deliver(task({ endpointId: 'we_off' }))).resolves.toBe('dropped');
    await expect(h.service.deliver(task())).resolves.toBe('dropped');
    expect(h.inputs).toHaveLength(0);
    const test = { ...event, id: 'evt_test_1', type: 'webhook_endpoint.test', data: { endpointId: 'we_1' } };
    await expect(h.service.deliver(task({ origin: 'test', event: test }))).resolves.toBe('succeeded');
    expect(h.attempts).toHaveLength(1);
  });

  it('reuses an enabled endpoint for a second, but never a disabled one: enabling again takes effect on the next delivery', async () => {
    const h = harness([endpointRow()], () => answered(200), { endpointCacheMs: 1_000 });
    await h.service.deliver(task());
    await h.service.deliver(task());
    expect(h.calls.get).toBe(1);
    h.advanceMonotonic(1_000);
    h.endpoints.get('we_1')!.enabled = false;
    await expect(h.service.deliver(task())).resolves.toBe('dropped');
    h.endpoints.get('we_1')!.enabled = true;
    await expect(h.service.deliver(task())).resolves.toBe('succeeded');
    expect(h.calls.get).toBe(3);
  });

  it('signs with both secrets during a rotation and only the new one after', async () => {
    const h = harness(
      [endpointRow({ secrets: [{ ciphertext: 'old', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-03-02T12:00:00.000Z' }, { ciphertext: 'new', createdAt: '2026-03-01T12:00:00.000Z' }] })],
      () => answered(200),
    );
    await h.service.deliver(task());
    expect(h.inputs[0]!.secrets).toEqual(['whsec_secret-of-old', 'whsec_secret-of-new']);
    h.clock.advance(DAY);
    await h.service.deliver(task());
    expect(h.inputs[1]!.secrets).toEqual(['whsec_secret-of-new']);
  });

  it('an SSRF refusal is a failed attempt with its reason, retried on schedule', async () => {
    const h = harness([endpointRow()], () => ({ durationMs: 0, error: 'ssrf: hooks.example.com resolves to 10.0.0.8, a private address', verdict: { kind: 'retry', reason: 'ssrf' }, refusedBy: 'non-public-address' }));
    await expect(h.service.deliver(task())).resolves.toBe('retrying');
    expect(h.attempts[0]).toMatchObject({ outcome: 'refused', error: expect.stringContaining('10.0.0.8') });
  });

  it('defers healthy-lane work of an endpoint that hangs, so it cannot hold the healthy lane', async () => {
    const hanging: Array<() => void> = [];
    const h = harness([endpointRow()], () => new Promise<AttemptResult>((resolve) => hanging.push(() => resolve(answered(200)))));
    const first = [h.service.deliver(task()), h.service.deliver(task())];
    await new Promise((r) => setImmediate(r));
    h.advanceMonotonic(1_500);
    await expect(h.service.deliver(task())).resolves.toBe('deferred');
    expect(h.retried).toEqual([{ task: expect.objectContaining({ attempt: 1, deferred: true }), delaySeconds: 0 }]);
    // On the retry lane it is attempted, and a replay (inline) is never deferred.
    const onRetryLane = h.service.deliver(h.retried[0]!.task);
    const inline = h.service.deliver(task({ origin: 'replay' }), { inline: true });
    await new Promise((r) => setImmediate(r));
    expect(h.inputs).toHaveLength(4);
    hanging.forEach((release) => release());
    await Promise.all([...first, onRetryLane, inline]);
    expect(h.attempts).toHaveLength(4);
  });
});

describe('delivery service: the healthy lane', () => {
  const timedOut = (): AttemptResult => ({ durationMs: HEALTHY_LANE_TIMEOUT_MS, error: 'timeout after 2 s', timedOut: true, verdict: { kind: 'retry', reason: 'timeout after 2 s' } });

  it('waits 2 s for an answer on the healthy lane and the full timeout on the retry lane', async () => {
    const h = harness([endpointRow()], () => answered(200));
    await h.service.deliver(task({ lane: 'partner-deliveries' }));
    await h.service.deliver(task({ lane: 'partner-deliveries-retry', attempt: 2 }));
    await h.service.deliver(task({ origin: 'replay' }), { inline: true });
    expect(h.inputs.map((i) => i.timeoutMs)).toEqual([HEALTHY_LANE_TIMEOUT_MS, undefined, undefined]);
  });

  it('a healthy-lane timeout moves the task to the retry lane at once, marks the endpoint failing and says so in the log', async () => {
    const h = harness([endpointRow()], () => timedOut());
    await expect(h.service.deliver(task({ lane: 'partner-deliveries' }))).resolves.toBe('deferred');
    expect(h.retried).toEqual([{ task: expect.objectContaining({ attempt: 1, deferred: true }), delaySeconds: 0 }]);
    expect(h.endpoints.get('we_1')!.failingSince).toBe('2026-03-01T12:00:00.000Z');
    expect(h.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: 'failed',
        error: expect.stringMatching(/^no answer within 2 s on the healthy lane; sent again at once on the retry lane/),
        nextAttemptAt: '2026-03-01T12:00:00.000Z',
      }),
    ]);
    // On the retry lane the same attempt runs with the full timeout, and its own failure is scheduled.
    await expect(h.service.deliver({ ...h.retried[0]!.task, lane: 'partner-deliveries-retry' })).resolves.toBe('retrying');
    expect(h.inputs[1]!.timeoutMs).toBeUndefined();
    expect(h.retried[1]).toEqual({ task: expect.objectContaining({ attempt: 2 }), delaySeconds: 5 });
    expect(h.retried[1]!.task).not.toHaveProperty('deferred');
  });

  it('after a timeout the endpoint skips the healthy lane for a cool-down, then is tried there again', async () => {
    let answer = timedOut();
    const h = harness([endpointRow()], () => answer);
    await h.service.deliver(task({ lane: 'partner-deliveries' }));
    answer = answered(200);
    h.advanceMonotonic(SLOW_COOLDOWN_MS - 1);
    await expect(h.service.deliver(task({ lane: 'partner-deliveries' }))).resolves.toBe('deferred');
    expect(h.inputs).toHaveLength(1);
    h.advanceMonotonic(1);
    await expect(h.service.deliver(task({ lane: 'partner-deliveries' }))).resolves.toBe('succeeded');
    expect(h.inputs).toHaveLength(2);
  });

  it('keeps the healthy-lane rules for a message on that lane even when its endpoint has started failing since', async () => {
    const h = harness([endpointRow({ failingSince: '2026-03-01T11:00:00.000Z' })], () => timedOut());
    await expect(h.service.deliver(task({ lane: 'partner-deliveries' }))).resolves.toBe('deferred');
    expect(h.inputs[0]!.timeoutMs).toBe(HEALTHY_LANE_TIMEOUT_MS);
  });

  it('runs at most 50 attempts of an endpoint at once, timed from their start, so a busy endpoint that answers in time stays on the healthy lane', async () => {
    let hanging: Array<() => void> = [];
    let peak = 0;
    const h = harness([endpointRow()], () =>
      new Promise<AttemptResult>((resolve) => {
        hanging.push(() => resolve(answered(200)));
        peak = Math.max(peak, hanging.length);
      }),
    );
    let outcomes: string[] | undefined;
    void Promise.all(Array.from({ length: 200 }, () => h.service.deliver(task({ lane: 'partner-deliveries' })))).then((all) => (outcomes = all));
    // Waves: each answer comes 900 ms after its attempt started; the queued ones wait longer than that in all.
    for (let turn = 0; !outcomes && turn < 1_000; turn++) {
      await new Promise((r) => setImmediate(r));
      if (hanging.length === 0) continue;
      h.advanceMonotonic(900);
      const wave = hanging;
      hanging = [];
      wave.forEach((release) => release());
    }
    expect(outcomes).toEqual(new Array(200).fill('succeeded'));
    expect(peak).toBe(50);
    expect(h.retried).toEqual([]);
  });
});

describe('delivery queues', () => {
  it('stamps each message with the lane it is sent to', async () => {
    const sent: Array<{ queue: string; entries: readonly QueueEntry[] }> = [];
    const queues = deliveryQueues({
      send: async (queue, body, _attributes, options) => void sent.push({ queue, entries: [{ body, ...options }] }),
      sendBatch: async (queue, entries) => void sent.push({ queue, entries }),
    });
    await queues.deliveries([
      { task: task({ endpointId: 'we_ok' }), endpoint: {} },
      { task: task({ endpointId: 'we_failing' }), endpoint: { failingSince: '2026-03-01T11:00:00.000Z' } },
    ]);
    await queues.retry(task({ endpointId: 'we_ok', attempt: 2, lane: 'partner-deliveries' }), 5);
    const lanes = sent.flatMap(({ queue, entries }) => entries.map((e) => ({ queue, lane: (JSON.parse(e.body) as DeliveryTask).lane, groupId: e.groupId })));
    expect(lanes).toEqual(
      expect.arrayContaining([
        { queue: 'partner-deliveries', lane: 'partner-deliveries', groupId: 'we_ok' },
        { queue: 'partner-deliveries-retry', lane: 'partner-deliveries-retry', groupId: 'we_failing' },
        { queue: 'partner-deliveries-retry', lane: 'partner-deliveries-retry', groupId: 'we_ok' },
      ]),
    );
    expect(lanes).toHaveLength(3);
  });
});

describe('fan-out', () => {
  it('one task per event and enabled endpoint that takes its type, in log order, on the endpoint’s lane', async () => {
    const { store } = memoryStore([
      endpointRow({ id: 'we_all' }),
      endpointRow({ id: 'we_optout', eventTypes: ['contact.opted_out'], failingSince: '2026-01-01T00:00:00.000Z' }),
      endpointRow({ id: 'we_off', enabled: false }),
    ]);
    const sent: Array<{ task: DeliveryTask; endpoint: { failingSince?: string } }> = [];
    const deliver = fanOut({ endpoints: store, queues: { deliveries: async (items) => void sent.push(...items) } });
    const events = [event, { ...event, id: 'evt_04_1', type: 'contact.opted_out' }] as PartnerEvent[];
    await expect(deliver('prt_1', events)).resolves.toBe(3);
    expect(sent.map((s) => `${s.task.event.id}→${s.task.endpointId}`)).toEqual(['evt_03_7→we_all', 'evt_04_1→we_all', 'evt_04_1→we_optout']);
    expect(sent.every((s) => s.task.attempt === 1 && s.task.origin === 'event')).toBe(true);
  });
});

describe('retry sweeper', () => {
  it('moves what is due within 14 minutes with the delay left, removes it, then advances the cursor', async () => {
    const clock = fixedClock('2026-03-01T12:00:00.000Z');
    const due: ScheduledRetry[] = [
      { dueAt: '2026-03-01T11:59:00.000Z', task: task({ attempt: 4 }) },
      { dueAt: '2026-03-01T12:10:30.000Z', task: task({ attempt: 5 }) },
    ];
    const order: string[] = [];
    const sweep = retrySweeper({
      clock,
      retries: {
        schedule: async () => {},
        due: async (until) => (order.push(`due ${until.toISOString()}`), { retries: due, through: new Date('2026-03-01T12:14:00.000Z') }),
        remove: async (list) => void order.push(`remove ${list.length}`),
        sweptThrough: async (through) => void order.push(`through ${through.toISOString()}`),
      },
      queues: { retries: async (items) => void order.push(`send ${items.map((i) => i.delaySeconds).join(',')}`) },
    });
    await expect(sweep()).resolves.toEqual({ moved: 2, through: '2026-03-01T12:14:00.000Z' });
    expect(order).toEqual(['due 2026-03-01T12:14:00.000Z', 'send 0,630', 'remove 2', 'through 2026-03-01T12:14:00.000Z']);
  });
});
