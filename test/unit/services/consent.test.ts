import { NotFoundError, ValidationError } from '../../../shared/domain/errors';
import { consentService, sendBlock } from '../../../shared/services/consent';
import type { CustomerRecord } from '../../../shared/store/customers';
import { fakeConsentRepository, fakeEventLog } from '../../support/consent-fakes';
import { fakeCustomerRepository, fixedClock } from '../../support/fakes';
import { validCustomer } from '../../support/fixtures';

const P = 'ptn_a';
const C = 'cus_01JF3X00000000000000000001';
const CONTACT = '+14155550123';

async function setup() {
  const customers = fakeCustomerRepository();
  await customers.create({ ...validCustomer(), id: C, partnerId: P, status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', version: 1 } as CustomerRecord);
  const store = fakeConsentRepository();
  const log = fakeEventLog(store.transact);
  const clock = fixedClock('2026-03-01T00:00:00.000Z');
  const service = consentService({ consent: store.repo, customers, events: log, clock, sleep: async () => {} });
  const raw = () => store.stateItem(P, C, CONTACT);
  return { service, store, log, clock, raw };
}

const keyword = (action: 'opt-out' | 'opt-in' | 'help', word: string, at: string, sid: string, channel: 'sms' | 'whatsapp' = 'sms') => ({
  partnerId: P, customerId: C, contact: CONTACT, channel, action, keyword: word, at, messageId: sid, messageSid: sid, to: '+14155550100',
});
const evidence = (capturedAt: string, extra: Record<string, string> = {}) => ({ source: 'web-form', capturedAt, ...extra });

describe('consent service: handset keywords', () => {
  it('opts out on STOP, with the event and a send block that says when and how', async () => {
    const { service, log, raw } = await setup();
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'));

    expect(sendBlock(raw(), 'sms')).toEqual({ contact: CONTACT, channel: 'sms', since: '2026-02-01T10:00:00.000Z', source: 'keyword', keyword: 'STOP', messageId: 'SM1' });
    expect(sendBlock(raw(), 'whatsapp')).toBeUndefined();
    expect(log.events).toEqual([
      expect.objectContaining({
        partnerId: P,
        type: 'contact.opted_out',
        customerId: C,
        data: { contact: CONTACT, channel: 'sms', source: 'keyword', at: '2026-02-01T10:00:00.000Z', keyword: 'STOP', messageId: 'SM1' },
      }),
    ]);
  });

  it('is idempotent per MessageSid: a redelivery is one ledger row and one event', async () => {
    const { service, store, log } = await setup();
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'));
    // A Twilio retry arrives with another receive time: still the same evidence.
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:05Z', 'SM1'));
    expect([...store.records.values()][0]!.size).toBe(1);
    expect(log.events).toHaveLength(1);
    expect((await service.get(P, C, CONTACT)).history).toEqual([expect.objectContaining({ id: 'kw_SM1', at: '2026-02-01T10:00:00.000Z' })]);
  });

  it('keeps HELP in the ledger without changing the state', async () => {
    const { service, log, raw } = await setup();
    await service.recordKeyword(keyword('help', 'HELP', '2026-02-01T10:00:00Z', 'SM1'));
    const view = await service.get(P, C, CONTACT);
    expect(view.channels.sms).toEqual({ state: 'unknown' });
    expect(view.history).toEqual([expect.objectContaining({ action: 'help', keyword: 'HELP', effect: 'unchanged' })]);
    expect(log.events).toEqual([]);
    expect(sendBlock(raw(), 'sms')).toBeUndefined();
  });

  it('opts back in on a newer START and says so once', async () => {
    const { service, log, raw } = await setup();
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'));
    await service.recordKeyword(keyword('opt-in', 'START', '2026-02-02T10:00:00Z', 'SM2'));
    await service.recordKeyword(keyword('opt-in', 'YES', '2026-02-03T10:00:00Z', 'SM3'));
    expect(sendBlock(raw(), 'sms')).toBeUndefined();
    expect(log.events.map((e) => e.type)).toEqual(['contact.opted_out', 'contact.opted_in']);
    expect((await service.get(P, C, CONTACT)).channels.sms).toMatchObject({ state: 'opted-in', since: '2026-02-02T10:00:00.000Z', keyword: 'START' });
  });

  it('decides by event time, not arrival: a late STOP older than a START does not opt out', async () => {
    const { service, log, raw } = await setup();
    await service.recordKeyword(keyword('opt-in', 'START', '2026-02-02T10:00:00Z', 'SM2'));
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'));
    expect(sendBlock(raw(), 'sms')).toBeUndefined();
    expect(log.events.map((e) => e.type)).toEqual(['contact.opted_in']);
    const { history } = await service.get(P, C, CONTACT);
    expect(history.map((h) => [h.id, h.effect])).toEqual([['kw_SM1', 'changed'], ['kw_SM2', 'changed']]);
  });

  it('breaks a tie in time towards the opt-out, whatever the arrival order', async () => {
    for (const order of [['SM1', 'SM2'], ['SM2', 'SM1']]) {
      const { service, raw } = await setup();
      const records = { SM1: keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'), SM2: keyword('opt-in', 'START', '2026-02-01T10:00:00Z', 'SM2') };
      for (const sid of order) await service.recordKeyword(records[sid as 'SM1' | 'SM2']);
      expect(sendBlock(raw(), 'sms')).toMatchObject({ keyword: 'STOP' });
    }
  });

  it('keeps channels apart', async () => {
    const { service, raw } = await setup();
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1', 'whatsapp'));
    expect(sendBlock(raw(), 'whatsapp')).toMatchObject({ channel: 'whatsapp' });
    expect(sendBlock(raw(), 'sms')).toBeUndefined();
  });
});

describe('consent service: Twilio 21610', () => {
  it('opts the contact out with the error code and our message id, once per message id', async () => {
    const { service, log, raw } = await setup();
    const refused = { partnerId: P, customerId: C, contact: CONTACT, channel: 'sms' as const, at: '2026-02-01T10:00:00.000Z', messageId: 'msg_1', errorCode: 21610 };
    await service.recordTwilioOptOut(refused);
    await service.recordTwilioOptOut(refused);
    expect(sendBlock(raw(), 'sms')).toEqual({ contact: CONTACT, channel: 'sms', since: '2026-02-01T10:00:00.000Z', source: 'twilio-error', messageId: 'msg_1', errorCode: 21610 });
    expect(log.events).toEqual([expect.objectContaining({ type: 'contact.opted_out', data: expect.objectContaining({ source: 'twilio-error', errorCode: 21610, messageId: 'msg_1' }) })]);
    expect((await service.get(P, C, CONTACT)).history).toHaveLength(1);
  });
});

describe('consent service: partner records', () => {
  it('records an opt-in with its evidence and answers the view with applied', async () => {
    const { service, log } = await setup();
    const result = await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-02-01T10:00:00Z', { url: 'https://acme.example.com/signup', ip: '203.0.113.7' }) });
    expect(result).toMatchObject({
      contact: CONTACT,
      applied: true,
      channels: { sms: { state: 'opted-in', since: '2026-02-01T10:00:00.000Z', source: 'partner' }, whatsapp: { state: 'unknown' } },
      record: { id: expect.stringMatching(/^ptn_/), source: 'partner', action: 'opt-in', recordedAt: '2026-03-01T00:00:00.000Z', evidence: { source: 'web-form', capturedAt: '2026-02-01T10:00:00.000Z', url: 'https://acme.example.com/signup', ip: '203.0.113.7' }, effect: 'changed' },
    });
    expect(result.reason).toBeUndefined();
    expect(log.events).toEqual([expect.objectContaining({ type: 'contact.opted_in', data: { contact: CONTACT, channel: 'sms', source: 'partner', at: '2026-02-01T10:00:00.000Z' } })]);
  });

  it('is idempotent per request: the same evidence twice is one row and the same answer', async () => {
    const { service, log } = await setup();
    const input = { action: 'opt-out' as const, channel: 'sms' as const, evidence: evidence('2026-02-01T10:00:00Z', { formText: 'Unsubscribe me' }) };
    const first = await service.recordPartnerConsent(P, C, CONTACT, input);
    // The same instant written differently is the same evidence.
    const again = await service.recordPartnerConsent(P, C, CONTACT, { ...input, evidence: { ...input.evidence, capturedAt: '2026-02-01T12:00:00+02:00' } });
    expect(again).toEqual(first);
    expect(again.history).toHaveLength(1);
    expect(log.events).toHaveLength(1);
  });

  it('keeps an opt-in without evidence after a handset STOP in the ledger, without re-opening sending', async () => {
    const { service, log, raw } = await setup();
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'));
    const bare = await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-02-05T10:00:00Z') });
    expect(bare).toMatchObject({ applied: false, reason: 'evidence-required', channels: { sms: { state: 'opted-out', source: 'keyword', reopenRequiresEvidence: true } }, record: { effect: 'evidence-required' } });
    expect(sendBlock(raw(), 'sms')).toMatchObject({ source: 'keyword' });

    const withForm = await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-02-06T10:00:00Z', { formText: 'Yes, text me offers' }) });
    expect(withForm).toMatchObject({ applied: true, channels: { sms: { state: 'opted-in', source: 'partner' } } });
    expect(sendBlock(raw(), 'sms')).toBeUndefined();
    expect(withForm.history.map((h) => h.effect)).toEqual(['changed', 'evidence-required', 'changed']);
    expect(log.events.map((e) => e.type)).toEqual(['contact.opted_out', 'contact.opted_in']);
  });

  it('needs evidence after a 21610 too, and an opt-in older than the opt-out never re-opens', async () => {
    const { service, raw } = await setup();
    await service.recordTwilioOptOut({ partnerId: P, customerId: C, contact: CONTACT, channel: 'sms', at: '2026-02-03T00:00:00Z', messageId: 'msg_1', errorCode: 21610 });
    const older = await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-02-01T00:00:00Z', { ip: '2001:db8::1' }) });
    expect(older).toMatchObject({ applied: false, reason: 'superseded' });
    const bare = await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-02-04T00:00:00Z') });
    expect(bare).toMatchObject({ applied: false, reason: 'evidence-required' });
    expect(sendBlock(raw(), 'sms')).toMatchObject({ source: 'twilio-error', errorCode: 21610 });
  });

  it('applies a newer partner opt-out over a START, and a later plain opt-in over its own opt-out', async () => {
    const { service, raw } = await setup();
    await service.recordKeyword(keyword('opt-in', 'START', '2026-02-01T00:00:00Z', 'SM1'));
    expect(await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-out', channel: 'sms', evidence: evidence('2026-02-02T00:00:00Z', { source: 'paper' }) })).toMatchObject({ applied: true });
    expect(sendBlock(raw(), 'sms')).toMatchObject({ source: 'partner', since: '2026-02-02T00:00:00.000Z' });
    expect(await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-02-03T00:00:00Z', { source: 'checkout' }) })).toMatchObject({ applied: true });
    expect(sendBlock(raw(), 'sms')).toBeUndefined();
  });

  it('says already-opted-out when the state already was that', async () => {
    const { service } = await setup();
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T00:00:00Z', 'SM1'));
    expect(await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-out', channel: 'sms', evidence: evidence('2026-02-02T00:00:00Z') })).toMatchObject({ applied: false, reason: 'already-opted-out' });
  });

  it('refuses evidence captured in the future, naming the field', async () => {
    const { service, store } = await setup();
    const error = await service.recordPartnerConsent(P, C, CONTACT, { action: 'opt-in', channel: 'sms', evidence: evidence('2026-03-01T00:00:01Z') }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.errors).toEqual([{ field: 'body.evidence.capturedAt', message: 'must not be in the future' }]);
    expect(store.records.size).toBe(0);
  });

  it("answers another partner's customer, and a missing one, with 404 and writes nothing", async () => {
    const { service, store } = await setup();
    const input = { action: 'opt-out' as const, channel: 'sms' as const, evidence: evidence('2026-02-01T00:00:00Z') };
    await expect(service.recordPartnerConsent('ptn_b', C, CONTACT, input)).rejects.toThrow(NotFoundError);
    await expect(service.recordPartnerConsent(P, 'cus_01JF3X0000000000000000ZZZZ', CONTACT, input)).rejects.toThrow(NotFoundError);
    await expect(service.get('ptn_b', C, CONTACT)).rejects.toThrow(NotFoundError);
    await expect(service.listOptOuts('ptn_b', C, { limit: 10 })).rejects.toThrow(NotFoundError);
    expect(store.records.size).toBe(0);
  });
});

describe('consent service: reads', () => {
  it('answers a contact never seen with unknown states and an empty history', async () => {
    const { service } = await setup();
    expect(await service.get(P, C, CONTACT)).toEqual({ contact: CONTACT, channels: { sms: { state: 'unknown' }, whatsapp: { state: 'unknown' } }, history: [] });
  });

  it('lists opted-out contacts newest first, per channel, with an opaque cursor', async () => {
    const { service } = await setup();
    const contacts = ['+14155550101', '+14155550102', '+14155550103'];
    for (const [i, contact] of contacts.entries()) {
      await service.recordKeyword({ ...keyword('opt-out', 'STOP', `2026-02-0${i + 1}T00:00:00Z`, `SM${i}`), contact, channel: i === 1 ? 'whatsapp' : 'sms' });
    }
    await service.recordKeyword({ ...keyword('opt-in', 'START', '2026-02-09T00:00:00Z', 'SM9'), contact: contacts[0]! });

    const first = await service.listOptOuts(P, C, { limit: 1 });
    expect(first.data).toEqual([{ contact: contacts[2], since: '2026-02-03T00:00:00.000Z', channels: { sms: { since: '2026-02-03T00:00:00.000Z', source: 'keyword', keyword: 'STOP', messageId: 'SM2' } } }]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.nextCursor).not.toContain('+1');
    const second = await service.listOptOuts(P, C, { limit: 1, after: first.nextCursor! });
    expect(second.data.map((o) => o.contact)).toEqual([contacts[1]]);
    expect(second.nextCursor).toBeNull();
    expect((await service.listOptOuts(P, C, { limit: 10, channel: 'sms' })).data.map((o) => o.contact)).toEqual([contacts[2]]);
    await expect(service.listOptOuts(P, C, { limit: 10, after: 'bm9wZQ' })).rejects.toThrow(ValidationError);
  });
});

describe('consent service: concurrency', () => {
  it('retries a lost race and commits the change with exactly one event', async () => {
    const { service, log, raw } = await setup();
    log.failNext = 2;
    await service.recordKeyword(keyword('opt-out', 'STOP', '2026-02-01T10:00:00Z', 'SM1'));
    expect(sendBlock(raw(), 'sms')).toBeDefined();
    expect(log.events).toHaveLength(1);
  });
});

describe('sendBlock', () => {
  it('allows a send when there is no row, an unknown row, or another entity', () => {
    expect(sendBlock(undefined, 'sms')).toBeUndefined();
    expect(sendBlock({ pk: 'x', sk: 'STATE', entity: 'Customer', contact: CONTACT }, 'sms')).toBeUndefined();
    expect(sendBlock({ pk: 'x', sk: 'STATE', entity: 'ConsentState', contact: CONTACT, channels: 'garbage' }, 'sms')).toBeUndefined();
    expect(sendBlock({ pk: 'x', sk: 'STATE', entity: 'ConsentState', contact: CONTACT, channels: { sms: { state: 'opted-in', since: '2026-01-01T00:00:00.000Z', source: 'keyword' } } }, 'sms')).toBeUndefined();
  });

  it('blocks an opted-out channel even when the row lost its details', () => {
    const block = sendBlock({ pk: 'x', sk: 'STATE', entity: 'ConsentState', contact: CONTACT, updatedAt: '2026-01-02T00:00:00.000Z', channels: { sms: { state: 'opted-out' } } }, 'sms');
    expect(block).toEqual({ contact: CONTACT, channel: 'sms', since: '2026-01-02T00:00:00.000Z', source: 'keyword' });
  });
});
