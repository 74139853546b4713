import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { QUEUES, type QueueName } from './queues';
import { logger as sharedLogger } from '../observability';
import { parseEnvelope, type WebhookEnvelope } from '../webhooks/envelope';
import { reportLocalFailure } from './local-queue';

/** Long enough to cover Twilio's retries (Event Streams retries for hours) and a DLQ redrive the same day. */
const DEDUPE_WINDOW_SECONDS = 24 * 60 * 60;
/** A failure reason in a log line: enough to diagnose, never a payload. */
const MAX_REASON_LENGTH = 300;

/**
 * How a consumer makes redeliveries harmless.
 *
 * - `'idempotency-store'`: each unit of work runs at most once per key through a Powertools
 *   idempotency record (one conditional put before `apply`, one update after). For work whose
 *   effects cannot carry their own condition (e.g. resuming a workflow).
 * - `'by-apply'`: `apply` runs for every delivery and MUST itself be idempotent: it changes its row
 *   with a conditional write or a transaction whose condition fails when the change is already
 *   stored (and then does nothing more), so a duplicate, a Twilio retry or a redrive has no second
 *   effect. Saves the idempotency record's two writes per unit of work.
 */
export type DedupeMode = 'idempotency-store' | 'by-apply';

interface CommonOptions<T> {
  /** The consumer's name: prefix of its idempotency records, and how its log lines are told apart. */
  readonly name: string;
  /** The units of work of one webhook, each with Twilio's identity as its key. */
  readonly toWork: (envelope: WebhookEnvelope) => ReadonlyArray<{ readonly key: string; readonly work: T }>;
  readonly apply: (work: T) => Promise<unknown>;
  /**
   * The catalog queue this consumer reads, for its failure log lines (queue name, and whether the
   * failure dead-letters the record: `maxReceiveCount` in QUEUES). Default: the queue named by the
   * record's `eventSourceARN` when that is a catalog name (locally), else `name` when it is one.
   */
  readonly queue?: QueueName;
  /** Where failures are logged; the shared Powertools logger unless a test passes its own. */
  readonly logger?: Pick<typeof sharedLogger, 'warn' | 'error' | 'info'>;
}

export type ConsumerOptions<T> = CommonOptions<T> &
  (
    | { readonly dedupe?: 'idempotency-store'; readonly persistenceStore: BasePersistenceLayer }
    | { readonly dedupe: 'by-apply'; readonly persistenceStore?: undefined }
  );

/** What a failed record's log line carries: ids, counts and the reason, never the body. */
export interface RecordFailure {
  readonly consumer: string;
  readonly queue: string;
  readonly messageId: string;
  readonly receiveCount: number;
  readonly maxReceiveCount?: number;
  readonly willBeDeadLettered: boolean;
  readonly reason: string;
}

/**
 * An SQS consumer of webhook envelopes: records are processed one by one and only the failed ones
 * are reported (`ReportBatchItemFailures`), so one poison message is retried alone and then
 * dead-lettered, never the batch. Each failed record is logged with its queue, message id,
 * receive count and reason, as an error when this receive was its last (SQS moves it to the DLQ
 * next). Redeliveries are harmless either through an idempotency record per unit of work, keyed
 * on Twilio's identity whatever the SQS message id, or through `apply` itself ({@link DedupeMode}).
 */
export function createWebhookConsumer<T>(options: ConsumerOptions<T>) {
  const { name, toWork, apply } = options;
  const log = options.logger ?? sharedLogger;
  const queueOf = queueResolver(options.queue, name);

  let config: IdempotencyConfig | undefined;
  let run: (item: { key: string; work: T }, record: SQSRecord) => Promise<unknown>;
  if (options.dedupe === 'by-apply') {
    run = (item) => apply(item.work);
  } else {
    const idempotency = (config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: DEDUPE_WINDOW_SECONDS }));
    const once = makeIdempotent(async (item: { key: string; work: T }) => {
      await apply(item.work);
      return true;
    }, { persistenceStore: options.persistenceStore, config: idempotency, keyPrefix: name });
    run = async (item, record) => {
      try {
        return await once(item);
      } catch (error) {
        // On a first receive, the invocation holding this key's in-progress record is another
        // message's: a duplicate delivered concurrently (a Twilio retry in another batch). That
        // message stays in the queue until the work is stored, and is retried or dead-lettered with
        // it, so this copy adds nothing: it is acknowledged instead of spending receives, and a DLQ
        // never holds a mere duplicate. On a later receive the holder may be this message's own
        // crashed attempt, whose record expires with that attempt: then it is a failure, retried
        // after the visibility timeout (longer than the invocation timeout).
        if (error instanceof IdempotencyAlreadyInProgressError && receiveCountOf(record) === 1) {
          log.info('Duplicate of a unit of work in progress in another invocation; acknowledged', { consumer: name, messageId: record.messageId });
          return false;
        }
        throw error;
      }
    };
  }

  async function processRecord(record: SQSRecord): Promise<void> {
    try {
      const envelope = parseEnvelope(record.body);
      // Sequential: work items of one webhook (several CloudEvents) touch the same customer's rows.
      for (const item of toWork(envelope)) await run({ key: item.key, work: item.work }, record);
    } catch (error) {
      reportFailure(record, error);
      throw error;
    }
  }

  function reportFailure(record: SQSRecord, error: unknown): void {
    const queue = queueOf(record);
    const receiveCount = receiveCountOf(record);
    const maxReceiveCount = queue.maxReceiveCount;
    const failure: RecordFailure = {
      consumer: name,
      queue: queue.name,
      messageId: record.messageId,
      receiveCount,
      ...(maxReceiveCount !== undefined ? { maxReceiveCount } : {}),
      willBeDeadLettered: maxReceiveCount !== undefined && receiveCount >= maxReceiveCount,
      reason: failureReason(error),
    };
    if (failure.willBeDeadLettered) log.error(`Record failed on its last receive and will be dead-lettered to ${queue.name}-dlq`, { ...failure });
    else log.warn(`Record failed and will be retried after the visibility timeout`, { ...failure });
    // Locally the in-process queue keeps the reason, to log it when it moves the message to its DLQ.
    reportLocalFailure(record.eventSourceARN, record.messageId, failure.reason);
  }

  return async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    // An in-progress record then expires with this invocation, so a crash does not block the retry for a day.
    config?.registerLambdaContext(context);
    // In order, not in parallel: a Twilio retry often lands in the same batch as the original, and
    // in parallel the second copy would find the first one's in-progress record instead of its
    // completed one (or, by apply, race it on the same row).
    // A processor per invocation: it holds the batch's records and failures, and where invocations
    // share a module (the local platform runs several batches at once) a shared one mixes them up.
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
  };
}

const receiveCountOf = (record: SQSRecord): number => Number(record.attributes?.ApproximateReceiveCount) || 1;

/** `<name>: <message>` of the error, with phone numbers and e-mail addresses masked, bounded. */
export function failureReason(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `Non-error thrown: ${String(error)}`;
  const masked = text
    .replace(/\+\d{7,15}\b/g, '+[number]')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '[email]');
  return masked.length > MAX_REASON_LENGTH ? `${masked.slice(0, MAX_REASON_LENGTH - 1)}…` : masked;
}

const isCatalogQueue = (name: string | undefined): name is QueueName => name !== undefined && Object.prototype.hasOwnProperty.call(QUEUES, name);

/** The record's queue: the configured one, else the one its ARN names, else the consumer's name; with its receive limit when known. */
function queueResolver(configured: QueueName | undefined, consumerName: string) {
  const known = (name: QueueName) => ({ name: name as string, maxReceiveCount: QUEUES[name].maxReceiveCount as number | undefined });
  if (configured) {
    const fixed = known(configured);
    return () => fixed;
  }
  return (record: SQSRecord) => {
    const fromArn = record.eventSourceARN?.split(':').at(-1);
    if (isCatalogQueue(fromArn)) return known(fromArn);
    if (isCatalogQueue(consumerName)) return known(consumerName);
    return { name: fromArn || 'unknown', maxReceiveCount: undefined };
  };
}
