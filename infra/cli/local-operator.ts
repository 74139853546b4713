import type { QueuePort } from '../../shared/queue';
import type { QueueName } from '../../shared/queue/queues';
import type { WorkflowPort } from '../../shared/workflow/port';
import type { DeadLetterPeek, DeadLetterPort, DeadLetterQueueView, DeadLetterView } from './dead-letters';
import { TargetError, UsageError } from './errors';

/** The running local platform's operator endpoint, as `.local/platform.json` names it. */
export interface OperatorAccess {
  url: string;
  token: string;
}

/** An error the platform answered, with its name (QueueDoesNotExist, ExecutionAlreadyExists, …) kept. */
class OperatorError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Fetch = typeof fetch;

/** JSON over the loopback operator endpoint of `npm start` (infra/local/operator.ts). */
export function operatorClient({ url, token }: OperatorAccess, fetchImpl: Fetch = fetch) {
  return async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetchImpl(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new TargetError(`The local platform does not answer at ${url}: is \`npm start\` still running? (.local/platform.json may be left from one that was killed)`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TargetError(`The local platform's operator endpoint answered ${response.status} with something other than JSON`);
    }
    if (response.status === 401) throw new TargetError('The local platform refused the operator token: restart `npm start` to write a fresh .local/platform.json');
    if (!response.ok) {
      const { error = 'failed', detail = text } = parsed as { error?: string; detail?: string };
      throw new OperatorError(error, detail);
    }
    return parsed as T;
  };
}

type LocalLetter = { messageId: string; body: string; messageAttributes: Record<string, unknown>; receiveCount: number; sentAt: number; lastFailure?: string };

function letter(message: LocalLetter): DeadLetterView {
  return {
    messageId: message.messageId,
    body: message.body,
    attributes: { SentTimestamp: String(message.sentAt), ApproximateReceiveCount: String(message.receiveCount) },
    messageAttributes: message.messageAttributes,
    receiveCount: message.receiveCount,
    lastFailure: message.lastFailure ?? null,
  };
}

export function localDeadLetters(access: OperatorAccess, fetchImpl?: Fetch): DeadLetterPort {
  const request = operatorClient(access, fetchImpl);
  const path = (queue: QueueName) => `/dead-letters/${encodeURIComponent(queue)}`;
  return {
    list: () => request<DeadLetterQueueView[]>('GET', '/dead-letters'),
    async peek(queue, max) {
      const { messages, ...summary } = await request<DeadLetterQueueView & { messages: LocalLetter[] }>('GET', `${path(queue)}?max=${max}`);
      return { ...summary, messages: messages.map(letter) } satisfies DeadLetterPeek;
    },
    async redrive(queue) {
      // Locally the move is one step: the messages are back in the queue when this answers.
      const { moved } = await request<{ moved: number }>('POST', `${path(queue)}/redrive`);
      return { queue, deadLetterQueue: `${queue}-dlq`, status: 'COMPLETED', moved };
    },
    async redriveStatus() {
      throw new UsageError('The local platform redrives at once (dlq redrive answers with what it moved); redrive-status follows SQS move tasks of a deployed stack (--stack)');
    },
  };
}

/** Sends to the local platform's queues, where its consumers take them. */
export function localQueue(access: OperatorAccess, fetchImpl?: Fetch): QueuePort {
  const request = operatorClient(access, fetchImpl);
  const port: QueuePort = {
    async send(queue, body, attributes = {}, options = {}) {
      await request('POST', `/queues/${encodeURIComponent(queue)}/messages`, { body, attributes, ...options });
    },
    async sendBatch(queue, entries) {
      for (const { body, attributes, ...options } of entries) await port.send(queue, body, attributes, options);
    },
  };
  return port;
}

/** Starts executions on the local platform's workflow runner. */
export function localWorkflow(access: OperatorAccess, fetchImpl?: Fetch): Pick<WorkflowPort, 'start'> {
  const request = operatorClient(access, fetchImpl);
  return {
    start: (name, input) => request('POST', '/workflow/executions', { name, input }),
  };
}
