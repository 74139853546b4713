import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from './clock';
import { readBody } from './http/body';
import type { MessageAttributeInput, LocalQueues } from './queues';
import type { LocalWorkflowRunner } from './workflow';

/**
 * The operator CLI's way into a running local platform. Its queues and its workflow runner live
 * in the `npm start` process, so `switchboard dlq …`, `onboarding retry` and `events replay` reach
 * them here: a separate server on 127.0.0.1 only (never the partner API's port), every request
 * carrying the random token the platform writes into `.local/platform.json` (mode 0600). It
 * offers the few things the CLI cannot do against the table itself: read and redrive dead
 * letters, send a message to a queue, start a workflow execution.
 */
export interface OperatorEndpoint {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export interface OperatorEndpointOptions {
  queues: LocalQueues;
  workflow: Pick<LocalWorkflowRunner, 'startExecution'>;
  clock: Clock;
  /** Default 0: a free port. */
  port?: number;
}

/** What `dlq list` shows of one dead-letter queue. */
export interface DeadLetterQueueSummary {
  queue: string;
  deadLetterQueue: string;
  depth: number;
  /** Since the oldest dead letter was first sent; null when the DLQ is empty. */
  oldestMessageAgeSeconds: number | null;
  redrivesTo: string;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

class OperatorRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startOperatorEndpoint({ queues, workflow, clock, port = 0 }: OperatorEndpointOptions): Promise<OperatorEndpoint> {
  const token = randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  const queueNames = Object.keys(queues.urls());

  function authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  function sourceQueue(name: string): string {
    if (!queueNames.includes(name)) throw new OperatorRequestError(404, 'not-found', `No queue "${name}"; the queues are ${queueNames.join(', ')}`);
    return name;
  }

  function summary(queue: string): DeadLetterQueueSummary {
    const letters = queues.deadLetters(queue);
    const oldest = letters.reduce<number | undefined>((min, m) => (min === undefined || m.sentAt < min ? m.sentAt : min), undefined);
    return {
      queue,
      deadLetterQueue: `${queue}-dlq`,
      depth: letters.length,
      oldestMessageAgeSeconds: oldest === undefined ? null : Math.max(0, Math.floor((clock.now() - oldest) / 1000)),
      redrivesTo: queue,
    };
  }

  async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const read = await readBody(req, MAX_BODY_BYTES);
    if (!read.ok) throw new OperatorRequestError(400, 'bad-request', `The request body was ${read.reason}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(read.body.toString('utf8'));
    } catch {
      throw new OperatorRequestError(400, 'bad-request', 'The request body is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OperatorRequestError(400, 'bad-request', 'The request body must be a JSON object');
    return parsed as Record<string, unknown>;
  }

  async function route(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://operator');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';

    if (method === 'GET' && parts.join('/') === 'dead-letters') return { status: 200, body: queueNames.map(summary) };
    if (method === 'GET' && parts[0] === 'dead-letters' && parts.length === 2) {
      const queue = sourceQueue(parts[1]!);
      const max = Number(url.searchParams.get('max') ?? '10');
      if (!Number.isInteger(max) || max < 1) throw new OperatorRequestError(400, 'bad-request', 'max must be a positive whole number');
      // A read of the DLQ's contents: nothing is received, so nothing changes.
      return { status: 200, body: { ...summary(queue), messages: queues.deadLetters(queue).slice(0, max) } };
    }
    if (method === 'POST' && parts[0] === 'dead-letters' && parts[2] === 'redrive' && parts.length === 3) {
      const queue = sourceQueue(parts[1]!);
      return { status: 200, body: { queue, moved: queues.redrive(queue) } };
    }
    if (method === 'POST' && parts[0] === 'queues' && parts[2] === 'messages' && parts.length === 3) {
      const queue = sourceQueue(parts[1]!);
      const { body, attributes, delaySeconds, groupId } = await jsonBody(req);
      if (typeof body !== 'string') throw new OperatorRequestError(400, 'bad-request', 'body must be a string');
      const sent = await queues.send(queue, body, (attributes ?? {}) as Record<string, MessageAttributeInput>, {
        ...(typeof delaySeconds === 'number' ? { delaySeconds } : {}),
        ...(typeof groupId === 'string' ? { groupId } : {}),
      });
      return { status: 200, body: sent };
    }
    if (method === 'POST' && parts.join('/') === 'workflow/executions') {
      const { name, input } = await jsonBody(req);
      if (typeof name !== 'string' || name === '') throw new OperatorRequestError(400, 'bad-request', 'name must be a non-empty string');
      return { status: 200, body: await workflow.startExecution(name, input) };
    }
    throw new OperatorRequestError(404, 'not-found', `No operator route ${method} ${url.pathname}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let status: number;
    let body: unknown;
    if (!authorized(req)) {
      req.resume();
      [status, body] = [401, { error: 'unauthorized', detail: 'The operator token of .local/platform.json is required' }];
    } else {
      try {
        ({ status, body } = await route(req));
      } catch (error) {
        // Queue and workflow errors keep their names (QueueDoesNotExist, InvalidMessageContents, …), as the AWS APIs report them.
        [status, body] =
          error instanceof OperatorRequestError
            ? [error.status, { error: error.error, detail: error.message }]
            : [500, { error: (error as Error).name ?? 'Error', detail: (error as Error).message ?? String(error) }];
      }
    }
    res.writeHead(status, JSON_TYPE).end(JSON.stringify(body));
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: the operator endpoint is for the machine the platform runs on.
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
