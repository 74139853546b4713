import { createHash } from 'node:crypto';
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createWebhookConsumer, failureReason } from '../../../shared/queue/consumer';
import type { WebhookEnvelope } from '../../../shared/webhooks/envelope';

/**
 * The webhook consumer in both dedupe modes, over an in-memory idempotency store with the
 * DynamoDB layer's conditions (absent, expired, or in progress past its deadline).
 */
class MemoryStore extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();
  writes = 0;

  protected async _getRecord(key: string): Promise<IdempotencyRecord> {
    const record = this.records.get(key);
    if (!record) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const inProgressExpired = existing?.getStatus() === IdempotencyRecordStatus.INPROGRESS && (existing.inProgressExpiryTimestamp ?? Infinity) < Date.now();
    if (existing && !existing.isExpired() && !inProgressExpired) throw new IdempotencyItemAlreadyExistsError('exists', existing);
    this.writes++;
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.writes++;
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

const ARN = 'arn:aws:sqs:us-east-1:000000000000:status-callbacks';
const context = { getRemainingTimeInMillis: () => 30_000, functionName: 'queues-status', awsRequestId: 'req-1' } as unknown as Context;
const tenant = { accountSid: 'AC' + 'a'.repeat(32), partnerId: 'ptn_1', customerId: 'cus_1' };
const HANDSET = '+14155550123';

/** A queued status callback (header line + form body), as the receiver writes it. */
function body(sid: string, status: string, token?: string): string {
  const header = { kind: 'status', ...tenant, receivedAt: 1_767_225_600_000, ...(token ? { idempotencyToken: token } : {}) };
  return `${JSON.stringify(header)}\n${new URLSearchParams({ AccountSid: tenant.accountSid, MessageSid: sid, MessageStatus: status, To: HANDSET, Body: 'secret body text' })}`;
}

function record(messageId: string, messageBody: string, receiveCount = 1, arn = ARN): SQSRecord {
  return {
    messageId, receiptHandle: `rh-${messageId}`, body: messageBody,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: arn, awsRegion: 'us-east-1',
  };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const sidOf = (envelope: WebhookEnvelope) => ('params' in envelope ? envelope.params.find(([n]) => n === 'MessageSid')?.[1] : undefined) ?? '';

/** Work keyed like the status consumer: the token, else MessageSid + status. */
function toWork(envelope: WebhookEnvelope) {
  const status = 'params' in envelope ? envelope.params.find(([n]) => n === 'MessageStatus')?.[1] : undefined;
  return [{ key: envelope.idempotencyToken ?? `${sidOf(envelope)}:${status}`, work: envelope }];
}

function logCapture() {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  // Powertools' signature: a message, then optional extra inputs (here: the fields object).
  const at = (level: string) => (message: unknown, ...extra: unknown[]) => void lines.push({ level, message: String(message), fields: (extra[0] as Record<string, unknown> | undefined) ?? {} });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe.each(['idempotency-store', 'by-apply'] as const)('webhook consumer, dedupe %s', (dedupe) => {
  function consumer(apply: (envelope: WebhookEnvelope) => Promise<unknown>) {
    const store = new MemoryStore();
    const { lines, logger } = logCapture();
    const handler = dedupe === 'by-apply'
      ? createWebhookConsumer({ name: 'status-callbacks', dedupe, toWork, apply, logger })
      : createWebhookConsumer({ name: 'status-callbacks', dedupe, persistenceStore: store, toWork, apply, logger });
    return { handler, store, lines };
  }

  it('processes every record of a batch and reports no failure', async () => {
    const applied: string[] = [];
    const { handler, store } = consumer(async (envelope) => void applied.push(sidOf(envelope)));
    const response = await handler(batch(record('m1', body('SM1', 'sent')), record('m2', body('SM2', 'sent')), record('m3', body('SM3', 'delivered'))), context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(applied).toEqual(['SM1', 'SM2', 'SM3']);
    // Two writes per unit of work with the store (in progress, completed), none by apply.
    expect(store.writes).toBe(dedupe === 'idempotency-store' ? 6 : 0);
  });

  it('reports a failing record alone in batchItemFailures, and logs it with queue, id, receive count and reason', async () => {
    const { handler, lines } = consumer(async (envelope) => {
      if (sidOf(envelope) === 'SM-bad') throw Object.assign(new Error(`Store refused the write for ${HANDSET}`), { name: 'ValidationException' });
    });
    const response = await handler(batch(record('ok-1', body('SM-a', 'sent')), record('bad', body('SM-bad', 'sent'), 2), record('ok-2', body('SM-b', 'sent')), record('poison', 'not an envelope')), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }, { itemIdentifier: 'poison' }]);
    expect(lines.filter((l) => l.level !== 'info')).toEqual([
      {
        level: 'warn', message: 'Record failed and will be retried after the visibility timeout',
        fields: { consumer: 'status-callbacks', queue: 'status-callbacks', messageId: 'bad', receiveCount: 2, maxReceiveCount: 5, willBeDeadLettered: false, reason: 'ValidationException: Store refused the write for +[number]' },
      },
      {
        level: 'warn', message: 'Record failed and will be retried after the visibility timeout',
        fields: expect.objectContaining({ queue: 'status-callbacks', messageId: 'poison', receiveCount: 1, reason: 'MalformedEnvelopeError: The message header is not JSON' }),
      },
    ]);
  });

  it('says "will be dead-lettered" on the last receive the queue allows', async () => {
    const { handler, lines } = consumer(async () => {
      throw new Error('still broken');
    });
    await handler(batch(record('m-last', body('SM-x', 'sent'), 5)), context);
    expect(lines).toEqual([
      {
        level: 'error', message: 'Record failed on its last receive and will be dead-lettered to status-callbacks-dlq',
        fields: { consumer: 'status-callbacks', queue: 'status-callbacks', messageId: 'm-last', receiveCount: 5, maxReceiveCount: 5, willBeDeadLettered: true, reason: 'Error: still broken' },
      },
    ]);
  });

  it('never logs the body or the handset', async () => {
    const { handler, lines } = consumer(async () => {
      throw new Error(`could not store message from ${HANDSET} to whatsapp:+447700900123 (ada@example.com)`);
    });
    await handler(batch(record('m1', body('SM-y', 'sent'), 5)), context);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('secret body text');
    expect(text).not.toContain(HANDSET);
    expect(text).not.toContain('447700900123');
    expect(text).not.toContain('ada@example.com');
    expect(text).toContain('m1');
  });
});

describe('dedupe by the idempotency store', () => {
  const apply = jest.fn(async () => undefined);
  beforeEach(() => apply.mockClear());

  it('applies a duplicate (same Twilio identity, another SQS message) once', async () => {
    const handler = createWebhookConsumer({ name: 'status-callbacks', persistenceStore: new MemoryStore(), toWork, apply, logger: logCapture().logger });
    await handler(batch(record('m1', body('SM1', 'sent', 'tok-1')), record('m2', body('SM1', 'sent', 'tok-1'))), context);
    await handler(batch(record('m3', body('SM1', 'sent', 'tok-1'))), context);
    expect(apply).toHaveBeenCalledTimes(1);
  });

  function storeHoldingInProgress(key: string): MemoryStore {
    const store = new MemoryStore();
    // Powertools' key: `<prefix>#<base64 md5 of the JSON of the key>`.
    const hashed = `status-callbacks#${createHash('md5').update(JSON.stringify(key)).digest('base64')}`;
    store.records.set(hashed, new IdempotencyRecord({ idempotencyKey: hashed, status: IdempotencyRecordStatus.INPROGRESS, expiryTimestamp: Date.now() / 1000 + 3600, inProgressExpiryTimestamp: Date.now() + 60_000 }));
    return store;
  }

  it('acknowledges a first delivery whose work another invocation holds in progress, without applying it', async () => {
    const store = storeHoldingInProgress('tok-busy');
    const { lines, logger } = logCapture();
    const handler = createWebhookConsumer({ name: 'status-callbacks', persistenceStore: store, toWork, apply, logger });
    const response = await handler(batch(record('dup', body('SM9', 'sent', 'tok-busy'), 1)), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(apply).not.toHaveBeenCalled();
    expect(lines).toEqual([{ level: 'info', message: expect.stringContaining('in progress in another invocation'), fields: { consumer: 'status-callbacks', messageId: 'dup' } }]);
  });

  it('fails a redelivery that finds an in-progress record (its own crashed attempt may hold it) with the reason', async () => {
    const store = storeHoldingInProgress('tok-mine');
    const { lines, logger } = logCapture();
    const handler = createWebhookConsumer({ name: 'status-callbacks', persistenceStore: store, toWork, apply, logger });
    const response = await handler(batch(record('again', body('SM9', 'sent', 'tok-mine'), 2)), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'again' }]);
    expect(lines[0]!.fields).toMatchObject({ messageId: 'again', receiveCount: 2, reason: expect.stringMatching(/^IdempotencyAlreadyInProgressError: /) });
  });
});

describe('concurrent invocations of one handler (the local platform runs several batches at once)', () => {
  it('keep their records and failures apart', async () => {
    const handler = createWebhookConsumer({
      name: 'status-callbacks', dedupe: 'by-apply', toWork, logger: logCapture().logger,
      apply: async (envelope) => {
        // Interleave the two batches record by record.
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (sidOf(envelope).endsWith('bad')) throw new Error('bad record');
      },
    });
    const [a, b] = await Promise.all([
      handler(batch(record('a1', body('SM-a1', 'sent')), record('a2', body('SM-a2-bad', 'sent')), record('a3', body('SM-a3', 'sent'))), context),
      handler(batch(record('b1', body('SM-b1', 'sent')), record('b2', body('SM-b2', 'sent')), record('b3', body('SM-b3-bad', 'sent'))), context),
    ]);
    expect(a.batchItemFailures).toEqual([{ itemIdentifier: 'a2' }]);
    expect(b.batchItemFailures).toEqual([{ itemIdentifier: 'b3' }]);
  });
});

describe('dedupe by apply', () => {
  it('runs apply for every delivery and writes no idempotency record', async () => {
    const apply = jest.fn(async () => undefined);
    const handler = createWebhookConsumer({ name: 'status-callbacks', dedupe: 'by-apply', toWork, apply, logger: logCapture().logger });
    await handler(batch(record('m1', body('SM1', 'sent', 'tok-1')), record('m2', body('SM1', 'sent', 'tok-1'))), context);
    // The duplicate reaches apply, whose own condition makes it a no-op.
    expect(apply).toHaveBeenCalledTimes(2);
  });
});

describe('failure reports', () => {
  const TRANSPORT = Symbol.for('switchboard.local-queue-transport');
  const registry = globalThis as Record<symbol, unknown>;
  afterEach(() => delete registry[TRANSPORT]);

  it('reach the local queue when a local platform runs in the process', async () => {
    const recordFailure = jest.fn();
    registry[TRANSPORT] = { send: async () => undefined, recordFailure };
    const handler = createWebhookConsumer({ name: 'status-callbacks', dedupe: 'by-apply', toWork, apply: async () => Promise.reject(new TypeError('boom')), logger: logCapture().logger });
    await handler(batch(record('m1', body('SM1', 'sent'))), context);
    expect(recordFailure).toHaveBeenCalledWith(ARN, 'm1', 'TypeError: boom');
  });

  it('name the queue from the option when the ARN is a deployed (generated) name', async () => {
    const { lines, logger } = logCapture();
    const handler = createWebhookConsumer({ name: 'inbound', queue: 'inbound-messages', dedupe: 'by-apply', toWork, apply: async () => Promise.reject(new Error('x')), logger });
    await handler(batch(record('m1', body('SM1', 'sent'), 5, 'arn:aws:sqs:us-east-1:123456789012:switchboard-prod-stateful-WorkQueuesInboundMessagesQueueA1B2-xyz')), context);
    expect(lines[0]).toMatchObject({ level: 'error', fields: { queue: 'inbound-messages', maxReceiveCount: 5, willBeDeadLettered: true } });
  });

  it('fall back to the ARN name without claiming a receive limit when the queue is unknown', async () => {
    const { lines, logger } = logCapture();
    const handler = createWebhookConsumer({ name: 'custom', dedupe: 'by-apply', toWork, apply: async () => Promise.reject(new Error('x')), logger });
    await handler(batch(record('m1', body('SM1', 'sent'), 9, 'arn:aws:sqs:us-east-1:123456789012:generated-name')), context);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { queue: 'generated-name', receiveCount: 9, willBeDeadLettered: false } });
    expect(lines[0]!.fields).not.toHaveProperty('maxReceiveCount');
  });

  it('bound and mask the reason', () => {
    expect(failureReason(new RangeError('x'.repeat(1000)))).toHaveLength(300);
    expect(failureReason('plain')).toBe('Non-error thrown: plain');
    expect(failureReason(new Error('SID SM0123456789abcdef0123456789abcdef for +14155550123'))).toBe('Error: SID SM0123456789abcdef0123456789abcdef for +[number]');
  });
});

describe('failure log lines through the shared Powertools logger', () => {
  it('are JSON lines with the queue, message id, receive count and reason', async () => {
    const written: string[] = [];
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    const capture = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const handler = createWebhookConsumer({ name: 'status-callbacks', dedupe: 'by-apply', toWork, apply: async () => Promise.reject(new Error('kaput')) });
      await handler(batch(record('m-json', body('SM1', 'sent'), 5)), context);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const entries = written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(expect.objectContaining({
      level: 'ERROR', message: expect.stringContaining('will be dead-lettered'), queue: 'status-callbacks', messageId: 'm-json', receiveCount: 5, reason: 'Error: kaput',
    }));
    expect(written.join('')).not.toContain('secret body text');
  });
});
