import { manualClock } from '../../infra/local/clock';
import { silentLog, type LocalLog } from '../../infra/local/log';
import type { Platform } from '../../infra/local/platform';
import { startTestPlatform } from '../support/local-platform';

/**
 * A poison webhook message on the local platform, end to end: the real status consumer fails it on
 * every receive and logs why (Powertools, JSON), the local queue learns the reason from it and,
 * after maxReceiveCount receives, logs the move to the DLQ with the queue, id, count and reason.
 */
let platform: Platform;
const queueWarnings: string[] = [];
const log: LocalLog = { ...silentLog, warn: (message) => void queueWarnings.push(message) };

beforeAll(async () => {
  platform = await startTestPlatform('webhooks-dead-letters', { clock: manualClock(), log });
});
afterAll(() => platform?.stop());

/** The JSON lines Powertools writes while `run` runs (warnings and errors go to stderr). */
async function powertoolsLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const capture = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('every receive of a poison record is logged with its reason, and its move to the DLQ names queue, id, count and reason', async () => {
  // Personal data in the body, which must appear in no log line.
  const poison = 'Body=Call+me+at+%2B14155550123&From=%2B14155550123';
  const { messageId } = await platform.queues.send('status-callbacks', poison);

  const lines = await powertoolsLines(() => platform.queues.drain());

  const mine = lines.filter((l) => l.messageId === messageId);
  expect(mine.map((l) => [l.level, l.receiveCount, l.willBeDeadLettered])).toEqual([
    ['WARN', 1, false], ['WARN', 2, false], ['WARN', 3, false], ['WARN', 4, false], ['ERROR', 5, true],
  ]);
  for (const line of mine) {
    expect(line).toMatchObject({ queue: 'status-callbacks', maxReceiveCount: 5, reason: 'MalformedEnvelopeError: The message header is not JSON' });
  }
  expect(mine.at(-1)!.message).toContain('will be dead-lettered');

  expect(queueWarnings).toEqual([
    `Dead-lettered: queue=status-callbacks messageId=${messageId} receiveCount=5 → status-callbacks-dlq; last failure: MalformedEnvelopeError: The message header is not JSON`,
  ]);
  expect(platform.queues.deadLetters('status-callbacks')).toEqual([expect.objectContaining({ messageId, lastFailure: 'MalformedEnvelopeError: The message header is not JSON' })]);

  const everything = JSON.stringify(lines) + queueWarnings.join('\n');
  expect(everything).not.toContain('4155550123');
  expect(everything).not.toContain('Call+me');
});
