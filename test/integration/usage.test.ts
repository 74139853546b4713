import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';
import { runCli } from '../../infra/cli/cli';
import { noOperations, recordingOutput } from '../unit/cli/fakes';

/**
 * A customer's monthly usage over HTTP on the local platform: our own counts of what was sent and
 * received beside the usage records the sandbox computes from what it recorded, per customer,
 * unchanged by redelivered webhooks. Every clock is moved by hand.
 */
let platform: Platform;
let partnerId: string;
let api: ApiClient;
let other: ApiClient;
let seq = 0;
const handset = () => `+1415555${String(8000 + ++seq).padStart(4, '0')}`;

interface Onboarded {
  id: string;
  accountSid: string;
  number: string;
}

async function onboard(): Promise<Onboarded> {
  const id = await newCustomer(api, customerBody());
  const started = await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } });
  expect(started.status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('SUCCEEDED');
  const timeline = (await api.get(`/v1/customers/${id}/onboarding`)).body;
  const numbers = (await api.get(`/v1/customers/${id}/numbers`)).body.data;
  return { id, accountSid: timeline.steps[0].sids.accountSid, number: numbers[0].phoneNumber };
}

async function settle(seconds = 10): Promise<void> {
  for (let i = 0; i < seconds; i++) await sandboxOf(platform).advance(1);
  await platform.queues.drain();
}

const usageOf = (customerId: string, month: string, client = api) => client.get(`/v1/customers/${customerId}/usage?month=${month}`);
const record = (body: { twilio: { records: Array<{ category: string }> } }, category: string) => body.twilio.records.find((r) => r.category === category) as Record<string, string> | undefined;

/** Message creates the sandbox accepted for an account. */
const acceptedCreates = (accountSid: string) =>
  sandboxOf(platform).requests({ method: 'POST', path: /\/Messages\.json$/ }).filter((r) => r.accountSid === accountSid && r.status < 300).length;

let first: Onboarded;
let second: Onboarded;
let month: string;
const bodies = [
  'Acme: your order shipped. Reply STOP to opt out.', // 1 segment
  `Acme: ${'order details '.repeat(14)}Reply STOP to opt out.`, // GSM-7, 2 segments
  `Acme: ${'x'.repeat(320)} Reply STOP to opt out.`, // GSM-7, 3 segments
];

beforeAll(async () => {
  platform = await startTestPlatform('usage', { twilio: 'sandbox', clock: manualClock() });
  const partner = await platform.admin.createPartnerWithKey('Usage partner');
  partnerId = partner.partnerId;
  api = apiClient(platform.url, partner.apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
  first = await onboard();
  second = await onboard();
}, 180_000);
afterAll(() => platform?.stop());

describe('GET /v1/customers/{id}/usage', () => {
  it("counts messages and segments by channel and direction, numbers held and fees, matching the sandbox's usage records", async () => {
    const sent = [];
    for (const body of bodies) {
      const reply = await api.post(`/v1/customers/${first.id}/messages`, { to: handset(), body });
      expect(reply.status).toBe(201);
      sent.push(reply.body);
    }
    expect(sent.map((m) => m.segments)).toEqual([1, 2, 3]);
    month = sent[0].createdAt.slice(0, 7);
    const inbound = [`Thanks! ${'y'.repeat(200)}`, 'When does it arrive?'];
    for (const body of inbound) await sandboxOf(platform).simulateInbound({ from: handset(), to: first.number, body });
    await settle();

    const usage = await usageOf(first.id, month);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      customerId: first.id,
      month,
      period: { start: `${month}-01T00:00:00.000Z` },
      messages: {
        sms: { outbound: { messages: 3, segments: 6 }, inbound: { messages: 2, segments: 3 } },
        whatsapp: { outbound: { messages: 0, segments: 0 }, inbound: { messages: 0, segments: 0 } },
      },
      numbers: { held: 1, items: [{ phoneNumber: first.number, sid: expect.stringMatching(/^PN/), releasedAt: null }] },
      twilio: { available: true },
    });
    // Twilio's side, as the sandbox computed it from what it recorded: the same messages and segments.
    expect(record(usage.body, 'sms-outbound')).toMatchObject({ count: '3', usage: '6', countUnit: 'messages', usageUnit: 'segments' });
    expect(record(usage.body, 'sms-inbound')).toMatchObject({ count: '2', usage: '3' });
    expect(record(usage.body, 'phonenumbers-local')).toMatchObject({ count: '1' });
    expect(Number(record(usage.body, 'sms-outbound')!.price)).toBeCloseTo(6 * 0.0079, 5);
    expect(acceptedCreates(first.accountSid)).toBe(3);
    // A real STANDARD brand and its campaign: registration, secondary vetting, campaign vetting and the month's fee.
    expect(usage.body.registrationFees.records.map((r: { category: string; count: string }) => `${r.category}:${r.count}`)).toEqual([
      'a2p-10dlc-registrationfees-brandregistration:1',
      'a2p-10dlc-registrationfees-bv:1',
      'a2p-10dlc-registrationfees-campaignvetting:1',
      'a2p-10dlc-registrationfees-monthly:1',
    ]);
    const fees = usage.body.registrationFees.records.reduce((n: number, r: { price: string }) => n + Number(r.price), 0);
    expect(Number(usage.body.registrationFees.total)).toBeCloseTo(fees, 5);
    expect(usage.body.registrationFees.priceUnit).toBe('usd');
  });

  it("keeps a second customer's usage apart, on its own subaccount's records", async () => {
    const reply = await api.post(`/v1/customers/${second.id}/messages`, { to: handset(), body: bodies[1] });
    expect(reply.status).toBe(201);
    await settle();
    const mine = (await usageOf(second.id, month)).body;
    expect(mine.messages.sms).toEqual({ outbound: { messages: 1, segments: 2 }, inbound: { messages: 0, segments: 0 } });
    expect(mine.numbers.items.map((n: { phoneNumber: string }) => n.phoneNumber)).toEqual([second.number]);
    expect(record(mine, 'sms-outbound')).toMatchObject({ count: '1', usage: '2' });
    const theirs = (await usageOf(first.id, month)).body;
    expect(theirs.messages.sms.outbound).toEqual({ messages: 3, segments: 6 });
    expect(record(theirs, 'sms-outbound')).toMatchObject({ count: '3' });
  });

  it('counts a message once when Twilio delivers its callbacks and an inbound message twice', async () => {
    const sandbox = sandboxOf(platform);
    const before = (await usageOf(first.id, month)).body.messages.sms;
    const duplicates = [sandbox.addRule({ type: 'webhook', kind: 'status-callback', action: 'duplicate' }), sandbox.addRule({ type: 'webhook', kind: 'inbound', action: 'duplicate' })];
    // Sent outside the API, to our status URL: its first callback adopts it (and counts it), the copies change nothing.
    const consoleContact = handset();
    const form = new URLSearchParams({ To: consoleContact, From: first.number, Body: 'Sent from the console', StatusCallback: `${platform.webhookBaseUrl}/status` });
    const created = await fetch(`${sandbox.url}/api.twilio.com/2010-04-01/Accounts/${first.accountSid}/Messages.json`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sandbox.masterAccountSid}:${sandbox.masterAuthToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(created.status).toBe(201);
    const adoptedSid = ((await created.json()) as { sid: string }).sid;
    const viaApi = await api.post(`/v1/customers/${first.id}/messages`, { to: handset(), body: bodies[0] });
    expect(viaApi.status).toBe(201);
    await sandbox.simulateInbound({ from: handset(), to: first.number, body: 'Got it' });
    await settle();
    duplicates.forEach((id) => sandbox.removeRule(id));
    // Every callback and the inbound message did arrive twice.
    expect(sandbox.webhooks({ kind: 'inbound', accountSid: first.accountSid }).filter((w) => w.params?.Body === 'Got it')).toHaveLength(2);
    const callbacks = sandbox.webhooks({ kind: 'status-callback', accountSid: first.accountSid }).filter((w) => w.params?.MessageSid === adoptedSid);
    expect(callbacks.map((w) => w.params?.MessageStatus)).toEqual(['sending', 'sending', 'sent', 'sent', 'delivered', 'delivered']);
    const adopted = (await api.get(`/v1/customers/${first.id}/messages?contact=${encodeURIComponent(consoleContact)}`)).body.data;
    expect(adopted).toEqual([expect.objectContaining({ sid: adoptedSid, direction: 'outbound', status: 'delivered' })]);

    const after = (await usageOf(first.id, month)).body;
    expect(after.messages.sms).toEqual({
      outbound: { messages: before.outbound.messages + 2, segments: before.outbound.segments + 2 },
      inbound: { messages: before.inbound.messages + 1, segments: before.inbound.segments + 1 },
    });
    expect(record(after, 'sms-outbound')).toMatchObject({ count: String(before.outbound.messages + 2) });
    expect(record(after, 'sms-inbound')).toMatchObject({ count: String(before.inbound.messages + 1) });
  });

  it("counts a scheduled message in its send time's month, and a cancel takes it back out", async () => {
    // Half an hour ahead of the sandbox's clock (moved by hand, never behind the platform's): inside Twilio's window for both.
    const sendAt = new Date(sandboxOf(platform).now().getTime() + 30 * 60_000).toISOString();
    const sendMonth = sendAt.slice(0, 7);
    const before = (await usageOf(first.id, sendMonth)).body.messages.sms.outbound;
    const scheduled = await api.post(`/v1/customers/${first.id}/messages`, { to: handset(), body: bodies[1], sendAt });
    expect(scheduled.body).toMatchObject({ status: 'scheduled', segments: 2 });
    expect((await usageOf(first.id, sendMonth)).body.messages.sms.outbound).toEqual({ messages: before.messages + 1, segments: before.segments + 2 });
    const canceled = await api.post(`/v1/customers/${first.id}/messages/${scheduled.body.id}/cancel`, {});
    expect(canceled.body.status).toBe('canceled');
    // Canceling again changes nothing, and takes nothing out twice.
    expect((await api.post(`/v1/customers/${first.id}/messages/${scheduled.body.id}/cancel`, {})).status).toBe(200);
    expect((await usageOf(first.id, sendMonth)).body.messages.sms.outbound).toEqual(before);
  });

  it('prints the same figures from the operator CLI, which reads the table and, without Twilio credentials, no records', async () => {
    // The platform set this process's environment, as the CLI's connect does for its target.
    const wiring = require('../../shared/wiring/usage') as typeof import('../../shared/wiring/usage');
    const partners = (require('../../shared/wiring/partners') as typeof import('../../shared/wiring/partners')).partners;
    const output = recordingOutput();
    const exitCode = await runCli(['customers', 'usage', '--partner', partnerId, '--customer', first.id, '--month', month], { out: output.out, connectOperations: noOperations, connect: async () => ({ partners, usage: wiring.tableUsage }) });
    expect({ exitCode, errors: output.errors }).toEqual({ exitCode: 0, errors: [] });
    const viaApi = (await usageOf(first.id, month)).body;
    expect(output.results[0].usage).toEqual({ ...viaApi, registrationFees: { records: [], total: null, priceUnit: null }, twilio: { available: false, records: [] } });
  });

  it('answers 404 for another partner and for an unknown customer, like any missing one', async () => {
    expectProblem(await usageOf(first.id, month, other), 404);
    expectProblem(await usageOf('cus_01J00000000000000000000000', month), 404);
  });

  it('defaults to the current month and refuses a malformed or future month naming query.month', async () => {
    const current = (await api.get(`/v1/customers/${first.id}/usage`)).body.month as string;
    expect(current).toMatch(/^\d{4}-\d{2}$/);
    const [year, mon] = current.split('-').map(Number) as [number, number];
    const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
    for (const bad of ['2026-13', '2026-1', 'December', '2026-12-01', next]) {
      const problem = expectProblem(await usageOf(first.id, encodeURIComponent(bad)), 400);
      expect(problem.errors?.map((e) => e.field)).toEqual(['query.month']);
    }
    const unknown = expectProblem(await api.get(`/v1/customers/${first.id}/usage?months=2026-01`), 400);
    expect(unknown.errors?.map((e) => e.field).join(' ')).toContain('months');
  });

  it('shows an earlier month with nothing in it as zeros, beside Twilio records of that month', async () => {
    const usage = (await usageOf(first.id, '2020-02')).body;
    expect(usage).toMatchObject({ month: '2020-02', period: { start: '2020-02-01T00:00:00.000Z', end: '2020-03-01T00:00:00.000Z' }, numbers: { held: 0 } });
    expect(usage.messages.sms.outbound).toEqual({ messages: 0, segments: 0 });
    expect(record(usage, 'sms-outbound')).toMatchObject({ count: '0' });
  });
});
