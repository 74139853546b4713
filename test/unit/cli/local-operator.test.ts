import { TargetError } from '../../../infra/cli/errors';
import { localDeadLetters, localQueue, localWorkflow } from '../../../infra/cli/local-operator';

const ACCESS = { url: 'http://127.0.0.1:48200', token: 'a-random-operator-token' };

/** A fetch that answers `status` with `body` and records each request. */
function answering(status: number, body: unknown) {
  const requests: Array<{ url: string; method?: string; headers: Record<string, string>; body?: string }> = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    requests.push({ url, method: init.method, headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as unknown as typeof fetch;
  return { fetchImpl, requests };
}

describe('the local operator client', () => {
  it('sends the token and the queue message, naming the queue in the path', async () => {
    const { fetchImpl, requests } = answering(200, { messageId: 'm1' });

    await localQueue(ACCESS, fetchImpl).send('partner-replays', '{"a":1}', undefined, { delaySeconds: 1, groupId: 'we_1' });

    expect(requests).toEqual([
      {
        url: 'http://127.0.0.1:48200/queues/partner-replays/messages',
        method: 'POST',
        headers: { authorization: 'Bearer a-random-operator-token', 'content-type': 'application/json' },
        body: JSON.stringify({ body: '{"a":1}', attributes: {}, delaySeconds: 1, groupId: 'we_1' }),
      },
    ]);
  });

  it('starts executions and returns what the runner answered', async () => {
    const { fetchImpl, requests } = answering(200, { executionArn: 'arn:x', alreadyStarted: false });

    await expect(localWorkflow(ACCESS, fetchImpl).start('cus_1-a2', { input: 1 })).resolves.toEqual({ executionArn: 'arn:x', alreadyStarted: false });
    expect(JSON.parse(requests[0]!.body!)).toEqual({ name: 'cus_1-a2', input: { input: 1 } });
  });

  it('keeps the name of an error the platform answered', async () => {
    const { fetchImpl } = answering(500, { error: 'ExecutionAlreadyExists', detail: 'Execution Already Exists' });

    await expect(localWorkflow(ACCESS, fetchImpl).start('x', {})).rejects.toMatchObject({ name: 'ExecutionAlreadyExists', message: 'Execution Already Exists' });
  });

  it('says to restart the platform when the token is refused, and when nothing answers', async () => {
    await expect(localDeadLetters(ACCESS, answering(401, { error: 'unauthorized' }).fetchImpl).list()).rejects.toEqual(
      new TargetError('The local platform refused the operator token: restart `npm start` to write a fresh .local/platform.json'),
    );
    const down = (async () => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch;
    await expect(localDeadLetters(ACCESS, down).list()).rejects.toThrow('The local platform does not answer at http://127.0.0.1:48200');
  });

  it('maps a local peek to the shape of a deployed one', async () => {
    const { fetchImpl, requests } = answering(200, {
      queue: 'status-callbacks', deadLetterQueue: 'status-callbacks-dlq', depth: 1, oldestMessageAgeSeconds: 12, redrivesTo: 'status-callbacks',
      messages: [{ messageId: 'm1', body: 'b', messageAttributes: {}, receiveCount: 5, visible: true, sentAt: 1735787045000, lastFailure: 'Boom: no' }],
    });

    const peek = await localDeadLetters(ACCESS, fetchImpl).peek('status-callbacks', 3);

    expect(requests[0]!.url).toBe('http://127.0.0.1:48200/dead-letters/status-callbacks?max=3');
    expect(peek.messages).toEqual([
      { messageId: 'm1', body: 'b', attributes: { SentTimestamp: '1735787045000', ApproximateReceiveCount: '5' }, messageAttributes: {}, receiveCount: 5, lastFailure: 'Boom: no' },
    ]);
  });
});
