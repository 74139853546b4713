import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';

/** The consent routes over HTTP: record with evidence, read back, list opt-outs, tenancy and input errors. */
let platform: Platform;
let api: ApiClient;
let other: ApiClient;
let customerId: string;
let foreignCustomerId: string;

const MISSING_CUSTOMER = 'cus_01JF3X0000000000000000ZZZZ';
const enc = encodeURIComponent;
const consentPath = (customer: string, phone: string) => `/v1/customers/${customer}/contacts/${enc(phone)}/consent`;
const evidence = (capturedAt: string, extra: Record<string, unknown> = {}) => ({ source: 'web-form', capturedAt, ...extra });

beforeAll(async () => {
  platform = await startTestPlatform('consent');
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Consent partner')).apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Other partner')).apiKey);
  customerId = (await api.post('/v1/customers', customerBody())).body.id;
  foreignCustomerId = (await other.post('/v1/customers', customerBody({ displayName: 'Not yours' }))).body.id;
});
afterAll(() => platform?.stop());

describe('consent over HTTP', () => {
  it('records a partner opt-out with evidence, reads it back and keeps every record', async () => {
    const phone = '+14155550123';
    // The path carries the number URL-encoded, as a partner's HTTP client sends it.
    expect(consentPath(customerId, phone)).toContain('%2B14155550123');
    const created = await api.post(consentPath(customerId, phone), { action: 'opt-out', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z', { formText: 'Stop texting me', ip: '203.0.113.7' }) });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(consentPath(customerId, phone));
    expect(created.body).toMatchObject({
      contact: phone,
      applied: true,
      channels: { sms: { state: 'opted-out', since: '2026-01-10T09:00:00.000Z', source: 'partner' }, whatsapp: { state: 'unknown' } },
      record: { action: 'opt-out', source: 'partner', effect: 'changed', evidence: { source: 'web-form', formText: 'Stop texting me', ip: '203.0.113.7' } },
    });

    // The same request again is the same record and the same answer.
    const replay = await api.post(consentPath(customerId, phone), { action: 'opt-out', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z', { formText: 'Stop texting me', ip: '203.0.113.7' }) });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(created.body);

    // An opt-in after the partner's own opt-out needs no more than its capture time.
    const optIn = await api.post(consentPath(customerId, phone), { action: 'opt-in', channel: 'sms', evidence: evidence('2026-01-11T09:00:00Z', { source: 'paper' }) });
    expect(optIn.body).toMatchObject({ applied: true, channels: { sms: { state: 'opted-in', source: 'partner' } } });

    const read = await api.get(consentPath(customerId, phone));
    expect(read.status).toBe(200);
    expect(read.body.channels.sms).toMatchObject({ state: 'opted-in', since: '2026-01-11T09:00:00.000Z' });
    expect(read.body.history.map((h: { action: string; at: string }) => [h.action, h.at])).toEqual([
      ['opt-out', '2026-01-10T09:00:00.000Z'],
      ['opt-in', '2026-01-11T09:00:00.000Z'],
    ]);

    const events = (await api.get('/v1/events?limit=100')).body.data.filter((e: { type: string }) => e.type.startsWith('contact.'));
    expect(events.map((e: { type: string; customerId: string; data: Record<string, unknown> }) => [e.type, e.customerId, e.data.source])).toEqual([
      ['contact.opted_out', customerId, 'partner'],
      ['contact.opted_in', customerId, 'partner'],
    ]);
  });

  it('answers a contact never seen with unknown states and an empty history', async () => {
    const read = await api.get(consentPath(customerId, '+14155550199'));
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ contact: '+14155550199', channels: { sms: { state: 'unknown' }, whatsapp: { state: 'unknown' } }, history: [] });
  });

  it('lists opted-out contacts newest first, page by page, and per channel', async () => {
    const { body: customer } = await api.post('/v1/customers', customerBody({ displayName: 'Opt-out pages' }));
    const phones = ['+14155550131', '+14155550132', '+14155550133', '+14155550134', '+14155550135'];
    for (const [i, phone] of phones.entries()) {
      const reply = await api.post(consentPath(customer.id, phone), { action: 'opt-out', channel: i === 2 ? 'whatsapp' : 'sms', evidence: evidence(`2026-01-0${i + 1}T00:00:00Z`) });
      expect(reply.status).toBe(201);
    }
    // Opted back in: no longer listed.
    await api.post(consentPath(customer.id, phones[0]!), { action: 'opt-in', channel: 'sms', evidence: evidence('2026-01-09T00:00:00Z') });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: Array<{ contact: string; since: string; channels: Record<string, { source: string }> }>; nextCursor: string | null } } = await api.get(
        `/v1/customers/${customer.id}/opt-outs?limit=2${cursor ? `&cursor=${enc(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((o) => o.contact));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 20);
    expect(seen).toEqual([phones[4], phones[3], phones[2], phones[1]]);

    const whatsapp = await api.get(`/v1/customers/${customer.id}/opt-outs?channel=whatsapp`);
    expect(whatsapp.body).toEqual({ data: [{ contact: phones[2], since: '2026-01-03T00:00:00.000Z', channels: { whatsapp: { since: '2026-01-03T00:00:00.000Z', source: 'partner' } } }], nextCursor: null });
  });

  it("answers another partner's customer exactly like a missing one, and writes nothing", async () => {
    const body = { action: 'opt-out', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z') };
    for (const [method, path, send] of [
      ['POST', (c: string) => consentPath(c, '+14155550123'), body],
      ['GET', (c: string) => consentPath(c, '+14155550123'), undefined],
      ['GET', (c: string) => `/v1/customers/${c}/opt-outs`, undefined],
    ] as const) {
      const foreign = await api.request(method, path(foreignCustomerId), { body: send });
      const missing = await api.request(method, path(MISSING_CUSTOMER), { body: send });
      expectProblem(foreign, 404);
      expect(foreign.body.detail.replace(foreignCustomerId, '<id>')).toBe(missing.body.detail.replace(MISSING_CUSTOMER, '<id>'));
    }
    expect((await other.get(consentPath(foreignCustomerId, '+14155550123'))).body.history).toEqual([]);
  });

  it.each(['%2B1415', 'abc', '14155550123', '%2B1%20415%20555%200123', '%E0%A4%A'])('refuses the phone %s with 400 naming path.phone', async (phone) => {
    for (const reply of [
      await api.get(`/v1/customers/${customerId}/contacts/${phone}/consent`),
      await api.post(`/v1/customers/${customerId}/contacts/${phone}/consent`, { action: 'opt-out', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z') }),
    ]) {
      // A malformed escape is refused by the router before any handler: 404 or 400, never a 5xx.
      if (phone === '%E0%A4%A') expect([400, 404]).toContain(reply.status);
      else expect(expectProblem(reply, 400).errors).toEqual([expect.objectContaining({ field: 'path.phone' })]);
    }
  });

  it.each([
    ['an unknown field', { action: 'opt-out', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z'), partnerId: 'ptn_x' }, 'body.partnerId'],
    ['an unknown evidence field', { action: 'opt-out', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z', { verified: true }) }, 'body.evidence.verified'],
    ['an action that is not a consent', { action: 'help', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z') }, 'body.action'],
    ['an unknown channel', { action: 'opt-in', channel: 'rcs', evidence: evidence('2026-01-10T09:00:00Z') }, 'body.channel'],
    ['a capture time in the future', { action: 'opt-in', channel: 'sms', evidence: evidence('2999-01-01T00:00:00Z') }, 'body.evidence.capturedAt'],
    ['a capture time that is not one', { action: 'opt-in', channel: 'sms', evidence: evidence('yesterday') }, 'body.evidence.capturedAt'],
    ['an http url', { action: 'opt-in', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z', { url: 'http://acme.example.com/signup' }) }, 'body.evidence.url'],
    ['an ip that is not one', { action: 'opt-in', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z', { ip: '999.1.1.1' }) }, 'body.evidence.ip'],
    ['form text over 2000 characters', { action: 'opt-in', channel: 'sms', evidence: evidence('2026-01-10T09:00:00Z', { formText: 'x'.repeat(2001) }) }, 'body.evidence.formText'],
    ['no evidence', { action: 'opt-in', channel: 'sms' }, 'body.evidence'],
  ])('refuses %s with 400 naming the field, and records nothing', async (_name, body, field) => {
    const phone = '+14155550177';
    const problem = expectProblem(await api.post(consentPath(customerId, phone), body), 400);
    expect(problem.errors?.map((e) => e.field)).toContain(field);
    expect((await api.get(consentPath(customerId, phone))).body.history).toEqual([]);
  });

  it('refuses list parameters out of range and cursors it did not issue', async () => {
    expect(expectProblem(await api.get(`/v1/customers/${customerId}/opt-outs?limit=101`), 400).errors?.[0]?.field).toBe('query.limit');
    expect(expectProblem(await api.get(`/v1/customers/${customerId}/opt-outs?limit=0`), 400).errors?.[0]?.field).toBe('query.limit');
    expect(expectProblem(await api.get(`/v1/customers/${customerId}/opt-outs?channel=fax`), 400).errors?.[0]?.field).toBe('query.channel');
    expect(expectProblem(await api.get(`/v1/customers/${customerId}/opt-outs?cursor=bm9wZQ`), 400).errors?.[0]?.field).toBe('query.cursor');
    expect(expectProblem(await api.get(`/v1/customers/${customerId}/opt-outs?after=x`), 400).errors?.[0]?.field).toBe('query.after');
  });
});
