import { deliveryQueues } from '../partner-webhooks/enqueue';
import { retrySweeper } from '../partner-webhooks/sweeper';
import { queue } from '../queue/default';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoScheduledRetryStore } from '../store/webhook-retries';

/** The retry sweeper (scheduled every minute). */
export const sweepRetries = retrySweeper({ retries: dynamoScheduledRetryStore(documentClient, tableName), queues: deliveryQueues(queue), clock: systemClock });
