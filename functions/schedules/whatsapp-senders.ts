import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { logger, metrics } from '../../shared/observability';
import { whatsAppSenders } from '../../shared/wiring/whatsapp-senders';

/**
 * Every minute: WhatsApp senders Twilio or Meta is working on, and those waiting for a person
 * that are due, are fetched from Twilio; each change is stored with its partner event. Twilio
 * pushes no sender status, so this is how a sender reaches ONLINE (or OFFLINE) here. The run's
 * time is the schedule's, so "due" follows the scheduler's clock.
 */
export async function main(event: Pick<ScheduledEvent, 'time'>): Promise<{ checked: number; changed: number; failed: number }> {
  const result = await whatsAppSenders().refresh(new Date(event.time));
  metrics.addMetric('WhatsAppSendersChecked', MetricUnit.Count, result.checked);
  metrics.addMetric('WhatsAppSendersRefreshFailed', MetricUnit.Count, result.failed);
  if (result.changed > 0 || result.failed > 0) logger.info('Refreshed WhatsApp senders', result);
  return result;
}

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
