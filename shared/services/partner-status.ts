import { STATUS_REFUSAL_HOURS, STATUS_RUNS_LISTED, STATUS_RUNS_READ, type PartnerStatus } from '../domain/partner-status';
import type { WebhookEndpointStore } from '../partner-webhooks/contract';
import type { QueueDepthPort } from '../queue/depth';
import { activeStepOf, type OnboardingRun } from '../workflow/timeline';
import type { PartnerStatusStore, RunSummary } from '../store/partner-status';
import { hourOf, type WebhookRefusalStore } from '../store/webhook-refusals';
import type { Clock } from './support';

export interface PartnerStatusDeps {
  store: PartnerStatusStore;
  refusals: Pick<WebhookRefusalStore, 'since'>;
  endpoints: Pick<WebhookEndpointStore, 'all'>;
  queues: QueueDepthPort;
  clock: Clock;
}

/** Hourly counters of one partner over a day are at most one per customer and hour; more than this is summed from the first read. */
const REFUSAL_COUNTERS_READ = 2000;

type RunRow = PartnerStatus['onboarding']['inFlight'][number];

/** Where a running run is: its step running or waiting (none between two steps: the run itself is the news). */
function current(run: RunSummary): Omit<RunRow, 'displayName'> | undefined {
  const active = activeStepOf(run.steps as OnboardingRun['steps']);
  if (!active) return undefined;
  const { step, record } = active;
  return { customerId: run.customerId, step, stepStatus: record.status as RunRow['stepStatus'], since: record.waitingSince ?? record.startedAt ?? run.updatedAt };
}

const newestFirst = (a: { since: string }, b: { since: string }) => b.since.localeCompare(a.since);

export function partnerStatusService({ store, refusals, endpoints, queues, clock }: PartnerStatusDeps) {
  return {
    /**
     * Primary course: read the partner's runs (one bounded Query), its refusal counters of the
     * last day (one range Query), its webhook endpoints (one Query, 20 at most) and the queue
     * depths, all at once; then label the customers
     * listed with one BatchGetItem by the partner's own keys, dropping failed runs of closed customers.
     */
    async get(partnerId: string): Promise<PartnerStatus> {
      const now = clock.now();
      const sinceHour = hourOf(new Date(now.getTime() - (STATUS_REFUSAL_HOURS - 1) * 3_600_000).toISOString());
      const [{ runs, complete }, counters, endpointRows, depths] = await Promise.all([
        store.runs(partnerId, STATUS_RUNS_READ),
        refusals.since(partnerId, sinceHour, REFUSAL_COUNTERS_READ),
        endpoints.all(partnerId),
        queues.depths(),
      ]);

      const counts = { running: 0, failed: 0, succeeded: 0 };
      const inFlight: Array<Omit<RunRow, 'displayName'>> = [];
      const failed: Array<Omit<RunRow, 'displayName'>> = [];
      for (const run of runs) {
        counts[run.status]++;
        if (run.status === 'running') {
          const at = current(run);
          if (at) inFlight.push(at);
        } else if (run.status === 'failed' && run.failedStep) {
          failed.push({ customerId: run.customerId, step: run.failedStep, stepStatus: 'failed', since: run.finishedAt ?? run.updatedAt });
        }
      }
      inFlight.sort(newestFirst);
      failed.sort(newestFirst);

      const byCustomer = new Map<string, { count: number; lastReason: string; lastWebhook: string; lastAt: string }>();
      for (const c of counters) {
        const seen = byCustomer.get(c.customerId);
        if (!seen) byCustomer.set(c.customerId, { count: c.count, lastReason: c.lastReason, lastWebhook: c.lastWebhook, lastAt: c.lastAt });
        else {
          seen.count += c.count;
          if (c.lastAt > seen.lastAt) Object.assign(seen, { lastReason: c.lastReason, lastWebhook: c.lastWebhook, lastAt: c.lastAt });
        }
      }

      // Failed runs are labelled beyond the page so that closed customers can be dropped and the list still filled.
      const failedCandidates = failed.slice(0, STATUS_RUNS_LISTED * 2);
      const listedInFlight = inFlight.slice(0, STATUS_RUNS_LISTED);
      const labels = await store.labels(partnerId, [...listedInFlight, ...failedCandidates].map((r) => r.customerId).concat([...byCustomer.keys()]));
      const label = <T extends { customerId: string }>(row: T) => ({ ...row, displayName: labels.get(row.customerId)?.displayName ?? row.customerId });

      return {
        generatedAt: now.toISOString(),
        onboarding: {
          counts,
          complete,
          inFlight: listedInFlight.map(label),
          failed: failedCandidates.filter((r) => labels.get(r.customerId)?.status !== 'closed').slice(0, STATUS_RUNS_LISTED).map(label),
        },
        queues: depths,
        webhookEndpoints: {
          total: endpointRows.length,
          failing: endpointRows
            .filter((e) => e.enabled && e.failingSince)
            .map(({ id, url, failingSince, lastFailureAt }) => ({ id, url, failingSince: failingSince!, ...(lastFailureAt ? { lastFailureAt } : {}) })),
          disabled: endpointRows
            .filter((e) => !e.enabled)
            .map(({ id, url, disabledReason, disabledAt }) => ({ id, url, ...(disabledReason ? { disabledReason } : {}), ...(disabledAt ? { disabledAt } : {}) })),
        },
        webhookRefusals: {
          since: `${sinceHour}:00:00.000Z`,
          total: [...byCustomer.values()].reduce((sum, c) => sum + c.count, 0),
          customers: [...byCustomer.entries()]
            .map(([customerId, c]) => label({ customerId, ...c }))
            .sort((a, b) => b.lastAt.localeCompare(a.lastAt)),
        },
      };
    },
  };
}
