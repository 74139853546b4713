export { QueueNotConfiguredError, type MessageAttributes, type QueuePort } from './port';
export { createSqsQueue, type SqsQueueOptions } from './sqs-queue';
export { createLocalQueue, isLocal, LocalQueueUnavailableError, LOCAL_QUEUE_SCHEME } from './local-queue';
