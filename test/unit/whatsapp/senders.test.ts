import { refreshLaneOf, type WhatsAppSenderRecord } from '../../../shared/domain/whatsapp-sender';
import type { PartnerEventInput, TransactWriteItem } from '../../../shared/services/partner-events-contract';
import { whatsAppSenderService, type WhatsAppSendersTwilio } from '../../../shared/services/whatsapp/senders';
import type { WhatsAppSenderRepository } from '../../../shared/store/whatsapp-senders';
import { TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import type { WhatsAppSender } from '../../../shared/twilio/gateway';
import { fixedClock, sequentialIds } from '../../support/fakes';

const P = 'ptn_a';
const C = 'cus_a';
const MG = `MG${'1'.repeat(32)}`;
const CREDS = { accountSid: `AC${'2'.repeat(32)}`, authToken: 'token' };
const INPUT = { phoneNumber: '+14155550142', wabaId: '104567890123456', verificationMethod: 'sms' as const, profile: { name: 'Acme' } };

/** An in-memory store with the repository's contract; a change is applied only if the version it read is still stored. */
function fakeStore() {
  const rows = new Map<string, WhatsAppSenderRecord>();
  const claims = new Map<string, string>();
  const store: WhatsAppSenderRepository = {
    async claim(record) {
      const owner = claims.get(record.phoneNumber);
      if (owner) {
        const existing = [...rows.values()].find((r) => r.id === owner && r.customerId === record.customerId);
        return existing ? { outcome: 'mine', existing: { ...existing } } : { outcome: 'taken' };
      }
      claims.set(record.phoneNumber, record.id);
      rows.set(record.id, { ...record });
      return { outcome: 'claimed' };
    },
    get: async (_p, _c, id) => (rows.has(id) ? { ...rows.get(id)! } : undefined),
    async numberOwner(phoneNumber) {
      const owner = rows.get(claims.get(phoneNumber) ?? '');
      return owner && { partnerId: owner.partnerId, customerId: owner.customerId };
    },
    list: async () => [...rows.values()].map((r) => ({ ...r })),
    async startCreating(ref, now, stale) {
      const r = rows.get(ref.id);
      if (!r || r.sid || (r.creatingSince && r.creatingSince >= stale)) return false;
      rows.set(ref.id, { ...r, creatingSince: now });
      return true;
    },
    async stopCreating(ref) {
      const { creatingSince: _c, ...r } = rows.get(ref.id)!;
      rows.set(ref.id, r as WhatsAppSenderRecord);
    },
    async abandon(record) {
      rows.delete(record.id);
      claims.delete(record.phoneNumber);
    },
    changeItems: (before, after) => [{ apply: () => {
      if (rows.get(before.id)?.version !== before.version) return false;
      rows.set(before.id, { ...after, version: before.version + 1 });
      if (after.status === 'DELETED') claims.delete(before.phoneNumber);
      return true;
    } } as unknown as TransactWriteItem],
    dueForRefresh: async () => [...rows.values()].filter((r) => refreshLaneOf(r.status, r.attached) !== 'none').map((r) => ({ partnerId: r.partnerId, customerId: r.customerId, id: r.id })),
  };
  return { store, rows, claims };
}

function setup() {
  const { store, rows, claims } = fakeStore();
  const told: PartnerEventInput[] = [];
  const atTwilio = new Map<string, WhatsAppSender>();
  const calls: string[] = [];
  let n = 0;
  const twilio = {
    createWhatsAppSender: jest.fn(async (_creds: unknown, input: { senderId: string; wabaId: string }): Promise<WhatsAppSender> => {
      calls.push('create');
      const sender = { sid: `XE${String(++n).padStart(32, '0')}`, senderId: input.senderId, status: 'CREATING', offlineReasons: [], qualityRating: null, messagingLimit: null, wabaId: input.wabaId };
      atTwilio.set(sender.sid, sender);
      return { ...sender };
    }),
    fetchWhatsAppSender: jest.fn(async (_creds: unknown, sid: string): Promise<WhatsAppSender> => {
      const found = atTwilio.get(sid);
      if (!found) throw new TwilioPermanentError({ code: 20404, status: 404, message: 'not found', moreInfo: null });
      return { ...found };
    }),
    updateWhatsAppSender: jest.fn(async (_creds: unknown, sid: string): Promise<WhatsAppSender> => ({ ...atTwilio.get(sid)! })),
    deleteWhatsAppSender: jest.fn(async (_creds: unknown, sid: string) => void atTwilio.delete(sid)),
    listWhatsAppSenders: jest.fn(async () => [...atTwilio.values()].map((s) => ({ ...s }))),
    attachWhatsAppSenderToService: jest.fn(async (_creds: unknown, serviceSid: string, sid: string) => ({ sid, messagingServiceSid: serviceSid, sender: null as string | null })),
    detachWhatsAppSenderFromService: jest.fn(async () => undefined),
  };
  const service = whatsAppSenderService({
    senders: store,
    customers: { get: async () => ({ id: C, partnerId: P, status: 'active', accountSid: CREDS.accountSid }) as never },
    onboarding: { get: async () => ({ sids: { messagingServiceSid: MG } }) as never },
    subaccounts: { credentials: async () => CREDS },
    twilio: twilio as unknown as WhatsAppSendersTwilio,
    events: {
      appendWith: async (_p, events, items) => {
        const applied = items.map((i) => (i as unknown as { apply(): boolean }).apply());
        if (applied.includes(false)) return { committed: false };
        told.push(...events);
        return { committed: true, events: [] };
      },
    },
    clock: fixedClock(),
    ids: sequentialIds(),
    settings: { webhookBaseUrl: async () => 'https://hooks.example/' },
  });
  const statuses = () => told.map((e) => (e.data as { status: string }).status);
  return { service, twilio, atTwilio, rows, claims, told, statuses, calls };
}

describe('WhatsApp sender service', () => {
  it('sends our receivers as the webhooks and stores the SID with its first event', async () => {
    const { service, twilio, statuses } = setup();
    const { sender, created } = await service.register(P, C, INPUT);
    expect(created).toBe(true);
    expect(sender).toMatchObject({ sid: expect.stringMatching(/^XE/), status: 'CREATING', attached: false, messagingServiceSid: MG });
    expect(twilio.createWhatsAppSender.mock.calls[0]![1]).toMatchObject({
      senderId: 'whatsapp:+14155550142', wabaId: INPUT.wabaId, webhook: { callbackUrl: 'https://hooks.example/inbound', statusCallbackUrl: 'https://hooks.example/status' },
    });
    expect(statuses()).toEqual(['CREATING']);
  });

  it('adopts the sender Twilio created when its answer was lost, instead of creating a second one', async () => {
    const { service, twilio, calls, statuses } = setup();
    const create = twilio.createWhatsAppSender.getMockImplementation()!;
    twilio.createWhatsAppSender.mockImplementationOnce(async (creds, input) => {
      await create(creds, input);
      throw new TwilioRetryableError({ code: null, status: null, message: 'timeout', moreInfo: null });
    });
    await expect(service.register(P, C, INPUT)).rejects.toBeInstanceOf(TwilioRetryableError);
    const again = await service.register(P, C, INPUT);
    expect(again).toMatchObject({ created: true, sender: { sid: expect.stringMatching(/^XE/) } });
    expect(calls).toEqual(['create']);
    expect(statuses()).toEqual(['CREATING']);
    // And once stored, the same registration is the same sender.
    expect(await service.register(P, C, INPUT)).toMatchObject({ created: false, sender: { id: again.sender.id } });
  });

  it('frees the number when Twilio refuses the registration, so a fixed request starts over', async () => {
    const { service, twilio, claims, rows } = setup();
    twilio.createWhatsAppSender.mockRejectedValueOnce(new TwilioPermanentError({ code: 20001, status: 400, message: 'bad waba', moreInfo: null }));
    await expect(service.register(P, C, INPUT)).rejects.toBeInstanceOf(TwilioPermanentError);
    expect([claims.size, rows.size]).toEqual([0, 0]);
    expect((await service.register(P, C, INPUT)).created).toBe(true);
  });

  it('refuses a number registered under another WABA', async () => {
    const { service } = setup();
    await service.register(P, C, INPUT);
    await expect(service.register(P, C, { ...INPUT, wabaId: '999999999' })).rejects.toMatchObject({ status: 409 });
  });

  it('refresh: tells a change once, writes nothing when nothing moved, and attaches an ONLINE sender (an attach Twilio already has counts)', async () => {
    const { service, twilio, atTwilio, statuses, rows } = setup();
    const { sender } = await service.register(P, C, INPUT);
    const now = new Date('2026-01-01T00:01:00Z');
    atTwilio.get(sender.sid!)!.status = 'VERIFYING';
    expect(await service.refresh(now)).toEqual({ checked: 1, changed: 1, failed: 0 });
    const version = rows.get(sender.id)!.version;
    expect(await service.refresh(now)).toEqual({ checked: 1, changed: 0, failed: 0 });
    expect(rows.get(sender.id)!.version).toBe(version);

    Object.assign(atTwilio.get(sender.sid!)!, { status: 'ONLINE', qualityRating: 'HIGH', messagingLimit: '1K Customers/24hr' });
    twilio.attachWhatsAppSenderToService.mockRejectedValueOnce(new TwilioPermanentError({ code: 21710, status: 400, message: 'already in service', moreInfo: null }));
    await service.refresh(now);
    expect(rows.get(sender.id)).toMatchObject({ status: 'ONLINE', attached: true, qualityRating: 'HIGH' });
    expect(await service.refresh(now)).toEqual({ checked: 0, changed: 0, failed: 0 });
    expect(statuses()).toEqual(['CREATING', 'VERIFYING', 'ONLINE']);
  });

  it('refresh: a sender deleted at Twilio outside Switchboard is marked deleted and its number freed', async () => {
    const { service, atTwilio, claims, statuses } = setup();
    const { sender } = await service.register(P, C, INPUT);
    atTwilio.delete(sender.sid!);
    expect(await service.refresh(new Date())).toEqual({ checked: 1, changed: 1, failed: 0 });
    expect(statuses()).toEqual(['CREATING', 'DELETED']);
    expect(claims.size).toBe(0);
  });

  it('delete detaches from the service before deleting at Twilio, then frees the number', async () => {
    const { service, twilio, atTwilio, claims, statuses, rows } = setup();
    const { sender } = await service.register(P, C, INPUT);
    atTwilio.get(sender.sid!)!.status = 'ONLINE';
    await service.refresh(new Date());
    await service.remove(P, C, sender.id);
    expect(twilio.detachWhatsAppSenderFromService.mock.invocationCallOrder[0]!).toBeLessThan(twilio.deleteWhatsAppSender.mock.invocationCallOrder[0]!);
    expect([claims.size, rows.get(sender.id)!.status]).toEqual([0, 'DELETED']);
    expect(statuses().at(-1)).toBe('DELETED');
    await expect(service.get(P, C, sender.id)).rejects.toMatchObject({ status: 404 });
  });

  it('follows senders in progress every run, waiting ones hourly, and leaves ONLINE ones in the service alone', () => {
    expect(['CREATING', 'VERIFYING', 'TWILIO_REVIEW', 'ONLINE:UPDATING'].map((s) => refreshLaneOf(s as never, false))).toEqual(['active', 'active', 'active', 'active']);
    expect(['PENDING_VERIFICATION', 'OFFLINE'].map((s) => refreshLaneOf(s as never, false))).toEqual(['waiting', 'waiting']);
    expect([refreshLaneOf('ONLINE', false), refreshLaneOf('ONLINE', true), refreshLaneOf('DELETED', false)]).toEqual(['active', 'none', 'none']);
  });
});
