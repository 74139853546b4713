import { BatchGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Platform } from '../../infra/local/platform';
import type { ChannelConsent, ConsentRecord } from '../../shared/domain/consent';
import { sendBlock } from '../../shared/services/consent';
import type { ConsentRepository, ConsentStateRecord } from '../../shared/store/consent';
import { startTestPlatform } from '../support/local-platform';

/** The consent repository against DynamoDB Local: conditions, the one-partition reads, the opted-out index. */
let platform: Platform;
let client: typeof import('../../shared/store/client');
let repo: ConsentRepository;
beforeAll(async () => {
  platform = await startTestPlatform('consent-store');
  // After the platform has set the environment, as a handler's cold start would.
  client = require('../../shared/store/client');
  const { dynamoConsentRepository } = require('../../shared/store/consent') as typeof import('../../shared/store/consent');
  repo = dynamoConsentRepository(client.documentClient, client.tableName);
});
afterAll(() => platform?.stop());

const P = 'ptn_store';
let customerSeq = 0;
const newCustomer = () => `cus_STORE${String(++customerSeq).padStart(21, '0')}`;

const record = (customerId: string, contact: string, id: string, overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  id, partnerId: P, customerId, contact, channel: 'sms', action: 'opt-out', source: 'keyword', at: '2026-02-01T00:00:00.000Z',
  recordedAt: '2026-02-01T00:00:01.000Z', keyword: 'STOP', messageId: id, messageSid: id, ...overrides,
});

const out = (since: string, recordId = 'kw_x'): ChannelConsent => ({ state: 'opted-out', since, source: 'keyword', recordId, keyword: 'STOP', reopenRequiresEvidence: true });
const state = (customerId: string, contact: string, channels: ConsentStateRecord['channels'], version = 1): ConsentStateRecord => ({
  partnerId: P, customerId, contact, channels, version, updatedAt: '2026-02-01T00:00:02.000Z',
});

describe('consent repository over DynamoDB Local', () => {
  it('puts a ledger row once: the same id again changes nothing', async () => {
    const c = newCustomer();
    expect(await repo.putRecord(record(c, '+14155550101', 'kw_SM1'))).toBe(true);
    expect(await repo.putRecord(record(c, '+14155550101', 'kw_SM1', { at: '2026-02-09T00:00:00.000Z' }))).toBe(false);
    expect(await repo.records(P, c, '+14155550101')).toEqual([record(c, '+14155550101', 'kw_SM1')]);
    expect(await repo.records(P, c, '+14155550199')).toEqual([]);
  });

  it('writes the state only from the version it read, alone or in a transaction', async () => {
    const c = newCustomer();
    const contact = '+14155550102';
    expect(await repo.getState(P, c, contact)).toBeUndefined();
    const first = state(c, contact, { sms: out('2026-02-01T00:00:00.000Z') });
    expect(await repo.writeState(first, undefined)).toBe(true);
    expect(await repo.writeState(first, undefined)).toBe(false);
    expect(await repo.getState(P, c, contact)).toEqual(first);

    const second = { ...first, version: 2 };
    expect(await repo.writeState(second, 7)).toBe(false);
    await client.documentClient.send(new TransactWriteCommand({ TransactItems: [repo.stateWrite(second, 1)] }));
    await expect(client.documentClient.send(new TransactWriteCommand({ TransactItems: [repo.stateWrite({ ...first, version: 3 }, 1)] }))).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    });
    expect((await repo.getState(P, c, contact))?.version).toBe(2);
  });

  it('reads state and ledger of a contact from its one partition', async () => {
    const c = newCustomer();
    const contact = '+14155550103';
    await repo.putRecord(record(c, contact, 'kw_SM1'));
    await repo.putRecord(record(c, contact, 'ptn_abc', { source: 'partner', action: 'opt-in', evidence: { source: 'web-form', capturedAt: '2026-02-02T00:00:00.000Z', ip: '203.0.113.9' } }));
    await repo.writeState(state(c, contact, { sms: out('2026-02-01T00:00:00.000Z') }), undefined);
    const { state: read, records } = await repo.read(P, c, contact);
    expect(read?.channels.sms).toMatchObject({ state: 'opted-out' });
    expect(records.map((r) => r.id).sort()).toEqual(['kw_SM1', 'ptn_abc']);
    expect(records.find((r) => r.id === 'ptn_abc')?.evidence).toEqual({ source: 'web-form', capturedAt: '2026-02-02T00:00:00.000Z', ip: '203.0.113.9' });
  });

  it("gives the send path one BatchGet key whose raw item sendBlock reads", async () => {
    const c = newCustomer();
    const contact = '+14155550104';
    await repo.writeState(state(c, contact, { whatsapp: out('2026-02-03T00:00:00.000Z') }), undefined);
    const { consentStateKey } = require('../../shared/store/keys') as typeof import('../../shared/store/keys');
    const { Responses } = await client.documentClient.send(new BatchGetCommand({ RequestItems: { [client.tableName]: { Keys: [consentStateKey(P, c, contact)], ConsistentRead: true } } }));
    const item = Responses?.[client.tableName]?.[0];
    expect(sendBlock(item, 'whatsapp')).toEqual({ contact, channel: 'whatsapp', since: '2026-02-03T00:00:00.000Z', source: 'keyword', keyword: 'STOP' });
    expect(sendBlock(item, 'sms')).toBeUndefined();
  });

  it('lists opted-out contacts newest first across channel sets, filters by channel, pages, and drops a contact that opted back in', async () => {
    const c = newCustomer();
    const rows: Array<[string, ConsentStateRecord['channels']]> = [
      ['+14155550111', { sms: out('2026-02-01T00:00:00.000Z') }],
      ['+14155550112', { whatsapp: out('2026-02-02T00:00:00.000Z') }],
      ['+14155550113', { sms: out('2026-02-03T00:00:00.000Z'), whatsapp: out('2026-02-01T12:00:00.000Z') }],
      ['+14155550114', { sms: { state: 'opted-in', since: '2026-02-04T00:00:00.000Z', source: 'keyword', recordId: 'kw_in' } }],
      ['+14155550115', { sms: out('2026-02-05T00:00:00.000Z') }],
    ];
    for (const [contact, channels] of rows) await repo.writeState(state(c, contact, channels), undefined);
    // Another customer's opt-outs never show.
    await repo.writeState(state(newCustomer(), '+14155550111', { sms: out('2026-02-09T00:00:00.000Z') }), undefined);

    const contacts = (page: Awaited<ReturnType<ConsentRepository['listOptedOut']>>) => page.map((i) => i.state.contact);
    expect(contacts(await repo.listOptedOut(P, c, { wanted: 10 }))).toEqual(['+14155550115', '+14155550113', '+14155550112', '+14155550111']);
    expect(contacts(await repo.listOptedOut(P, c, { wanted: 10, channel: 'whatsapp' }))).toEqual(['+14155550113', '+14155550112']);
    expect(contacts(await repo.listOptedOut(P, c, { wanted: 10, channel: 'sms' }))).toEqual(['+14155550115', '+14155550113', '+14155550111']);

    // A list reads one more than its page; the store gives exactly what is asked for, continuing below a position.
    const first = await repo.listOptedOut(P, c, { wanted: 3 });
    expect(contacts(first)).toEqual(['+14155550115', '+14155550113', '+14155550112']);
    const second = await repo.listOptedOut(P, c, { wanted: 3, before: first[1]!.position });
    expect(contacts(second)).toEqual(['+14155550112', '+14155550111']);

    // Opting back in replaces the row without its index entry.
    await repo.writeState(state(c, '+14155550115', { sms: { state: 'opted-in', since: '2026-02-06T00:00:00.000Z', source: 'partner', recordId: 'ptn_x' } }, 2), 1);
    expect(contacts(await repo.listOptedOut(P, c, { wanted: 10, channel: 'sms' }))).toEqual(['+14155550113', '+14155550111']);
  });
});
