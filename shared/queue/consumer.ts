import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseEnvelope, type WebhookEnvelope } from '../webhooks/envelope';

/** Long enough to cover Twilio's retries (Event Streams retries for hours) and a DLQ redrive the same day. */
const DEDUPE_WINDOW_SECONDS = 24 * 60 * 60;

export interface ConsumerOptions<T> {
  /** Prefix of the idempotency records, one per consumer. */
  readonly name: string;
  readonly persistenceStore: BasePersistenceLayer;
  /** The units of work of one webhook, each with Twilio's identity as its key. */
  readonly toWork: (envelope: WebhookEnvelope) => ReadonlyArray<{ readonly key: string; readonly work: T }>;
  readonly apply: (work: T) => Promise<unknown>;
}

/**
 * An SQS consumer of webhook envelopes: records are processed one by one and only the failed ones
 * are reported (`ReportBatchItemFailures`), so one poison message is retried alone and then
 * dead-lettered, never the batch. Each unit of work runs at most once per Twilio identity
 * (Powertools idempotency on the single table), whatever the SQS message id.
 */
export function createWebhookConsumer<T>({ name, persistenceStore, toWork, apply }: ConsumerOptions<T>) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: DEDUPE_WINDOW_SECONDS });
  const once = makeIdempotent(async (item: { key: string; work: T }) => {
    await apply(item.work);
    return true;
  }, { persistenceStore, config, keyPrefix: name });
  const processor = new BatchProcessor(EventType.SQS);

  async function processRecord(record: SQSRecord): Promise<void> {
    const envelope = parseEnvelope(record.body);
    // Sequential: work items of one webhook (several CloudEvents) touch the same customer's rows.
    for (const item of toWork(envelope)) await once({ key: item.key, work: item.work });
  }

  return async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // An in-progress record then expires with this invocation, so a crash does not block the retry for a day.
    config.registerLambdaContext(context);
    // In order, not in parallel: a Twilio retry often lands in the same batch as the original, and
    // in parallel the second copy would fail on the first one's in-progress record instead of being
    // answered from its completed one.
    return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
  };
}
