import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueName } from '../queue/queues';
import { QUEUES } from '../queue/queues';
import { logger, metrics } from '../observability';
import { failureReason } from '../queue/consumer';
import { reportLocalFailure } from '../queue/local-queue';

/**
 * An SQS consumer of JSON tasks (delivery attempts, replay steps): records run in parallel (each
 * is its own endpoint's business), only failed ones are reported back (`ReportBatchItemFailures`)
 * and logged with their queue, receive count and reason — never the body, which holds event data.
 * `run` answers a short outcome, counted as the metric `<metricPrefix><Outcome>`.
 */
export function taskConsumer<T>(options: { queue: QueueName; metricPrefix: string; parse: (body: string) => T; run: (task: T) => Promise<string> }) {
  const { queue, metricPrefix, parse, run } = options;
  const maxReceiveCount = QUEUES[queue].maxReceiveCount;

  async function processRecord(record: SQSRecord): Promise<void> {
    try {
      const outcome = await run(parse(record.body));
      metrics.addMetric(`${metricPrefix}${outcome[0]!.toUpperCase()}${outcome.slice(1)}`, MetricUnit.Count, 1);
    } catch (error) {
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount) || 1;
      const details = { queue, source: record.eventSourceARN, messageId: record.messageId, receiveCount, maxReceiveCount, reason: failureReason(error) };
      if (receiveCount >= maxReceiveCount) logger.error(`Task failed on its last receive and will be dead-lettered to ${queue}-dlq`, details);
      else logger.warn('Task failed and will be retried after the visibility timeout', details);
      reportLocalFailure(record.eventSourceARN, record.messageId, details.reason);
      throw error;
    }
  }

  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: true });
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
