import fc from 'fast-check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { billedSegments, counterAttribute, sumCounters, usageMonth } from '../../../shared/domain/usage';
import type { NumberRecord } from '../../../shared/domain/registration';
import { usageCount } from '../../../shared/messaging/usage-counts';
import { numbersHeld, registrationFees, sumPrices, usageService } from '../../../shared/services/usage';
import { usageStore } from '../../../shared/store/usage';
import type { UsagePeriod, UsageRecord } from '../../../shared/twilio/gateway';
import { fixedClock } from '../../support/fakes';

const NOW = new Date('2026-03-15T10:00:00.000Z');
const store = usageStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'table');

describe('usageMonth', () => {
  it('defaults to the current month (UTC) and gives its exact bounds and days', () => {
    expect(usageMonth(undefined, NOW)).toEqual({ month: '2026-03', start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z', firstDay: '2026-03-01', lastDay: '2026-03-31' });
    // Late on the last day in UTC is still that month, whatever a local zone says.
    expect(usageMonth(undefined, new Date('2026-02-28T23:59:59.999Z')).month).toBe('2026-02');
  });

  it.each([
    ['2024-02', '2024-02-29'],
    ['2025-02', '2025-02-28'],
    ['2025-12', '2025-12-31'],
    ['2026-01', '2026-01-31'],
  ])('%s ends on %s, and the next month starts right after', (month, lastDay) => {
    const m = usageMonth(month, NOW);
    expect(m.lastDay).toBe(lastDay);
    expect(Date.parse(m.end) - Date.parse(`${lastDay}T00:00:00Z`)).toBe(86_400_000);
  });

  it.each(['2026-13', '2026-00', '2026-1', '26-03', '2026-03-01', 'March', '', '2026-04', '2027-01'])('refuses %j naming query.month', (month) => {
    expect(() => usageMonth(month, NOW)).toThrow(expect.objectContaining({ status: 400, errors: [expect.objectContaining({ field: 'query.month' })] }));
  });

  it('covers every instant of the month exactly once (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: NOW, noInvalidDate: true }), (at) => {
        const m = usageMonth(at.toISOString().slice(0, 7), NOW);
        return m.start <= at.toISOString() && at.toISOString() < m.end;
      }),
    );
  });
});

describe('counters and their sums', () => {
  it('sums the shard rows by channel and direction, absent figures as zero', () => {
    const rows = [
      { [counterAttribute('sms', 'outbound', 'messages')]: 2, [counterAttribute('sms', 'outbound', 'segments')]: 5 },
      { smsOutboundMessages: 1, smsOutboundSegments: 1, whatsappInboundMessages: 3, whatsappInboundSegments: 3, smsInboundMessages: 'x' },
    ];
    expect(sumCounters(rows)).toEqual({
      sms: { outbound: { messages: 3, segments: 6 }, inbound: { messages: 0, segments: 0 } },
      whatsapp: { outbound: { messages: 0, segments: 0 }, inbound: { messages: 3, segments: 3 } },
    });
    expect(sumCounters([])).toEqual({
      sms: { outbound: { messages: 0, segments: 0 }, inbound: { messages: 0, segments: 0 } },
      whatsapp: { outbound: { messages: 0, segments: 0 }, inbound: { messages: 0, segments: 0 } },
    });
  });

  it('bills an SMS by its segments, an MMS or a WhatsApp message as one', () => {
    expect(billedSegments({ channel: 'sms', segments: 3 })).toBe(3);
    expect(billedSegments({ channel: 'sms' })).toBe(1);
    expect(billedSegments({ channel: 'sms', segments: 3, mediaUrls: ['https://a.example/1.png'] })).toBe(1);
    expect(billedSegments({ channel: 'whatsapp', segments: 4 })).toBe(1);
  });

  it("adds to the month's row of the message's shard, in the send time's month for a scheduled message, and takes a cancel back out", () => {
    const m = { partnerId: 'ptn_1', customerId: 'cus_1', messageId: 'msg_01J00000000000000000000000', channel: 'sms' as const, direction: 'outbound' as const, createdAt: '2026-03-31T23:50:00.000Z', segments: 2 };
    const now = usageCount(store, m).Update!;
    expect(now.Key).toEqual({ pk: 'PARTNER#ptn_1#CUSTOMER#cus_1#USAGE#2026-03', sk: expect.stringMatching(/^SHARD#([0-2]\d|3[01])$/) });
    expect(now.UpdateExpression).toContain('ADD #m :m, #s :s');
    expect(now.ExpressionAttributeNames).toMatchObject({ '#m': 'smsOutboundMessages', '#s': 'smsOutboundSegments' });
    expect(now.ExpressionAttributeValues).toMatchObject({ ':m': 1, ':s': 2 });
    expect(now.ConditionExpression).toBeUndefined();

    const scheduled = usageCount(store, { ...m, sendAt: '2026-04-02T09:00:00.000Z' }, -1).Update!;
    expect((scheduled.Key as { pk: string }).pk).toBe('PARTNER#ptn_1#CUSTOMER#cus_1#USAGE#2026-04');
    expect(scheduled.ExpressionAttributeValues).toMatchObject({ ':m': -1, ':s': -2 });
    // Twilio's own count wins when its answer carries one.
    expect(usageCount(store, m, 1, 4).Update!.ExpressionAttributeValues).toMatchObject({ ':s': 4 });
    expect(usageCount(store, { ...m, direction: 'inbound', channel: 'whatsapp' }).Update!.ExpressionAttributeNames).toMatchObject({ '#m': 'whatsappInboundMessages' });
  });

  it("spreads one month's counts over many rows of one partition, so no counter row is hot", () => {
    const rows = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const key = store.counterItem('ptn_1', 'cus_1', '2026-03', `msg_01J${String(i).padStart(23, '0')}`, { channel: 'sms', direction: 'outbound', messages: 1, segments: 1 }).Update!.Key as { pk: string; sk: string };
      expect(key.pk).toBe('PARTNER#ptn_1#CUSTOMER#cus_1#USAGE#2026-03');
      rows.add(key.sk);
    }
    expect(rows.size).toBe(32);
  });
});

const number = (phoneNumber: string, status: NumberRecord['status'], createdAt: string, updatedAt = createdAt): NumberRecord =>
  ({ partnerId: 'ptn_1', customerId: 'cus_1', phoneNumber, sid: `PN${phoneNumber.slice(1).padEnd(32, '0')}`, status, createdAt, updatedAt }) as NumberRecord;

describe('numbers held', () => {
  const march = usageMonth('2026-03', NOW);
  it('keeps numbers bought before the month ended and not released before it began', () => {
    const held = numbersHeld(
      [
        number('+15550000001', 'registered', '2026-01-10T00:00:00.000Z'),
        number('+15550000002', 'released', '2026-01-10T00:00:00.000Z', '2026-03-05T00:00:00.000Z'),
        number('+15550000003', 'released', '2026-01-10T00:00:00.000Z', '2026-02-27T00:00:00.000Z'),
        number('+15550000004', 'attached', '2026-04-01T00:00:00.000Z'),
        number('+15550000005', 'claimed', '2026-03-02T00:00:00.000Z'),
      ],
      march,
    );
    expect(held.map((n) => [n.phoneNumber, n.releasedAt])).toEqual([
      ['+15550000001', null],
      ['+15550000002', '2026-03-05T00:00:00.000Z'],
    ]);
  });
});

const rec = (category: string, price: string | null): UsageRecord => ({
  category, description: category, count: '1', countUnit: null, usage: '1', usageUnit: null, price, priceUnit: 'usd', startDate: '2026-03-01', endDate: '2026-03-31',
});

describe('fees and prices', () => {
  it('sums decimal prices exactly and says null when Twilio priced nothing', () => {
    expect(sumPrices(['0.1', '0.2'])).toBe('0.30000');
    expect(sumPrices(['4', '40', '15', '10'])).toBe('69.00000');
    expect(sumPrices([null, ''])).toBeNull();
  });

  it("takes Twilio's A2P fee categories as the registration fees", () => {
    const fees = registrationFees([rec('sms-outbound', '0.0474'), rec('a2p-10dlc-registrationfees-brandregistration', '4'), rec('a2p-10dlc-registrationfees-monthly', '1.5'), rec('totalprice', '5.5474')]);
    expect(fees.records.map((r) => r.category)).toEqual(['a2p-10dlc-registrationfees-brandregistration', 'a2p-10dlc-registrationfees-monthly']);
    expect(fees).toMatchObject({ total: '5.50000', priceUnit: 'usd' });
  });
});

describe('usageService', () => {
  function harness(customer: { accountSid?: string } | undefined) {
    const calls: Array<{ accountSid: string; period: UsagePeriod }> = [];
    const months: string[] = [];
    const service = usageService({
      customers: { get: async () => customer },
      numbers: { listNumbers: async () => [number('+15550000001', 'registered', '2026-01-10T00:00:00.000Z')] },
      counters: {
        month: async (_p, _c, month) => {
          months.push(month);
          return [{ smsOutboundMessages: 2, smsOutboundSegments: 3 }];
        },
      },
      twilio: {
        listUsageRecords: async (accountSid, period) => {
          calls.push({ accountSid, period });
          return [rec('sms-outbound', '0.0237'), rec('a2p-10dlc-registrationfees-campaignvetting', '15')];
        },
      },
      clock: fixedClock(NOW.toISOString()),
    });
    return { service, calls, months };
  }

  it("puts our counts beside Twilio's records of exactly the month's days for the subaccount", async () => {
    const { service, calls, months } = harness({ accountSid: 'AC' + '1'.repeat(32) });
    const usage = await service.monthly('ptn_1', 'cus_1', '2024-02');
    expect(calls).toEqual([{ accountSid: 'AC' + '1'.repeat(32), period: { startDate: '2024-02-01', endDate: '2024-02-29' } }]);
    expect(months).toEqual(['2024-02']);
    expect(usage).toMatchObject({
      month: '2024-02',
      period: { start: '2024-02-01T00:00:00.000Z', end: '2024-03-01T00:00:00.000Z' },
      messages: { sms: { outbound: { messages: 2, segments: 3 } } },
      numbers: { held: 0 },
      registrationFees: { total: '15.00000' },
      twilio: { available: true },
    });
    expect(usage.twilio.records.map((r) => r.category)).toEqual(['sms-outbound', 'a2p-10dlc-registrationfees-campaignvetting']);
  });

  it('asks Twilio nothing for a customer without a subaccount', async () => {
    const { service, calls } = harness({});
    const usage = await service.monthly('ptn_1', 'cus_1', undefined);
    expect(calls).toEqual([]);
    expect(usage).toMatchObject({ month: '2026-03', numbers: { held: 1 }, twilio: { available: false, records: [] }, registrationFees: { records: [], total: null } });
  });

  it('gives our own figures only where no Twilio credentials are at hand', async () => {
    const service = usageService({
      customers: { get: async () => ({ accountSid: 'AC' + '1'.repeat(32) }) },
      numbers: { listNumbers: async () => [] },
      counters: { month: async () => [{ whatsappOutboundMessages: 1, whatsappOutboundSegments: 1 }] },
      clock: fixedClock(NOW.toISOString()),
    });
    const usage = await service.monthly('ptn_1', 'cus_1', '2026-03');
    expect(usage).toMatchObject({ messages: { whatsapp: { outbound: { messages: 1, segments: 1 } } }, twilio: { available: false, records: [] } });
  });

  it('answers 404 for an unknown (or foreign) customer and 400 for a bad month, before Twilio or the counters', async () => {
    const missing = harness(undefined);
    await expect(missing.service.monthly('ptn_1', 'cus_x', '2026-03')).rejects.toMatchObject({ status: 404 });
    const known = harness({ accountSid: 'AC' + '1'.repeat(32) });
    await expect(known.service.monthly('ptn_1', 'cus_1', '2026-04')).rejects.toMatchObject({ status: 400 });
    expect([missing.calls, known.calls, missing.months, known.months]).toEqual([[], [], [], []]);
  });
});
