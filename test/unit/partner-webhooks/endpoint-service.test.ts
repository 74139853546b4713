import { ConflictError, NotFoundError, ValidationError, WebhookUrlRefusedError } from '../../../shared/domain/errors';
import { WebhookEndpointCreateSchema } from '../../../shared/domain/webhook-endpoint';
import { MAX_ENDPOINTS_PER_PARTNER, type DeliveryTask, type ReplayTask, type StoredWebhookEndpoint, type WebhookEndpointStore, type WebhookSecretContext } from '../../../shared/partner-webhooks/contract';
import type { GuardResult } from '../../../shared/partner-webhooks/url-guard';
import { encodeCursor } from '../../../shared/services/partner-event-cursor';
import type { PartnerEvent } from '../../../shared/services/partner-events-contract';
import { webhookEndpointService } from '../../../shared/services/webhook-endpoints';
import { PARTNER_EVENT_SHARDS } from '../../../shared/store/keys';
import { fixedClock, sequentialIds } from '../../support/fakes';

/** The endpoint store in memory with the conditions the service relies on: the limit, versions, ownership. */
function memoryStore() {
  const rows = new Map<string, StoredWebhookEndpoint>();
  const key = (partnerId: string, id: string) => `${partnerId}/${id}`;
  /** Writes that happen "meanwhile", between the service's read and its write. */
  const interleaved: Array<() => void> = [];
  const store: WebhookEndpointStore = {
    async create(e) {
      if ([...rows.values()].filter((r) => r.partnerId === e.partnerId).length >= MAX_ENDPOINTS_PER_PARTNER) throw new RangeError(`A partner has at most ${MAX_ENDPOINTS_PER_PARTNER} webhook endpoints`);
      rows.set(key(e.partnerId, e.id), structuredClone(e));
    },
    get: async (p, id) => structuredClone(rows.get(key(p, id))),
    all: async (p) => structuredClone([...rows.values()].filter((r) => r.partnerId === p).sort((a, b) => (a.id < b.id ? -1 : 1))),
    async replace(next, expected) {
      interleaved.shift()?.();
      const current = rows.get(key(next.partnerId, next.id));
      if (!current || current.version !== expected) return false;
      rows.set(key(next.partnerId, next.id), structuredClone(next));
      return true;
    },
    delete: async (p, id) => rows.delete(key(p, id)),
    markFailure: async () => undefined,
    markSuccess: async () => undefined,
    disable: async () => false,
    recordAttempts: async () => undefined,
    attempts: async () => ({ data: [{ partnerId: 'ptn_a', endpointId: 'x', eventId: 'evt_0_1', eventType: 'message.created', attempt: 1, origin: 'event', attemptedAt: '2026-01-01T00:00:00.000Z', outcome: 'succeeded', responseStatus: 200, durationMs: 4 }], next: null }),
  };
  return { store, rows, interleaved, row: (p: string, id: string) => rows.get(key(p, id))! };
}

const event = (id: string, type: string): PartnerEvent => ({ id, type, occurredAt: '2026-01-01T00:00:00.000Z', customerId: 'cus_1', data: {} }) as unknown as PartnerEvent;

function harness(guard: (url: string) => GuardResult = (url) => ({ ok: true, target: { url: new URL(url), hostname: 'hooks.example.com', address: '93.184.216.34', family: 4, port: 443 } })) {
  const memory = memoryStore();
  const clock = fixedClock('2026-03-01T12:00:00.000Z');
  const encrypted: Array<{ plaintext: string; context: WebhookSecretContext }> = [];
  const deliveries: Array<{ task: DeliveryTask; endpoint: { failingSince?: string } }> = [];
  const replays: ReplayTask[] = [];
  const log = new Map([['evt_3_7', event('evt_3_7', 'message.created')]]);
  let secrets = 0;
  const service = webhookEndpointService({
    endpoints: memory.store,
    encrypt: async (plaintext, context) => {
      encrypted.push({ plaintext, context });
      return `blob(${plaintext})`;
    },
    events: {
      get: async (_p, id) => log.get(id),
      headCursor: async () => encodeCursor(new Array(PARTNER_EVENT_SHARDS).fill(9)),
      checkCursor(cursor, field) {
        if (!cursor.startsWith('c')) throw new ValidationError('cursor is not valid', [{ field, message: 'not a cursor' }]);
      },
    },
    queues: {
      deliveries: async (items) => void deliveries.push(...items),
      replay: async (task) => void replays.push(task),
    },
    guard: async (url) => guard(url),
    clock,
    ids: sequentialIds(),
    newSecret: () => `whsec_secret${++secrets}`,
  });
  const create = (body: Record<string, unknown> = {}, partnerId = 'ptn_a') =>
    service.create(partnerId, WebhookEndpointCreateSchema.parse({ url: 'https://hooks.example.com/in', eventTypes: ['*'], ...body }));
  return { service, memory, clock, encrypted, deliveries, replays, create };
}

const refuse = (): GuardResult => ({ ok: false, rule: 'non-public-address', detail: 'hooks.internal resolves to a private address 10.0.0.8' });

describe('registering an endpoint', () => {
  it('returns the secret once, stores only its ciphertext under the endpoint’s own context, and shows no internals', async () => {
    const { create, encrypted, memory, service } = harness();
    const created = await create({ description: 'orders' });
    expect(created.secret).toBe('whsec_secret1');
    expect(encrypted).toEqual([{ plaintext: 'whsec_secret1', context: { purpose: 'partner-webhook-secret', partnerId: 'ptn_a', webhookEndpointId: created.id } }]);
    expect(memory.row('ptn_a', created.id).secrets).toEqual([{ ciphertext: 'blob(whsec_secret1)', createdAt: '2026-03-01T12:00:00.000Z' }]);
    const shown = await service.get('ptn_a', created.id);
    expect(shown).toEqual({ id: created.id, url: 'https://hooks.example.com/in', eventTypes: ['*'], description: 'orders', enabled: true, createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:00.000Z' });
    expect(JSON.stringify(shown)).not.toContain('whsec_');
  });

  it('refuses a URL the SSRF guard refuses with 422 on body.url, and creates and encrypts nothing', async () => {
    const { create, encrypted, memory } = harness(refuse);
    const failure = await create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WebhookUrlRefusedError);
    expect(failure).toMatchObject({ status: 422, type: 'webhook-url-refused', errors: [{ field: 'body.url', message: expect.stringContaining('10.0.0.8') }] });
    expect(memory.rows.size).toBe(0);
    expect(encrypted).toEqual([]);
  });

  it('answers 409 past the per-partner limit; other partners are not counted', async () => {
    const { create } = harness();
    for (let i = 0; i < MAX_ENDPOINTS_PER_PARTNER; i++) await create();
    await expect(create()).rejects.toBeInstanceOf(ConflictError);
    await expect(create({}, 'ptn_b')).resolves.toMatchObject({ secret: expect.any(String) });
  });

  it('a disabled registration is the partner’s own pause', async () => {
    const { create } = harness();
    expect(await create({ enabled: false })).toMatchObject({ enabled: false, disabledReason: 'partner', disabledAt: '2026-03-01T12:00:00.000Z' });
  });

  it('rejects duplicate types and `*` mixed with others in the schema', () => {
    expect(WebhookEndpointCreateSchema.safeParse({ url: 'https://x.example.com', eventTypes: ['*', 'message.created'] }).success).toBe(false);
    expect(WebhookEndpointCreateSchema.safeParse({ url: 'https://x.example.com', eventTypes: ['message.created', 'message.created'] }).success).toBe(false);
    expect(WebhookEndpointCreateSchema.safeParse({ url: 'https://x.example.com', eventTypes: ['message.sent'] }).success).toBe(false);
    expect(WebhookEndpointCreateSchema.safeParse({ url: 'https://x.example.com', eventTypes: [] }).success).toBe(false);
  });
});

describe('reading endpoints', () => {
  it('pages oldest first with an opaque cursor, and only the caller’s', async () => {
    const { create, service } = harness();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await create()).id);
    await create({}, 'ptn_b');
    const first = await service.list('ptn_a', 2);
    expect(first.data.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const second = await service.list('ptn_a', 2, first.nextCursor!);
    expect(second).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    await expect(service.list('ptn_a', 2, 'garbage')).rejects.toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });

  it('another partner’s endpoint is not found, for every action', async () => {
    const { create, service } = harness();
    const { id } = await create();
    for (const call of [
      () => service.get('ptn_b', id),
      () => service.patch('ptn_b', id, { description: 'x' }),
      () => service.delete('ptn_b', id),
      () => service.rotateSecret('ptn_b', id, 60),
      () => service.sendTest('ptn_b', id),
      () => service.deliveries('ptn_b', id, 10),
      () => service.replay('ptn_b', id, 'c1'),
      () => service.redeliver('ptn_b', 'evt_3_7', id),
    ]) await expect(call()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('the delivery log drops the owner and endpoint from each attempt', async () => {
    const { create, service } = harness();
    const { id } = await create();
    const page = await service.deliveries('ptn_a', id, 10);
    expect(page.nextCursor).toBeNull();
    expect(page.data[0]).not.toHaveProperty('partnerId');
    expect(page.data[0]).toMatchObject({ eventId: 'evt_0_1', attempt: 1, responseStatus: 200 });
  });
});

describe('changing an endpoint', () => {
  it('enabling again clears what disabled it and the failure run; disabling is the partner’s', async () => {
    const { create, memory, service, clock } = harness();
    const { id } = await create();
    Object.assign(memory.row('ptn_a', id), { enabled: false, disabledReason: 'gone', disabledAt: '2026-03-01T12:00:00.000Z', failingSince: '2026-02-25T00:00:00.000Z' });
    clock.advance(1000);
    const enabled = await service.patch('ptn_a', id, { enabled: true });
    expect(enabled).toMatchObject({ enabled: true, updatedAt: '2026-03-01T12:00:01.000Z' });
    expect(enabled).not.toHaveProperty('disabledReason');
    expect(enabled).not.toHaveProperty('failingSince');
    expect(await service.patch('ptn_a', id, { enabled: false })).toMatchObject({ enabled: false, disabledReason: 'partner' });
    expect(memory.row('ptn_a', id).version).toBe(3);
  });

  it('a failing endpoint that stays enabled keeps its failure run; description null removes it', async () => {
    const { create, memory, service } = harness();
    const { id } = await create({ description: 'old' });
    memory.row('ptn_a', id).failingSince = '2026-02-28T00:00:00.000Z';
    const changed = await service.patch('ptn_a', id, { description: null, eventTypes: ['message.received'] });
    expect(changed).toMatchObject({ failingSince: '2026-02-28T00:00:00.000Z', eventTypes: ['message.received'] });
    expect(changed).not.toHaveProperty('description');
  });

  it('a new URL is checked again, and a refused one changes nothing', async () => {
    let allow = true;
    const { create, memory, service } = harness((url) => (allow ? { ok: true, target: { url: new URL(url), hostname: 'h', address: '93.184.216.34', family: 4, port: 443 } } : refuse()));
    const { id } = await create();
    allow = false;
    await expect(service.patch('ptn_a', id, { url: 'https://hooks.internal/in' })).rejects.toBeInstanceOf(WebhookUrlRefusedError);
    expect(memory.row('ptn_a', id)).toMatchObject({ url: 'https://hooks.example.com/in', version: 1 });
  });

  it('retries a write that lost to a concurrent change, and answers 409 when it keeps losing', async () => {
    const { create, memory, service } = harness();
    const { id } = await create();
    const bump = () => void (memory.row('ptn_a', id).version += 1);
    memory.interleaved.push(bump);
    await expect(service.patch('ptn_a', id, { description: 'once' })).resolves.toMatchObject({ description: 'once' });
    memory.interleaved.push(bump, bump, bump);
    await expect(service.patch('ptn_a', id, { description: 'never' })).rejects.toBeInstanceOf(ConflictError);
    expect(memory.row('ptn_a', id).description).toBe('once');
  });

  it('delete of an unknown endpoint is 404', async () => {
    const { service } = harness();
    await expect(service.delete('ptn_a', 'we_missing')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('rotating the secret', () => {
  it('keeps the current secret signing until the overlap ends; a second rotation drops the oldest', async () => {
    const { create, memory, service, clock } = harness();
    const { id } = await create();
    const first = await service.rotateSecret('ptn_a', id, 3600);
    expect(first).toEqual({ secret: 'whsec_secret2', previousSecretExpiresAt: '2026-03-01T13:00:00.000Z' });
    expect(memory.row('ptn_a', id).secrets.map((s) => [s.ciphertext, s.expiresAt])).toEqual([
      ['blob(whsec_secret1)', '2026-03-01T13:00:00.000Z'],
      ['blob(whsec_secret2)', undefined],
    ]);
    expect((await service.get('ptn_a', id)).previousSecretExpiresAt).toBe('2026-03-01T13:00:00.000Z');
    clock.advance(3600_000);
    expect((await service.get('ptn_a', id)).previousSecretExpiresAt).toBeUndefined();

    await service.rotateSecret('ptn_a', id, 0);
    expect(memory.row('ptn_a', id).secrets.map((s) => [s.ciphertext, s.expiresAt])).toEqual([
      ['blob(whsec_secret2)', '2026-03-01T13:00:00.000Z'],
      ['blob(whsec_secret3)', undefined],
    ]);
  });
});

describe('test, redeliver and replay', () => {
  it('a test goes to that endpoint alone, on its lane, and not to a disabled one', async () => {
    const { create, deliveries, memory, service } = harness();
    const { id } = await create({ eventTypes: ['message.created'] });
    const { eventId } = await service.sendTest('ptn_a', id);
    expect(eventId).toMatch(/^evt_test_/);
    expect(deliveries).toEqual([
      { task: { partnerId: 'ptn_a', endpointId: id, attempt: 1, origin: 'test', event: { id: eventId, type: 'webhook_endpoint.test', occurredAt: '2026-03-01T12:00:00.000Z', data: expect.objectContaining({ endpointId: id }) } }, endpoint: expect.objectContaining({ id }) },
    ]);
    memory.row('ptn_a', id).enabled = false;
    await expect(service.sendTest('ptn_a', id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('redeliver: every enabled endpoint taking the type, or the one named; unknown events 404', async () => {
    const { create, deliveries, memory, service } = harness();
    const all = await create();
    const typed = await create({ eventTypes: ['message.created'] });
    const other = await create({ eventTypes: ['message.received'] });
    const off = await create();
    memory.row('ptn_a', off.id).enabled = false;

    expect(await service.redeliver('ptn_a', 'evt_3_7')).toEqual({ eventId: 'evt_3_7', endpointIds: [all.id, typed.id] });
    expect(deliveries.map((d) => [d.task.endpointId, d.task.origin, d.task.event.id])).toEqual([
      [all.id, 'redeliver', 'evt_3_7'],
      [typed.id, 'redeliver', 'evt_3_7'],
    ]);
    await expect(service.redeliver('ptn_a', 'evt_3_7', other.id)).rejects.toThrow(/does not take message.created/);
    await expect(service.redeliver('ptn_a', 'evt_3_7', off.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(service.redeliver('ptn_a', 'evt_3_8')).rejects.toBeInstanceOf(NotFoundError);
    expect(deliveries).toHaveLength(2);
  });

  it('replay checks the cursor first, ends at the head it read, and refuses a disabled endpoint', async () => {
    const { create, memory, replays, service } = harness();
    const { id } = await create();
    await expect(service.replay('ptn_a', id, 'x-not-a-cursor')).rejects.toMatchObject({ errors: [{ field: 'body.after' }] });
    const started = await service.replay('ptn_a', id, 'c1');
    expect(started).toEqual({ replayId: expect.stringMatching(/^rpl_/), after: 'c1', until: encodeCursor(new Array(PARTNER_EVENT_SHARDS).fill(9)) });
    expect(replays).toEqual([{ partnerId: 'ptn_a', endpointId: id, replayId: started.replayId, after: 'c1', until: started.until, sent: 0 }]);
    memory.row('ptn_a', id).enabled = false;
    await expect(service.replay('ptn_a', id, 'c1')).rejects.toBeInstanceOf(ConflictError);
    expect(replays).toHaveLength(1);
  });
});
