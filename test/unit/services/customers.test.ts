import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { customerService } from '../../../shared/services/customers';
import type { OnboardingSummarySource, StepRecord } from '../../../shared/workflow/timeline';
import { fakeCustomerRepository, fixedClock, sequentialIds } from '../../support/fakes';
import { validCustomer } from '../../support/fixtures';

function setup(runs = new Map<string, OnboardingSummarySource>()) {
  const repo = fakeCustomerRepository();
  const clock = fixedClock();
  const asked: Array<{ partnerId: string; customerIds: readonly string[] }> = [];
  const onboardingSummaries = async (partnerId: string, customerIds: readonly string[]) => {
    asked.push({ partnerId, customerIds });
    return new Map([...runs].filter(([id]) => customerIds.includes(id)));
  };
  const service = customerService({ customers: repo, onboardingSummaries, clock, ids: sequentialIds() });
  return { repo, clock, service, asked };
}

describe('customer service', () => {
  it('creates a customer owned by the partner with server-owned fields set', async () => {
    const { repo, service } = setup();
    const created = await service.create('ptn_a', validCustomer());
    expect(created).toMatchObject({ id: expect.stringMatching(/^cus_/), status: 'active', legalName: 'Acme Widgets LLC' });
    expect(created.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(created).not.toHaveProperty('partnerId');
    expect(created).not.toHaveProperty('version');
    expect([...repo.rows.values()][0]).toMatchObject({ partnerId: 'ptn_a', version: 1 });
  });

  it("answers another partner's customer exactly like a missing one", async () => {
    const { service } = setup();
    const created = await service.create('ptn_a', validCustomer());
    await expect(service.get('ptn_b', created.id)).rejects.toThrow(NotFoundError);
    await expect(service.get('ptn_a', 'cus_missing')).rejects.toThrow(NotFoundError);
    await expect(service.patch('ptn_b', created.id, { displayName: 'x' })).rejects.toThrow(NotFoundError);
  });

  it('pages newest first with an opaque cursor that only continues the same list', async () => {
    const { service } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await service.create('ptn_a', validCustomer({ displayName: `c${i}` }))).id);
    const first = await service.list('ptn_a', { limit: 2 });
    expect(first.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.nextCursor).not.toContain('cus_');
    const second = await service.list('ptn_a', { limit: 2, cursor: first.nextCursor! });
    expect(second.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
    const last = await service.list('ptn_a', { limit: 2, cursor: second.nextCursor! });
    expect(last.data.map((c) => c.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeNull();
  });

  it("with include=onboarding, says where each customer's onboarding stands from one read for the page", async () => {
    const step = (status: StepRecord['status']): StepRecord => ({ status, attempt: 1, startedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:01:00.000Z', sids: {} });
    const runs = new Map<string, OnboardingSummarySource>();
    const { repo, service, asked } = setup(runs);
    const created: string[] = [];
    for (let i = 0; i < 4; i++) created.push((await service.create('ptn_a', validCustomer({ displayName: `c${i}` }))).id);
    runs.set(created[1]!, { status: 'running', attempt: 1, updatedAt: 't1', steps: { customerProfile: step('succeeded'), brand: step('waiting') } });
    runs.set(created[2]!, { status: 'failed', attempt: 2, updatedAt: 't2', failedStep: 'brand', steps: { brand: step('failed') } });
    runs.set(created[3]!, { status: 'running', attempt: 1, updatedAt: 't3', steps: { customerProfile: step('running') } });
    const row = [...repo.rows.values()].find((c) => c.id === created[3])!;
    row.status = 'closed';

    const page = await service.list('ptn_a', { limit: 10, include: 'onboarding' });
    expect(asked).toEqual([{ partnerId: 'ptn_a', customerIds: [...created].reverse() }]);
    expect(Object.fromEntries(page.data.map((c) => [c.id, c.onboarding]))).toEqual({
      [created[0]!]: null,
      [created[1]!]: { status: 'running', attempt: 1, step: 'brand', stepStatus: 'waiting', updatedAt: 't1' },
      [created[2]!]: { status: 'failed', attempt: 2, failedStep: 'brand', updatedAt: 't2' },
      [created[3]!]: { status: 'closed', attempt: 1, updatedAt: 't3' },
    });

    // Without it, nothing more is read and nothing more is said.
    const plain = await service.list('ptn_a', { limit: 10 });
    expect(asked).toHaveLength(1);
    expect(plain.data.every((c) => !('onboarding' in c))).toBe(true);
  });

  it.each(['garbage', Buffer.from('{"after":"PARTNER#x"}').toString('base64url'), Buffer.from('[]').toString('base64url')])(
    'refuses a tampered cursor %s with a field error',
    async (cursor) => {
      const { service } = setup();
      await expect(service.list('ptn_a', { limit: 10, cursor })).rejects.toMatchObject({
        constructor: ValidationError,
        errors: [{ field: 'query.cursor', message: expect.any(String) }],
      });
    },
  );

  it('patches mutable fields, bumps the version and keeps server-owned fields', async () => {
    const { repo, clock, service } = setup();
    const created = await service.create('ptn_a', validCustomer());
    clock.advance(1000);
    const patched = await service.patch('ptn_a', created.id, { displayName: 'Acme 2' });
    expect(patched).toMatchObject({ id: created.id, displayName: 'Acme 2', createdAt: created.createdAt, status: 'active' });
    expect(patched.updatedAt).toBe('2026-01-01T00:00:01.000Z');
    expect([...repo.rows.values()][0]!.version).toBe(2);
  });

  it('refuses a patch that would break a cross-field rule, leaving the customer unchanged', async () => {
    const { repo, service } = setup();
    const created = await service.create('ptn_a', validCustomer());
    await expect(service.patch('ptn_a', created.id, { companyType: 'public' })).rejects.toMatchObject({
      constructor: ValidationError,
      errors: [expect.objectContaining({ field: 'body.stockTicker' })],
    });
    expect([...repo.rows.values()][0]).toMatchObject({ companyType: 'private', version: 1 });
  });

  it('reports a concurrent change as a conflict instead of overwriting it', async () => {
    const { repo, service } = setup();
    const created = await service.create('ptn_a', validCustomer());
    const realGet = repo.get;
    repo.get = async (p, id) => {
      const snapshot = await realGet(p, id);
      await repo.replace({ ...snapshot!, displayName: 'other writer', version: snapshot!.version + 1 }, snapshot!.version);
      return snapshot;
    };
    await expect(service.patch('ptn_a', created.id, { displayName: 'mine' })).rejects.toThrow(ConflictError);
    expect([...repo.rows.values()][0]!.displayName).toBe('other writer');
  });
});
