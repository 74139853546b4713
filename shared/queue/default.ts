import { SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../config';
import { createLocalQueue, isLocal } from './local-queue';
import type { QueuePort } from './port';
import { createSqsQueue } from './sqs-queue';

/**
 * The queue port for handlers: SQS in AWS, the in-process queues when QUEUE_URLS names `local://`
 * queues. The SQS client exists once per cold start and only where it is used.
 */
export const queue: QueuePort = isLocal(config.QUEUE_URLS)
  ? createLocalQueue(config.QUEUE_URLS)
  : createSqsQueue({ client: new SQSClient({ region: config.AWS_REGION }), urls: config.QUEUE_URLS });
