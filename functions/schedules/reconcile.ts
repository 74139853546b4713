import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger, metrics } from '../../shared/observability';
import { ERROR_OUTCOMES, REPAIR_OUTCOMES, reconcileMetricsOf, type ReconcileResult } from '../../shared/services/reconcile';
import { reconcile } from '../../shared/wiring/reconcile';

/**
 * Every five minutes: records waiting on Twilio longer than the threshold (onboarding steps,
 * messages without a final status) are checked at Twilio and repaired as the missed event would
 * have done. One metric data point per name and (kind, outcome), one log line per repair, ids only.
 */
export async function main(event: Pick<ScheduledEvent, 'time'>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ checked: number; repaired: number; errors: number; stoppedBy?: string }> {
  // The run's time is the schedule's, so "waiting longer than the threshold" follows the scheduler's clock.
  const run = await reconcile().run({ now: new Date(event.time), ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}) });
  for (const r of run.results) {
    if (REPAIR_OUTCOMES.has(r.outcome)) logger.info('Reconciled a record Twilio had moved on from', repairLog(r));
    if (r.outcome === 'expired') logger.info('Gave up waiting for a final status', repairLog(r));
    if (r.outcome === 'error') logger.warn('Reconciling a record failed; it is tried again on a later run', repairLog(r));
  }
  for (const point of reconcileMetricsOf(run.results)) {
    // A single metric publishes (and forgets its dimensions) at its first data point: one per point.
    const metric = metrics.singleMetric();
    metric.addDimensions(point.dimensions);
    metric.addMetric(point.name, MetricUnit.Count, point.value);
  }
  const summary = {
    checked: run.results.length,
    repaired: run.results.filter((r) => REPAIR_OUTCOMES.has(r.outcome)).length,
    errors: run.results.filter((r) => ERROR_OUTCOMES.has(r.outcome)).length,
    ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
  };
  if (run.stoppedBy) logger.info('The reconciliation run stopped early; the rest is due on the next run', summary);
  return summary;
}

/** Ids, statuses and the reason: no message content, no phone numbers. */
const repairLog = ({ kind, outcome, partnerId, customerId, ref, from, to, reason }: ReconcileResult) => ({ kind, outcome, partnerId, customerId, ref, from, to, reason });

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
