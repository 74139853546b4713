import { expectTwilioError, startHarness, subaccount, type Harness, type Twilio } from './support';

/** Usage records computed from what the sandbox recorded, in Twilio's shape and paging. */
describe('twilio sandbox — usage records', () => {
  let h: Harness;
  let sub: { sid: string; token: string; client: Twilio };
  beforeEach(async () => {
    // The sandbox clock starts at 2025-01-01T00:00:00Z.
    h = await startHarness({ reviewDelaySeconds: 0 });
    sub = await subaccount(h);
  });
  afterEach(() => h.sandbox.stop());

  const january = { startDate: new Date('2025-01-01T00:00:00Z'), endDate: new Date('2025-01-31T00:00:00Z'), includeSubaccounts: false };
  const byCategory = (records: Array<{ category: string }>) => Object.fromEntries(records.map((r) => [r.category, r])) as Record<string, any>;

  async function number() {
    return sub.client.incomingPhoneNumbers.create({ areaCode: '512' });
  }

  it('counts the messages it billed with their segments and prices, the numbers held, and totals them', async () => {
    const { phoneNumber } = await number();
    await sub.client.messages.create({ to: '+447700900111', from: phoneNumber, body: 'Hello' });
    await sub.client.messages.create({ to: '+447700900112', from: phoneNumber, body: 'x'.repeat(200) });
    // Refused before the carrier: failed, not billed.
    h.sandbox.addRule({ type: 'fail', step: 'message', errorCode: 21610, times: 1 });
    await sub.client.messages.create({ to: '+447700900113', from: phoneNumber, body: 'Gone' });
    await h.sandbox.simulateInbound({ from: '+447700900222', to: phoneNumber, body: 'Thanks' });
    await h.sandbox.advance(10);

    const records = byCategory(await sub.client.api.v2010.accounts(sub.sid).usage.records.list(january));
    expect(records['sms-outbound']).toMatchObject({ count: '2', usage: '3', countUnit: 'messages', usageUnit: 'segments', price: 0.0237, priceUnit: 'usd', accountSid: sub.sid });
    expect(records['sms-inbound']).toMatchObject({ count: '1', usage: '1', price: 0.0079 });
    expect(records['phonenumbers-local']).toMatchObject({ count: '1', price: 1.15 });
    expect(records['channels-messaging-outbound']).toMatchObject({ count: '0', price: 0 });
    expect(records['totalprice']!.price).toBeCloseTo(0.0237 + 0.0079 + 1.15, 5);
    // Nothing yet in February, but the number was bought before it.
    const february = byCategory(await sub.client.api.v2010.accounts(sub.sid).usage.records.list({ ...january, startDate: new Date('2025-02-01T00:00:00Z'), endDate: new Date('2025-02-28T00:00:00Z') }));
    expect(february['sms-outbound']).toMatchObject({ count: '0', usage: '0' });
    expect(february['phonenumbers-local']).toMatchObject({ count: '1' });
  });

  it('pages through every category, filters by one, and answers the master on the subaccount path', async () => {
    const all = await sub.client.api.v2010.accounts(sub.sid).usage.records.list(january);
    const page = await sub.client.api.v2010.accounts(sub.sid).usage.records.page({ ...january, pageSize: 5 });
    expect(page.instances).toHaveLength(5);
    expect(page.nextPageUrl).toContain('Page=1');
    const paged = await sub.client.api.v2010.accounts(sub.sid).usage.records.list({ ...january, pageSize: 5 });
    expect(paged.map((r) => r.category)).toEqual(all.map((r) => r.category));
    expect(new Set(all.map((r) => r.category)).size).toBe(all.length);
    expect(all.every((r) => r.startDate && r.endDate)).toBe(true);

    const one = await sub.client.api.v2010.accounts(sub.sid).usage.records.list({ ...january, category: 'sms-outbound' });
    expect(one.map((r) => r.category)).toEqual(['sms-outbound']);
    const viaMaster = await h.master.api.v2010.accounts(sub.sid).usage.records.list(january);
    expect(viaMaster).toHaveLength(all.length);
  });

  it("answers another account's records as missing, and a malformed date as Twilio's 20001", async () => {
    const other = await subaccount(h, 'Other');
    await expectTwilioError(other.client.api.v2010.accounts(sub.sid).usage.records.list(january), 404, 20404);
    const response = await fetch(`${h.sandbox.url}/api.twilio.com/2010-04-01/Accounts/${sub.sid}/Usage/Records.json?StartDate=2025-1-1`, {
      headers: { authorization: `Basic ${Buffer.from(`${sub.sid}:${sub.token}`).toString('base64')}` },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 20001 });
  });
});
