import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger, metrics } from '../../shared/observability';
import { businessMetricsOf } from '../../shared/observability/business-metrics';
import type { PartnerEvent } from '../../shared/services/partner-events-contract';
import { streamedEvent } from '../../shared/store/partner-events';
import { failureReason } from '../../shared/queue/consumer';
import { fanOutEvents } from '../../shared/wiring/webhook-fan-out';

/**
 * New partner events from the table's stream (the event source's filter passes only inserted
 * `PartnerEvent` rows) → one delivery message per matching endpoint. Partners are handled in
 * parallel, each in log order. When one fails, the batch is reported as failed from that
 * partner's first record (stream order), so nothing is skipped; what was sent after it is sent
 * again (receivers deduplicate on `webhook-id`). The business metrics are counted here too, from
 * the events of the records that will not come again.
 */
export async function main(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const byPartner = new Map<string, { first: number; events: PartnerEvent[] }>();
  const streamed: Array<{ index: number; event: PartnerEvent }> = [];
  event.Records.forEach((record: DynamoDBRecord, index) => {
    const image = record.dynamodb?.NewImage;
    const found = image ? streamedEvent(unmarshall(image as Record<string, AttributeValue>)) : undefined;
    if (!found) return;
    streamed.push({ index, event: found.event });
    const group = byPartner.get(found.partnerId) ?? byPartner.set(found.partnerId, { first: index, events: [] }).get(found.partnerId)!;
    group.events.push(found.event);
  });

  let firstFailed: number | undefined;
  await Promise.all(
    [...byPartner].map(async ([partnerId, { first, events }]) => {
      try {
        metrics.addMetric('WebhookDeliveriesQueued', MetricUnit.Count, await fanOutEvents(partnerId, events));
      } catch (error) {
        logger.warn('Fan-out failed; the batch is retried from this partner’s first event', { partnerId, events: events.length, reason: failureReason(error) });
        firstFailed = Math.min(firstFailed ?? Infinity, first);
      }
    }),
  );
  // Counted once: the records from the first failed one on come again with the retried batch.
  recordBusinessMetrics(streamed.filter(({ index }) => firstFailed === undefined || index < firstFailed).map(({ event }) => event));
  const failed = firstFailed === undefined ? undefined : event.Records[firstFailed]?.dynamodb?.SequenceNumber;
  return { batchItemFailures: failed ? [{ itemIdentifier: failed }] : [] };
}

/** The business metrics of the events (see business-metrics.ts), one EMF line per metric and dimensions. */
function recordBusinessMetrics(events: PartnerEvent[]): void {
  for (const point of businessMetricsOf(events)) {
    const metric = metrics.singleMetric();
    for (const [name, value] of Object.entries(point.dimensions)) metric.addDimension(name, value);
    metric.addMetric(point.name, point.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, point.value);
  }
}

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
