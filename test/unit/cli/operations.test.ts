import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { runCli } from '../../../infra/cli/cli';
import type { DeadLetterPort } from '../../../infra/cli/dead-letters';
import { cursorBefore, type Operations } from '../../../infra/cli/operations';
import type { Customer } from '../../../shared/domain/customer';
import { NotFoundError, OnboardingPreflightError, ValidationError } from '../../../shared/domain/errors';
import type { OnboardingRunRepository } from '../../../shared/store/onboarding-runs';
import { onboardingRunService } from '../../../shared/workflow/onboarding-runs';
import { createSfnWorkflow } from '../../../shared/workflow/sfn-workflow';
import type { OnboardingRun, OnboardingTimeline } from '../../../shared/workflow/timeline';
import { validCustomer } from '../../support/fixtures';
import { NOW, PARTNER_ID, noOperations, recordingOutput } from './fakes';

const CUSTOMER_ID = 'cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8G';
const ENDPOINT_ID = 'we_01HV5Y7S8N0Q3Z6W9B2C4D6F8G';
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:sb-prod-onboarding';

const timeline = (status: OnboardingTimeline['status'], attempt = 1): OnboardingTimeline => ({
  customerId: CUSTOMER_ID,
  attempt,
  status,
  executionName: `${CUSTOMER_ID}-a${attempt}`,
  startedAt: NOW,
  updatedAt: NOW,
  options: { brandType: 'STANDARD', mock: true },
  steps: [
    { step: 'subaccount', status: 'succeeded', sids: {} },
    { step: 'customerProfile', status: status === 'failed' ? 'failed' : 'succeeded', sids: {} },
  ] as OnboardingTimeline['steps'],
});

const noDeadLetters: DeadLetterPort = {
  list: async () => [],
  peek: async () => Promise.reject(new Error('not used')),
  redrive: async () => Promise.reject(new Error('not used')),
  redriveStatus: async () => Promise.reject(new Error('not used')),
};

/** Operations over fakes; `calls` records what reached them. */
function fakeOperations(overrides: Partial<Operations> = {}) {
  const calls: string[] = [];
  const operations: Operations = {
    deadLetters: noDeadLetters,
    onboarding: {
      get: async () => timeline('failed'),
      start: async (partnerId, customerId, given) => {
        calls.push(`start ${partnerId} ${customerId} ${JSON.stringify(given)}`);
        return { timeline: timeline('running', 2), started: true };
      },
    },
    webhookEndpoints: {
      replay: async (partnerId, endpointId, after) => {
        calls.push(`replay ${partnerId} ${endpointId} ${after}`);
        return { replayId: 'rpl_1', after, until: 'head' };
      },
    },
    events: { list: async () => ({ data: [], nextCursor: null, pollCursor: 'end' }), startCursor: () => 'start' },
    ...overrides,
  };
  return { operations, calls };
}

async function run(line: string, operations: Operations) {
  const output = recordingOutput();
  const exitCode = await runCli(line.split(' '), { out: output.out, connect: noOperations, connectOperations: async () => operations });
  return { exitCode, result: output.results[0], error: output.errors[0] };
}

describe('onboarding retry', () => {
  it('restarts a failed onboarding through the start with no new options, and says where it resumed', async () => {
    const { operations, calls } = fakeOperations();

    const { exitCode, result } = await run(`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, operations);

    expect(exitCode).toBe(0);
    expect(calls).toEqual([`start ${PARTNER_ID} ${CUSTOMER_ID} {}`]);
    expect(result).toEqual({ retried: true, resumedFrom: 'customerProfile', previousAttempt: 1, onboarding: timeline('running', 2) });
  });

  it.each([
    ['running', 'is running (attempt 1); there is nothing to retry until it ends'],
    ['succeeded', 'has completed; there is nothing to retry'],
    ['closed', 'is closed; its onboarding does not resume'],
  ] as const)('refuses a %s onboarding with a conflict and exit code 1, starting nothing', async (status, detail) => {
    const { operations, calls } = fakeOperations({ onboarding: { get: async () => timeline(status), start: async () => Promise.reject(new Error('must not start')) } });

    const { exitCode, error } = await run(`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, operations);

    expect(exitCode).toBe(1);
    expect(error).toEqual({ error: 'conflict', detail: expect.stringContaining(detail) });
    expect(calls).toEqual([]);
  });

  it('says nothing was retried when another start won the race', async () => {
    const { operations } = fakeOperations({ onboarding: { get: async () => timeline('failed'), start: async () => ({ timeline: timeline('running', 2), started: false }) } });

    const { exitCode, error } = await run(`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, operations);

    expect(exitCode).toBe(1);
    expect(error).toEqual({ error: 'conflict', detail: expect.stringContaining('nothing was retried') });
  });

  it('lists the fields to fix when the start refuses the retry on its preflight', async () => {
    const findings = [{ field: 'customer.registration.number', message: 'is not an EIN' }];
    const { operations } = fakeOperations({
      onboarding: { get: async () => timeline('failed'), start: async () => Promise.reject(new OnboardingPreflightError('1 finding would make the onboarding fail; nothing was created', findings)) },
    });

    const { exitCode, error } = await run(`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, operations);

    expect(exitCode).toBe(1);
    expect(error).toEqual({ error: 'onboarding-preflight-failed', detail: '1 finding would make the onboarding fail; nothing was created', errors: findings });
  });

  it('reports an unknown (or foreign) customer as not-found', async () => {
    const { operations } = fakeOperations({ onboarding: { get: async () => Promise.reject(new NotFoundError(`Customer ${CUSTOMER_ID} not found`)), start: async () => Promise.reject(new Error('must not start')) } });

    expect(await run(`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, operations)).toMatchObject({ exitCode: 1, error: { error: 'not-found' } });
  });
});

describe('onboarding retry on a deployed stack', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());

  it("starts the next attempt's execution on the stack's state machine, at the failed step, with the options it had", async () => {
    // Prepare: attempt 1 failed at the brand after three steps succeeded.
    const options = JSON.parse(readFileSync(join(__dirname, '../../../docs/examples/onboarding-standard.json'), 'utf8'));
    const succeeded = { status: 'succeeded' as const, attempt: 1, startedAt: NOW, updatedAt: NOW, sids: {} };
    let stored: OnboardingRun = {
      partnerId: PARTNER_ID, customerId: CUSTOMER_ID, attempt: 1, executionName: `${CUSTOMER_ID}-a1`, status: 'failed', startAt: 'subaccount', options,
      startedAt: NOW, updatedAt: NOW, failedStep: 'brand',
      steps: { subaccount: succeeded, customerProfile: succeeded, trustProduct: succeeded, brand: { ...succeeded, status: 'failed' } },
    };
    const runs = {
      get: async () => stored,
      begin: async (run: OnboardingRun, previous: number) => (previous === stored.attempt ? ((stored = run), true) : false),
      setExecutionArn: async () => undefined,
    } as unknown as OnboardingRunRepository;
    const customer = { ...validCustomer(), id: CUSTOMER_ID, partnerId: PARTNER_ID, status: 'active', createdAt: NOW, updatedAt: NOW } as unknown as Customer;
    const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:sb-prod-onboarding:${CUSTOMER_ID}-a2`;
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date(0) });
    const onboarding = onboardingRunService({
      runs,
      workflow: createSfnWorkflow({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: STATE_MACHINE_ARN }),
      clock: { now: () => new Date(NOW) },
      customer: async () => customer,
    });
    const { operations } = fakeOperations({ onboarding });

    // Act
    const { exitCode, result, error } = await run(`onboarding retry --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`, operations);

    // Assess
    expect(error).toBeUndefined();
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ retried: true, resumedFrom: 'brand', onboarding: { attempt: 2, status: 'running', executionName: `${CUSTOMER_ID}-a2` } });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect({ stateMachineArn: sent.stateMachineArn, name: sent.name }).toEqual({ stateMachineArn: STATE_MACHINE_ARN, name: `${CUSTOMER_ID}-a2` });
    expect(JSON.parse(sent.input!)).toEqual({ input: { partnerId: PARTNER_ID, customerId: CUSTOMER_ID, attempt: 2 }, startAt: 'brand', result: null, failure: null });
  });
});

describe('events replay', () => {
  it('replays the whole log from its start cursor by default', async () => {
    const { operations, calls } = fakeOperations();

    const { exitCode, result } = await run(`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID}`, operations);

    expect(exitCode).toBe(0);
    expect(calls).toEqual([`replay ${PARTNER_ID} ${ENDPOINT_ID} start`]);
    expect(result).toEqual({ partnerId: PARTNER_ID, endpointId: ENDPOINT_ID, from: 'start', replay: { replayId: 'rpl_1', after: 'start', until: 'head' } });
  });

  it('passes --after on as the cursor and turns a refused cursor into a usage error', async () => {
    const refusing = fakeOperations({
      webhookEndpoints: { replay: async () => Promise.reject(new ValidationError('after is not a cursor of this event log', [{ field: 'body.after', message: 'x' }])) },
    });

    const { exitCode, error } = await run(`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --after abc`, refusing.operations);

    expect(exitCode).toBe(2);
    expect(error).toMatchObject({ error: 'usage', detail: expect.stringContaining('--after is not a cursor'), usage: expect.stringContaining('events replay --partner') });
  });

  it('answers with nothing to replay, exit code 0, when no event is as recent as --since', async () => {
    const { operations, calls } = fakeOperations();

    const { exitCode, result } = await run(`events replay --partner ${PARTNER_ID} --endpoint ${ENDPOINT_ID} --since 2025-01-02T03:04:05Z`, operations);

    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ replay: null, detail: expect.stringContaining('nothing to replay') });
    expect(calls).toEqual([]);
  });
});

describe('cursorBefore', () => {
  const minute = (m: number) => new Date(Date.UTC(2025, 0, 2, 3, m)).toISOString();
  /** A log of events at minutes 0..n-1 past 03:00; cursor `c<k>` sits after the first k events. */
  function log(n: number) {
    const events = Array.from({ length: n }, (_, i) => ({ id: `evt_0_${i + 1}`, type: 'customer.updated', occurredAt: minute(i) }));
    const reads: Array<[string, number]> = [];
    const service: Operations['events'] = {
      startCursor: () => 'c0',
      list: async (_partnerId, after, limit) => {
        reads.push([after!, limit]);
        const from = Number(after!.slice(1));
        const data = events.slice(from, from + limit) as never[];
        const to = from + data.length;
        return { data, nextCursor: to < n ? `c${to}` : null, pollCursor: `c${to}` };
      },
    };
    return { service, reads };
  }

  it('lands right before the first event at or after the time, reading a page then single events', async () => {
    const { service, reads } = log(250);

    await expect(cursorBefore(service, PARTNER_ID, '2025-01-02T03:42:30.000Z')).resolves.toBe('c43');
    expect(reads).toEqual([['c0', 100], ...Array.from({ length: 44 }, (_, k) => [`c${k}`, 1])]);
  });

  it('pages past the events before the time, then steps from the page that holds it', async () => {
    const { service, reads } = log(250);

    await expect(cursorBefore(service, PARTNER_ID, minute(130))).resolves.toBe('c130');
    expect(reads.filter(([, limit]) => limit === 100).map(([after]) => after)).toEqual(['c0', 'c100']);
    expect(reads.filter(([, limit]) => limit === 1)[0]).toEqual(['c100', 1]);
  });

  it('is the start of the log when the first event is recent enough, and undefined when none is', async () => {
    await expect(cursorBefore(log(3).service, PARTNER_ID, '2025-01-01T00:00:00.000Z')).resolves.toBe('c0');
    await expect(cursorBefore(log(3).service, PARTNER_ID, '2025-01-03T00:00:00.000Z')).resolves.toBeUndefined();
  });
});
