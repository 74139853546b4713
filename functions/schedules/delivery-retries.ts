import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '../../shared/observability';
import { sweepRetries } from '../../shared/wiring/webhook-retries';

/** Every minute: partner webhook retries due within the next 14 minutes move from the table to the retry queue. */
export async function main(): Promise<{ moved: number; through?: string }> {
  const result = await sweepRetries();
  metrics.addMetric('WebhookRetriesMoved', MetricUnit.Count, result.moved);
  if (result.moved > 0) logger.info('Moved scheduled webhook retries to the retry queue', result);
  return result;
}

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
