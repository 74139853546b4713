import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../config';
import { traced } from '../observability';
import { QUEUES, type QueueName } from '../queue/queues';
import { localQueueDepths, sqsDepthReader, sqsQueueDepths, type QueueDepthPort, type QueuePair } from '../queue/depth';
import { partnerStatusService } from '../services/partner-status';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoPartnerStatusStore } from '../store/partner-status';
import { dynamoWebhookEndpointStore } from '../store/webhook-endpoints';
import { dynamoWebhookRefusalStore } from '../store/webhook-refusals';

/**
 * The queues' depths: deployed, the stack names every work queue and DLQ in QUEUE_DEPTH_URLS and
 * grants GetQueueAttributes on exactly those (and CloudWatch's GetMetricData for the ages);
 * locally there are none and the in-process queues answer.
 */
function queueDepths(): QueueDepthPort {
  const urls: Readonly<Record<string, string | undefined>> = config.QUEUE_DEPTH_URLS;
  if (Object.keys(urls).length === 0) return localQueueDepths();
  const pairs: Partial<Record<QueueName, QueuePair>> = {};
  for (const queue of Object.keys(QUEUES) as QueueName[]) {
    const url = urls[queue];
    const deadLetterUrl = urls[`${queue}-dlq`];
    if (url && deadLetterUrl) pairs[queue] = { url, deadLetterUrl };
  }
  const reader = sqsDepthReader(traced(new SQSClient({ region: config.AWS_REGION })), traced(new CloudWatchClient({ region: config.AWS_REGION })));
  return sqsQueueDepths(reader, pairs);
}

/** Default wiring of the partner status route. */
export const partnerStatus = partnerStatusService({
  store: dynamoPartnerStatusStore(documentClient, tableName),
  refusals: dynamoWebhookRefusalStore(documentClient, tableName),
  endpoints: dynamoWebhookEndpointStore(documentClient, tableName),
  queues: queueDepths(),
  clock: systemClock,
});
