import { partnerStatusService } from '../../../shared/services/partner-status';
import type { PartnerStatusStore, RunSummary } from '../../../shared/store/partner-status';
import type { WebhookRefusalCounter } from '../../../shared/store/webhook-refusals';

const NOW = new Date('2026-01-02T12:30:00.000Z');

const running = (customerId: string, at: string, steps: RunSummary['steps']): RunSummary => ({ customerId, status: 'running', updatedAt: at, steps });
const failed = (customerId: string, at: string): RunSummary => ({ customerId, status: 'failed', failedStep: 'brand', updatedAt: at, finishedAt: at, steps: {} });
const counter = (customerId: string, hour: string, count: number, lastAt: string, lastReason = 'signature-mismatch'): WebhookRefusalCounter => ({
  partnerId: 'ptn_A', customerId, hour, count, lastReason, lastWebhook: 'inbound', lastAt,
});

function service(runs: RunSummary[], counters: WebhookRefusalCounter[], labels: Record<string, { displayName: string; status: string }>, complete = true) {
  const asked: { sinceHour?: string; labels?: string[] } = {};
  const store: PartnerStatusStore = {
    runs: async () => ({ runs, complete }),
    labels: async (_partner, ids) => ((asked.labels = [...ids]), new Map(Object.entries(labels).filter(([id]) => ids.includes(id)))),
  };
  const status = partnerStatusService({
    store,
    refusals: { since: async (_partner, sinceHour) => ((asked.sinceHour = sinceHour), counters) },
    endpoints: { all: async () => [] },
    queues: { depths: async () => [] },
    clock: { now: () => NOW },
  });
  return { status, asked };
}

describe('partner status', () => {
  it('counts every run, lists in-flight runs at the step they wait in and failed ones at their failed step, newest first', async () => {
    const { status } = service(
      [
        running('cus_1', '2026-01-02T10:00:00.000Z', { subaccount: { status: 'succeeded' }, brand: { status: 'waiting', startedAt: '2026-01-02T09:00:00.000Z', waitingSince: '2026-01-02T09:05:00.000Z' } } as RunSummary['steps']),
        running('cus_2', '2026-01-02T11:00:00.000Z', { subaccount: { status: 'running', startedAt: '2026-01-02T11:00:00.000Z' } } as RunSummary['steps']),
        failed('cus_3', '2026-01-01T08:00:00.000Z'),
        failed('cus_4', '2026-01-02T08:00:00.000Z'),
        { customerId: 'cus_5', status: 'succeeded', updatedAt: '2026-01-01T00:00:00.000Z', steps: {} },
      ],
      [],
      { cus_1: { displayName: 'One', status: 'active' }, cus_2: { displayName: 'Two', status: 'active' }, cus_3: { displayName: 'Three', status: 'active' }, cus_4: { displayName: 'Four', status: 'closed' } },
    );
    const { onboarding } = await status.get('ptn_A');
    expect(onboarding.counts).toEqual({ running: 2, failed: 2, succeeded: 1 });
    expect(onboarding.inFlight).toEqual([
      { customerId: 'cus_2', displayName: 'Two', step: 'subaccount', stepStatus: 'running', since: '2026-01-02T11:00:00.000Z' },
      { customerId: 'cus_1', displayName: 'One', step: 'brand', stepStatus: 'waiting', since: '2026-01-02T09:05:00.000Z' },
    ]);
    // A closed customer's failed run is history, not something to fix.
    expect(onboarding.failed).toEqual([{ customerId: 'cus_3', displayName: 'Three', step: 'brand', stepStatus: 'failed', since: '2026-01-01T08:00:00.000Z' }]);
  });

  it('says when the counts are partial', async () => {
    const { status } = service([], [], {}, false);
    expect((await status.get('ptn_A')).onboarding.complete).toBe(false);
  });

  it("sums a customer's hourly refusal counters over the last 24 hours, keeping the latest reason, most recent customer first", async () => {
    const { status, asked } = service(
      [],
      [
        counter('cus_1', '2026-01-01T13', 2, '2026-01-01T13:10:00.000Z', 'malformed-signature'),
        counter('cus_1', '2026-01-02T12', 3, '2026-01-02T12:20:00.000Z'),
        counter('cus_2', '2026-01-02T11', 1, '2026-01-02T11:00:00.000Z'),
      ],
      { cus_1: { displayName: 'One', status: 'active' } },
    );
    const { webhookRefusals } = await status.get('ptn_A');
    expect(asked.sinceHour).toBe('2026-01-01T13');
    expect(webhookRefusals).toEqual({
      since: '2026-01-01T13:00:00.000Z',
      total: 6,
      customers: [
        { customerId: 'cus_1', displayName: 'One', count: 5, lastReason: 'signature-mismatch', lastWebhook: 'inbound', lastAt: '2026-01-02T12:20:00.000Z' },
        // A label that cannot be read shows the id.
        { customerId: 'cus_2', displayName: 'cus_2', count: 1, lastReason: 'signature-mismatch', lastWebhook: 'inbound', lastAt: '2026-01-02T11:00:00.000Z' },
      ],
    });
  });

  it('fails when a source fails, rather than showing a partial page as whole', async () => {
    const status = partnerStatusService({
      store: { runs: async () => ({ runs: [], complete: true }), labels: async () => new Map() },
      refusals: { since: async () => [] },
      endpoints: { all: async () => [] },
      queues: { depths: async () => Promise.reject(new Error('AccessDenied')) },
      clock: { now: () => NOW },
    });
    await expect(status.get('ptn_A')).rejects.toThrow('AccessDenied');
  });

  it("summarises the partner's own endpoints: failing ones (on the retry lane) and disabled ones, never their secrets", async () => {
    const base = { partnerId: 'ptn_A', eventTypes: ['*'], secrets: [{ id: 's', encrypted: 'opaque', createdAt: 'x' }], createdAt: 'x', updatedAt: 'x', version: 1 };
    const status = partnerStatusService({
      store: { runs: async () => ({ runs: [], complete: true }), labels: async () => new Map() },
      refusals: { since: async () => [] },
      endpoints: {
        all: async () =>
          [
            { ...base, id: 'we_1', url: 'https://a.example.com/h', enabled: true },
            { ...base, id: 'we_2', url: 'https://b.example.com/h', enabled: true, failingSince: '2026-01-02T10:00:00.000Z', lastFailureAt: '2026-01-02T12:00:00.000Z' },
            { ...base, id: 'we_3', url: 'https://c.example.com/h', enabled: false, disabledReason: 'gone', disabledAt: '2026-01-01T00:00:00.000Z', failingSince: '2025-12-31T00:00:00.000Z' },
          ] as never,
      },
      queues: { depths: async () => [] },
      clock: { now: () => NOW },
    });
    const { webhookEndpoints } = await status.get('ptn_A');
    expect(webhookEndpoints).toEqual({
      total: 3,
      failing: [{ id: 'we_2', url: 'https://b.example.com/h', failingSince: '2026-01-02T10:00:00.000Z', lastFailureAt: '2026-01-02T12:00:00.000Z' }],
      disabled: [{ id: 'we_3', url: 'https://c.example.com/h', disabledReason: 'gone', disabledAt: '2026-01-01T00:00:00.000Z' }],
    });
    expect(JSON.stringify(webhookEndpoints)).not.toContain('opaque');
  });
});
