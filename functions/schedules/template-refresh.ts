import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '../../shared/observability';
import { templates } from '../../shared/wiring/templates';

/** Every minute: the least recently checked WhatsApp templates still in review are asked about at Twilio. */
export async function main(): Promise<{ checked: number; changed: number; failed: number }> {
  const result = await templates().refresh();
  metrics.addMetric('TemplatesChecked', MetricUnit.Count, result.checked);
  metrics.addMetric('TemplatesChanged', MetricUnit.Count, result.changed);
  if (result.failed > 0) logger.warn('Some template checks failed; they are retried on the next run', result);
  return result;
}

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
