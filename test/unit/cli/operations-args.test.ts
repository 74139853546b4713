import { HELP, isOperation, parseInvocation, synopsis } from '../../../infra/cli/args';
import { UsageError } from '../../../infra/cli/errors';
import { PARTNER_ID } from './fakes';

const CUSTOMER_ID = 'cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8G';
const ENDPOINT_ID = 'we_01HV5Y7S8N0Q3Z6W9B2C4D6F8G';

function usageErrorOf(line: string): UsageError {
  try {
    parseInvocation(line.split(' '));
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for: ${line}`);
}

describe('parseInvocation: dlq, onboarding and events', () => {
  it.each([
    ['dlq list', { name: 'dlq list' }],
    ['dlq peek --queue inbound-messages', { name: 'dlq peek', queue: 'inbound-messages', max: 10 }],
    ['dlq peek --queue partner-replays-dlq --max 100', { name: 'dlq peek', queue: 'partner-replays', max: 100 }],
    ['dlq redrive --queue status-callbacks', { name: 'dlq redrive', queue: 'status-callbacks' }],
    ['dlq redrive --queue status-callbacks --max-per-second 500', { name: 'dlq redrive', queue: 'status-callbacks', maxPerSecond: 500 }],
    ['dlq redrive-status --queue twilio-events-dlq', { name: 'dlq redrive-status', queue: 'twilio-events' }],
    [`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, { name: 'onboarding retry', partnerId: PARTNER_ID, customerId: CUSTOMER_ID }],
    [`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID}`, { name: 'events replay', partnerId: PARTNER_ID, endpointId: ENDPOINT_ID }],
    [
      `events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --since 2025-01-02T04:04:05+01:00`,
      { name: 'events replay', partnerId: PARTNER_ID, endpointId: ENDPOINT_ID, since: '2025-01-02T03:04:05.000Z' },
    ],
    [`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --after djEuMTY~abc`, { name: 'events replay', partnerId: PARTNER_ID, endpointId: ENDPOINT_ID, after: 'djEuMTY~abc' }],
  ])('parses %s', (line, command) => {
    const invocation = parseInvocation(line.split(' '));

    expect(invocation).toEqual({ kind: 'run', command, target: {} });
    expect(invocation.kind === 'run' && isOperation(invocation.command)).toBe(true);
  });

  it('takes --stack and --region as the target, and reads --endpoint of events replay as the webhook endpoint', () => {
    const invocation = parseInvocation(`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --stack Switchboard-prod-Platform --region eu-west-1`.split(' '));

    expect(invocation).toEqual({
      kind: 'run',
      command: { name: 'events replay', partnerId: PARTNER_ID, endpointId: ENDPOINT_ID },
      target: { stack: 'Switchboard-prod-Platform', region: 'eu-west-1' },
    });
  });

  it.each([
    ['dlq peek', 'Missing required option --queue for "dlq peek"'],
    ['dlq peek --queue inbound', '--queue must be one of inbound-messages, status-callbacks, twilio-events, partner-deliveries, partner-deliveries-retry, partner-replays (got "inbound")'],
    ['dlq peek --queue inbound-messages --max 0', '--max must be a whole number from 1 to 100 (got "0")'],
    ['dlq peek --queue inbound-messages --max 101', '--max must be a whole number from 1 to 100 (got "101")'],
    ['dlq redrive --queue inbound-messages --max-per-second 501', '--max-per-second must be a whole number from 1 to 500 (got "501")'],
    ['dlq redrive --queue inbound-messages --max 5', 'Option --max does not apply to "dlq redrive"'],
    ['dlq list --table switchboard', '--table does not apply to "dlq list": it needs the running local platform or --stack <name>'],
    ['dlq list --usage-plan up1', '--usage-plan does not apply to "dlq list": it needs the running local platform or --stack <name>'],
    ['dlq list --endpoint http://127.0.0.1:8000', '--endpoint does not apply to "dlq list": it needs the running local platform or --stack <name>'],
    [`onboarding retry --partner ${PARTNER_ID}`, 'Missing required option --customer for "onboarding retry"'],
    [`onboarding retry --partner ${PARTNER_ID} --customer ${PARTNER_ID}`, `--customer must be an id like cus_01H… (got "${PARTNER_ID}")`],
    [`events replay --partner ${PARTNER_ID} --endpoint http://127.0.0.1:8000`, '--endpoint must be an id like we_01H… (got "http://127.0.0.1:8000")'],
    [`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --since 2025-01-02`, '--since must be an ISO 8601 time with a zone, e.g. 2025-01-02T03:04:05Z (got "2025-01-02")'],
    [`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --since 2025-01-02T03:04:05`, '--since must be an ISO 8601 time with a zone, e.g. 2025-01-02T03:04:05Z (got "2025-01-02T03:04:05")'],
    [`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --since 2025-13-02T03:04:05Z`, '--since must be an ISO 8601 time with a zone, e.g. 2025-01-02T03:04:05Z (got "2025-13-02T03:04:05Z")'],
    [`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --since 2025-01-02T03:04:05Z --after abc`, '--since and --after both say where to start; give one'],
    [`partners get --id ${PARTNER_ID} --queue inbound-messages`, 'Option --queue does not apply to "partners get"'],
  ])('refuses %s', (line, detail) => {
    expect(usageErrorOf(line).message).toBe(detail);
  });

  it('gives the operations commands their own target synopsis', () => {
    expect(synopsis('dlq peek')).toBe('switchboard dlq peek --queue <name> [--max <n>] [--stack <name>] [--region <region>]');
    expect(usageErrorOf('dlq peek').usage).toBe(synopsis('dlq peek'));
  });

  it('lists every new command and the queue names in --help', () => {
    for (const line of ['dlq list', 'dlq peek --queue <name>', 'dlq redrive --queue <name>', 'dlq redrive-status --queue <name>', 'onboarding retry --partner', 'events replay --partner']) {
      expect(HELP).toContain(line);
    }
    expect(HELP).toContain('Queue names: inbound-messages, status-callbacks');
  });
});
