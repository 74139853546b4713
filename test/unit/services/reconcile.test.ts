import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { OnboardingOptionsSchema, STEP_STATUS_RANK, type OnboardingRecord, type StepState } from '../../../shared/domain/onboarding';
import { reconcileMetricsOf, reconciler, type ReconcileDeps, type ReconcileResult } from '../../../shared/services/reconcile';
import type { MessageRecord } from '../../../shared/store/messages';
import { RECONCILE_SHARDS, onboardingReconcileIndex, messageReconcileIndex } from '../../../shared/store/keys';
import { candidateOf, reconcileStore, type ReconcileCandidate } from '../../../shared/store/reconcile';
import { TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import type { BrandRegistration, Message } from '../../../shared/twilio/gateway';
import type { FormEnvelope } from '../../../shared/webhooks/envelope';
import { fixedClock } from '../../support/fakes';

/**
 * The sweep's selection (threshold, oldest first, bounded pages, claims) and its decisions, with
 * fakes for the store, Twilio and the repair paths; the store's Queries with aws-sdk-client-mock.
 */
const NOW = '2026-03-01T12:00:00.000Z';
const MINUTE = 60_000;
const ago = (minutes: number) => new Date(Date.parse(NOW) - minutes * MINUTE).toISOString();
const BRAND = 'BN' + 'a'.repeat(32);
const SM = 'SM' + 'b'.repeat(32);
const ACCOUNT = 'AC' + 'c'.repeat(32);

const waitingBrand = (since: string): StepState => ({
  status: 'waiting', run: 1, rank: STEP_STATUS_RANK.waiting, startedAt: since, updatedAt: since, waitingFor: `brand:${BRAND}`, waitingSince: since, sids: { brandSid: BRAND }, errors: [],
});
const record = (customerId: string, steps: OnboardingRecord['steps']): OnboardingRecord => ({
  partnerId: 'ptn_1', customerId, attempt: 1, options: OnboardingOptionsSchema.parse({}), steps, sids: { brandSid: BRAND }, createdAt: ago(60), updatedAt: ago(60),
});
const brand = (status: BrandRegistration['status']): BrandRegistration => ({
  sid: BRAND, status, identityStatus: 'VERIFIED', brandType: 'STANDARD', tcrId: null, brandScore: null, mock: true, skipAutomaticSecVet: false,
  customerProfileBundleSid: null, a2pProfileBundleSid: null, failureReason: null, errors: [],
});
const message = (overrides: Partial<MessageRecord> = {}): MessageRecord => ({
  partnerId: 'ptn_1', customerId: 'cus_1', messageId: 'msg_1', sid: SM, accountSid: ACCOUNT, direction: 'outbound', channel: 'sms', contact: '+14155550123', to: '+14155550123',
  status: 'accepted', statusRank: 1, statusTimes: { accepted: ago(30) }, createdAt: ago(30), updatedAt: ago(30), ...overrides,
});
const twilioMessage = (status: string, extra: Partial<Message> = {}): Message => ({
  sid: SM, status, to: '+14155550123', from: '+14155550100', messagingServiceSid: 'MG' + 'd'.repeat(32), direction: 'outbound-api', numSegments: 1,
  errorCode: null, errorMessage: null, price: null, priceUnit: null, dateCreated: null, dateSent: null, ...extra,
});

const onboardingEntry = (customerId: string, since: string): ReconcileCandidate => candidateOf('onboarding', onboardingReconcileIndex('ptn_1', customerId, since).gsi1sk)!;
const messageEntry = (messageId: string, since: string): ReconcileCandidate => candidateOf('message', messageReconcileIndex('ptn_1', 'cus_1', messageId, since).gsi1sk)!;

/** A store over a list of entries with the real one's semantics: due = since before the bound, oldest first; a claim succeeds once per sort key. */
function harness(entries: ReconcileCandidate[], overrides: Partial<ReconcileDeps> = {}) {
  const live = new Map(entries.map((e) => [e.sortKey, e]));
  const calls = { due: [] as Array<[string, string, number]>, closed: [] as Array<{ ref: string; reason?: string }>, twilio: [] as string[], resumed: [] as string[], checked: [] as string[], statuses: [] as FormEnvelope[] };
  const deps: ReconcileDeps = {
    store: {
      async due(kind, before, limit) {
        calls.due.push([kind, before, limit]);
        return [...live.values()].filter((e) => e.kind === kind && e.since < before).sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1)).slice(0, limit);
      },
      async claim(c, at) {
        if (!live.delete(c.sortKey)) return undefined;
        const claimed = { ...c, since: at, sortKey: `${at}#${c.partnerId}#${c.customerId}${c.messageId ? `#${c.messageId}` : ''}` };
        live.set(claimed.sortKey, claimed);
        return claimed;
      },
      async close(c, _at, reason) {
        live.delete(c.sortKey);
        calls.closed.push({ ref: c.messageId ?? c.customerId, ...(reason ? { reason } : {}) });
        return true;
      },
    },
    onboarding: { get: async (_p, c) => record(c, { brand: waitingBrand(ago(30)) }), listNumbers: async () => [] },
    messages: { get: async () => message() },
    twilio: {
      async fetchBrandRegistration(_creds, sid) {
        calls.twilio.push(sid);
        return brand('APPROVED');
      },
      async fetchCampaign() {
        throw new Error('not used');
      },
      async fetchMessage(_creds, sid) {
        calls.twilio.push(sid);
        return twilioMessage('delivered');
      },
    },
    credentials: async () => ({ accountSid: ACCOUNT, authToken: 'token' }),
    async resumeWaiting(key) {
      calls.resumed.push(key);
      return 'resumed';
    },
    async checkStep(step) {
      calls.checked.push(step);
      return { status: 'succeeded', sids: {} };
    },
    async applyStatus(envelope) {
      calls.statuses.push(envelope);
      return true;
    },
    clock: fixedClock(NOW),
    ...overrides,
  };
  return { service: reconciler(deps), calls, live };
}

describe('candidate selection', () => {
  it('asks each kind for entries older than the threshold, bounded by its page size, oldest first', async () => {
    const { service, calls } = harness([onboardingEntry('cus_old', ago(40)), onboardingEntry('cus_new', ago(5)), onboardingEntry('cus_mid', ago(20))]);
    const run = await service.run({ now: new Date(NOW) });
    expect(calls.due).toEqual([
      ['onboarding', ago(15), 25],
      ['message', ago(15), 100],
    ]);
    // The one waiting five minutes is not due; the others in age order.
    expect(run.results.map((r) => r.customerId)).toEqual(['cus_old', 'cus_mid']);
  });

  it('measures the threshold from the run time it is given (the schedule), not the process clock', async () => {
    const { service, calls } = harness([onboardingEntry('cus_1', ago(10))]);
    const later = new Date(Date.parse(NOW) + 10 * MINUTE);
    expect((await service.run({ now: later })).results).toHaveLength(1);
    expect(calls.due[0]![1]).toBe(ago(5));
  });

  it('moves a checked record to the back, so a record that stays stuck is not looked at again before the threshold', async () => {
    const { service, calls, live } = harness([onboardingEntry('cus_1', ago(30))], { twilio: { fetchBrandRegistration: async () => brand('IN_REVIEW'), fetchCampaign: async () => { throw new Error('not used'); }, fetchMessage: async () => { throw new Error('not used'); } } });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ kind: 'brand', outcome: 'unchanged', to: 'IN_REVIEW' })]);
    // Waiting 30 minutes: checked again a quarter of that (7.5 minutes) after the threshold.
    expect([...live.values()].map((e) => e.since)).toEqual([new Date(Date.parse(NOW) + 7.5 * MINUTE).toISOString()]);
    expect((await service.run({ now: new Date(Date.parse(NOW) + 20 * MINUTE) })).results).toEqual([]);
    expect((await service.run({ now: new Date(Date.parse(NOW) + 23 * MINUTE) })).results).toHaveLength(1);
    expect(calls.resumed).toEqual([]);
  });

  it('backs off at most two hours for a record that has waited for days', async () => {
    const { service, live } = harness([messageEntry('msg_1', ago(30))], {
      messages: { get: async () => message({ status: 'sent', statusRank: 3, createdAt: ago(48 * 60) }) },
      twilio: { fetchBrandRegistration: async () => brand('APPROVED'), fetchCampaign: async () => { throw new Error('not used'); }, fetchMessage: async () => twilioMessage('sent') },
    });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ outcome: 'unchanged' })]);
    expect([...live.values()].map((e) => e.since)).toEqual([new Date(Date.parse(NOW) + 120 * MINUTE).toISOString()]);
  });

  it('skips an entry another run claimed first, without asking Twilio', async () => {
    const entry = onboardingEntry('cus_1', ago(30));
    // Both runs read the entry; the other one's claim moved it, so this one's condition fails.
    const { service, calls } = harness([], { store: { due: async (kind) => (kind === entry.kind ? [entry] : []), claim: async () => undefined, close: async () => true } });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ outcome: 'skipped' })]);
    expect(calls.twilio).toEqual([]);
    expect(calls.resumed).toEqual([]);
    expect(calls.checked).toEqual([]);
  });

  it('parses index sort keys into candidates and refuses malformed ones', () => {
    expect(candidateOf('message', `${NOW}#ptn_1#cus_1#msg_1`)).toEqual({ kind: 'message', partnerId: 'ptn_1', customerId: 'cus_1', messageId: 'msg_1', since: NOW, sortKey: `${NOW}#ptn_1#cus_1#msg_1` });
    expect(candidateOf('onboarding', `${NOW}#ptn_1#cus_1`)).toMatchObject({ partnerId: 'ptn_1', customerId: 'cus_1', since: NOW });
    expect(candidateOf('message', `${NOW}#ptn_1#cus_1`)).toBeUndefined();
    expect(candidateOf('onboarding', NOW)).toBeUndefined();
  });
});

describe('onboarding records', () => {
  it('a brand Twilio approved is repaired through the waiting execution’s task token', async () => {
    const { service, calls } = harness([onboardingEntry('cus_1', ago(30))]);
    const run = await service.run({ now: new Date(NOW) });
    expect(calls.resumed).toEqual([`brand:${BRAND}`]);
    expect(calls.checked).toEqual([]);
    expect(run.results).toEqual([expect.objectContaining({ kind: 'brand', outcome: 'repaired', ref: BRAND, from: `brand:${BRAND}`, to: 'APPROVED', reason: 'onboarding resumed' })]);
  });

  it('without a waiting execution, the step is checked directly (it stores the step with its events)', async () => {
    const { service, calls } = harness([onboardingEntry('cus_1', ago(30))], { resumeWaiting: async () => 'not-waiting' });
    await service.run({ now: new Date(NOW) });
    expect(calls.checked).toEqual(['brand']);
  });

  it('a brand Twilio no longer has is repaired as gone: the check fails the step with the reason', async () => {
    const notFound = new TwilioPermanentError({ code: 20404, status: 404, message: 'The requested resource was not found', moreInfo: null });
    const { service, calls } = harness([onboardingEntry('cus_1', ago(30))], {
      twilio: { fetchBrandRegistration: async () => { throw notFound; }, fetchCampaign: async () => { throw new Error('not used'); }, fetchMessage: async () => { throw new Error('not used'); } },
    });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ kind: 'brand', outcome: 'gone', to: 'gone' })]);
    expect(calls.resumed).toEqual([`brand:${BRAND}`]);
  });

  it('a record with nothing waiting any more leaves the index untouched otherwise', async () => {
    const done: StepState = { ...waitingBrand(ago(30)), status: 'succeeded', rank: STEP_STATUS_RANK.succeeded, waitingFor: undefined };
    const { service, calls } = harness([onboardingEntry('cus_1', ago(30))], { onboarding: { get: async (_p, c) => record(c, { brand: done }), listNumbers: async () => [] } });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ kind: 'onboarding', outcome: 'final' })]);
    expect(calls.closed).toEqual([{ ref: 'cus_1' }]);
    expect(calls.twilio).toEqual([]);
  });

  it('numbers bought but not attached after the campaign was verified are repaired by the step; carrier registration is only reported', async () => {
    const numbersWaiting: StepState = { ...waitingBrand(ago(30)), waitingFor: 'number:PN1' };
    const campaign: StepState = { ...waitingBrand(ago(60)), status: 'succeeded', rank: STEP_STATUS_RANK.succeeded, waitingFor: undefined };
    const number = (status: 'purchased' | 'attached') => [{ partnerId: 'ptn_1', customerId: 'cus_1', phoneNumber: '+14155550100', sid: 'PN1', status, createdAt: NOW, updatedAt: NOW }];
    const attach = harness([onboardingEntry('cus_1', ago(30))], { onboarding: { get: async (_p, c) => record(c, { campaign, numbers: numbersWaiting }), listNumbers: async () => number('purchased') } });
    expect((await attach.service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ kind: 'numbers', outcome: 'repaired' })]);
    expect(attach.calls.resumed).toEqual(['number:PN1']);
    const registering = harness([onboardingEntry('cus_1', ago(30))], { onboarding: { get: async (_p, c) => record(c, { campaign, numbers: numbersWaiting }), listNumbers: async () => number('attached') } });
    expect((await registering.service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ kind: 'numbers', outcome: 'unchanged' })]);
    expect(registering.calls.resumed).toEqual([]);
  });
});

describe('messages', () => {
  it('a status Twilio has and we missed is applied as its status callback would have been', async () => {
    const { service, calls } = harness([messageEntry('msg_1', ago(30))]);
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ kind: 'message', outcome: 'repaired', from: 'accepted', to: 'delivered' })]);
    expect(calls.statuses).toEqual([
      expect.objectContaining({
        kind: 'status', partnerId: 'ptn_1', customerId: 'cus_1', accountSid: ACCOUNT, query: 'messageId=msg_1',
        params: expect.arrayContaining([['MessageSid', SM], ['MessageStatus', 'delivered'], ['AccountSid', ACCOUNT]]),
      }),
    ]);
  });

  it('carries Twilio’s error code for an undelivered message', async () => {
    const { service, calls } = harness([messageEntry('msg_1', ago(30))], {
      twilio: { fetchBrandRegistration: async () => brand('APPROVED'), fetchCampaign: async () => { throw new Error('not used'); }, fetchMessage: async () => twilioMessage('undelivered', { errorCode: 30007 }) },
    });
    await service.run({ now: new Date(NOW) });
    expect(calls.statuses[0]!.params).toContainEqual(['ErrorCode', '30007']);
  });

  it('a message already final is closed without asking Twilio or applying anything', async () => {
    const { service, calls } = harness([messageEntry('msg_1', ago(30))], { messages: { get: async () => message({ status: 'delivered', statusRank: 4 }) } });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ outcome: 'final' })]);
    expect(calls.twilio).toEqual([]);
    expect(calls.statuses).toEqual([]);
    expect(calls.closed).toEqual([{ ref: 'msg_1' }]);
  });

  it('a message Twilio no longer has is closed with the reason, its status kept', async () => {
    const notFound = new TwilioPermanentError({ code: 20404, status: 404, message: 'not found', moreInfo: null });
    const { service, calls } = harness([messageEntry('msg_1', ago(30))], {
      twilio: { fetchBrandRegistration: async () => brand('APPROVED'), fetchCampaign: async () => { throw new Error('not used'); }, fetchMessage: async () => { throw notFound; } },
    });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ outcome: 'gone' })]);
    expect(calls.closed).toEqual([{ ref: 'msg_1', reason: expect.stringContaining(`Twilio has no message ${SM}`) }]);
    expect(calls.statuses).toEqual([]);
  });

  it('a message still not final after the maximum age is given up on with the reason', async () => {
    const old = ago(73 * 60);
    const { service, calls } = harness([messageEntry('msg_1', ago(30))], {
      messages: { get: async () => message({ status: 'sent', statusRank: 3, createdAt: old }) },
      twilio: { fetchBrandRegistration: async () => brand('APPROVED'), fetchCampaign: async () => { throw new Error('not used'); }, fetchMessage: async () => twilioMessage('sent') },
    });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ outcome: 'expired' })]);
    expect(calls.closed).toEqual([{ ref: 'msg_1', reason: expect.stringContaining('No final status from Twilio 72 hours after sending') }]);
  });

  it('a pending message without a SID is not looked up; it waits until the maximum age', async () => {
    const { service, calls } = harness([messageEntry('msg_1', ago(30))], { messages: { get: async () => message({ sid: undefined, status: 'pending', statusRank: 0 }) } });
    expect((await service.run({ now: new Date(NOW) })).results).toEqual([expect.objectContaining({ outcome: 'unchanged', reason: 'no Twilio SID yet' })]);
    expect(calls.twilio).toEqual([]);
  });
});

describe('bounded work', () => {
  it('stops at the first throttling: that record is deferred and the rest stay due for the next run', async () => {
    let fetches = 0;
    const { service, calls, live } = harness([messageEntry('msg_1', ago(40)), messageEntry('msg_2', ago(30))], {
      twilio: {
        fetchBrandRegistration: async () => brand('APPROVED'),
        fetchCampaign: async () => { throw new Error('not used'); },
        fetchMessage: async () => {
          fetches++;
          throw new TwilioRetryableError({ code: 20429, status: 429, message: 'Too many requests', moreInfo: null });
        },
      },
    });
    const run = await service.run({ now: new Date(NOW) });
    expect(run.stoppedBy).toBe('twilio');
    expect(run.results).toEqual([expect.objectContaining({ ref: 'msg_1', outcome: 'deferred' })]);
    expect(fetches).toBe(1);
    expect(calls.statuses).toEqual([]);
    // msg_2 was never claimed: still due as it was.
    expect([...live.values()].find((e) => e.messageId === 'msg_2')!.since).toBe(ago(30));
  });

  it('stops when the invocation has less time left than the reserve', async () => {
    let left = 60_000;
    const { service, calls } = harness([messageEntry('msg_1', ago(40)), messageEntry('msg_2', ago(30))], {
      async applyStatus() {
        left = 5_000;
        return true;
      },
    });
    const run = await service.run({ now: new Date(NOW), remainingMs: () => left });
    expect(run.stoppedBy).toBe('time');
    expect(run.results.map((r) => r.ref)).toEqual(['msg_1']);
    expect(calls.twilio).toEqual([SM]);
  });

  it('an unexpected failure of one record is counted and the run goes on', async () => {
    let first = true;
    const { service } = harness([messageEntry('msg_1', ago(40)), messageEntry('msg_2', ago(30))], {
      credentials: async () => {
        if (first) {
          first = false;
          throw new Error('token unavailable');
        }
        return { accountSid: ACCOUNT, authToken: 'token' };
      },
    });
    expect((await service.run({ now: new Date(NOW) })).results.map((r) => [r.ref, r.outcome])).toEqual([
      ['msg_1', 'error'],
      ['msg_2', 'repaired'],
    ]);
  });
});

describe('the store', () => {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const ddb = mockClient(db);
  beforeEach(() => ddb.reset());
  const store = reconcileStore(db, 'tbl');

  it('reads every shard of the kind with the threshold as the key bound, and merges them oldest first up to the limit', async () => {
    const sk = (since: string, c: string) => onboardingReconcileIndex('ptn_1', c, since).gsi1sk;
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ gsi1sk: sk(ago(50), 'cus_a') }, { gsi1sk: sk(ago(20), 'cus_b') }] })
      .resolvesOnce({ Items: [{ gsi1sk: sk(ago(40), 'cus_c') }] })
      .resolves({ Items: [] });
    const due = await store.due('onboarding', ago(15), 2);
    expect(due.map((c) => c.customerId)).toEqual(['cus_a', 'cus_c']);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(RECONCILE_SHARDS);
    expect(queries.map((q) => q.ExpressionAttributeValues![':pk'])).toEqual(Array.from({ length: RECONCILE_SHARDS }, (_, i) => `RECONCILE#onboarding#${i}`));
    expect(queries[0]).toMatchObject({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before', ExpressionAttributeValues: { ':before': `${ago(15)}#` }, Limit: 2 });
  });

  it('claims with a condition on the sort key it read, and reports a lost race', async () => {
    const entry = messageEntry('msg_1', ago(30));
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    const claimed = await store.claim(entry, NOW);
    expect(claimed).toMatchObject({ since: NOW, sortKey: `${NOW}#ptn_1#cus_1#msg_1` });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({ ConditionExpression: 'gsi1sk = :seen', ExpressionAttributeValues: { ':seen': entry.sortKey, ':next': claimed!.sortKey } });
    await expect(store.claim(entry, NOW)).resolves.toBeUndefined();
  });
});

describe('what a run reports', () => {
  const result = (kind: string, outcome: ReconcileResult['outcome'], customerId = 'cus_1'): ReconcileResult => ({ kind, outcome, partnerId: 'ptn_1', customerId, ref: 'x' });

  it('one point per metric name and (kind, outcome), repairs and errors besides the checks, never an id as a dimension', () => {
    const points = reconcileMetricsOf([result('brand', 'repaired'), result('brand', 'repaired', 'cus_2'), result('message', 'unchanged'), result('message', 'gone'), result('message', 'deferred'), result('message', 'expired')]);
    expect(points).toEqual([
      { name: 'ReconcileChecked', value: 2, dimensions: { kind: 'brand', outcome: 'repaired' } },
      { name: 'ReconcileRepaired', value: 2, dimensions: { kind: 'brand', outcome: 'repaired' } },
      { name: 'ReconcileChecked', value: 1, dimensions: { kind: 'message', outcome: 'unchanged' } },
      { name: 'ReconcileChecked', value: 1, dimensions: { kind: 'message', outcome: 'gone' } },
      { name: 'ReconcileRepaired', value: 1, dimensions: { kind: 'message', outcome: 'gone' } },
      { name: 'ReconcileChecked', value: 1, dimensions: { kind: 'message', outcome: 'deferred' } },
      { name: 'ReconcileErrors', value: 1, dimensions: { kind: 'message', outcome: 'deferred' } },
      // Given up on (no delivery report ever): checked, not a lost event.
      { name: 'ReconcileChecked', value: 1, dimensions: { kind: 'message', outcome: 'expired' } },
    ]);
  });
});
