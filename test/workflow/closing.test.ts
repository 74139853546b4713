import { apiRoutes, matchPath } from '../../infra/catalog';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from './support';

/**
 * Closing a customer on the local platform: the real handlers, the onboarding run to its end on
 * the local runner, DynamoDB Local and the Twilio sandbox. A close releases every number with
 * Twilio (detached from the messaging service first), closes the subaccount, tells the partner,
 * and from then on every change to the customer is a 409 customer-closed.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('closing', { twilio: 'sandbox', clock: manualClock() });
  sandbox = sandboxOf(platform);
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Closing partner')).apiKey);
}, 60_000);
afterAll(() => platform?.stop());

async function onboarded(count: number): Promise<{ id: string; accountSid: string; numbers: Array<{ phoneNumber: string; id: string; messagingServiceSid: string }> }> {
  const id = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count } })).status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('SUCCEEDED');
  const accountSid = (await api.get(`/v1/customers/${id}/subaccount`)).body.accountSid;
  const numbers = (await api.get(`/v1/customers/${id}/numbers`)).body.data;
  expect(numbers).toHaveLength(count);
  return { id, accountSid, numbers };
}

async function eventsOf(customerId: string): Promise<Array<{ type: string; data: Record<string, any> }>> {
  const out = [];
  let after: string | undefined;
  for (;;) {
    const page = (await api.get(`/v1/events?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`)).body;
    out.push(...page.data.filter((e: { customerId?: string }) => e.customerId === customerId));
    if (page.nextCursor === null) return out;
    after = page.nextCursor;
  }
}

const TEMPLATE = {
  name: 'order_shipped', language: 'en', category: 'UTILITY', variables: { '1': 'Ana', '2': 'A-1234' },
  content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.' },
};
const CONSENT = { action: 'opt-in', channel: 'sms', evidence: { source: 'web-form', capturedAt: '2026-01-01T00:00:00Z', url: 'https://acme.example.com/optin' } };

describe('closing a customer', () => {
  it('releases every number with Twilio (detach first), closes the subaccount and tells the partner', async () => {
    const { id, accountSid, numbers } = await onboarded(2);
    const closed = await api.post(`/v1/customers/${id}/subaccount/close`, undefined);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ accountSid, status: 'closed' });
    expect(sandbox.account(accountSid)?.status).toBe('closed');

    for (const n of numbers) {
      const detach = sandbox.requests({ method: 'DELETE', path: `/v1/Services/${n.messagingServiceSid}/PhoneNumbers/${n.id}` });
      const release = sandbox.requests({ method: 'DELETE', path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${n.id}.json` });
      expect(detach.map((r) => r.status)).toEqual([204]);
      expect(release.map((r) => r.status)).toEqual([204]);
      // Twilio refuses to delete a number still in a messaging service: the detach came first.
      expect(detach[0]!.seq).toBeLessThan(release[0]!.seq);
    }
    // Every release before the account was closed: a closed account's credentials call nothing.
    const closeCall = sandbox.requests({ method: 'POST', path: `/2010-04-01/Accounts/${accountSid}.json` }).find((r) => r.params.Status === 'closed')!;
    expect(Math.max(...sandbox.requests({ method: 'DELETE', accountSid }).map((r) => r.seq))).toBeLessThan(closeCall.seq);

    expect((await api.get(`/v1/customers/${id}/numbers`)).body.data).toEqual([]);
    expect((await api.get(`/v1/customers/${id}`)).body.status).toBe('closed');
    expect((await api.get(`/v1/customers/${id}/onboarding`)).body.status).toBe('closed');

    const told = (await eventsOf(id)).filter((e) => (e.type === 'number.updated' && e.data.status === 'released') || e.type.startsWith('subaccount.'));
    expect(told.map((e) => e.type)).toEqual(['number.updated', 'number.updated', 'subaccount.closed']);
    expect(told.slice(0, 2).map((e) => e.data).sort((a, b) => (a.phoneNumber < b.phoneNumber ? -1 : 1))).toEqual(
      numbers.map((n) => ({ phoneNumber: n.phoneNumber, numberSid: n.id, status: 'released' })).sort((a, b) => (a.phoneNumber < b.phoneNumber ? -1 : 1)),
    );

    // Calling it again changes nothing and tells nothing.
    const calls = sandbox.requests({ accountSid }).length;
    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);
    expect(sandbox.requests({ accountSid }).length).toBe(calls);
    expect((await eventsOf(id)).filter((e) => e.type === 'subaccount.closed')).toHaveLength(1);
  });

  it("deletes the customer's WhatsApp senders at Twilio before its numbers are released", async () => {
    const { id, accountSid, numbers } = await onboarded(1);
    const created = await api.post(`/v1/customers/${id}/whatsapp/senders`, { phoneNumber: numbers[0]!.phoneNumber, wabaId: '104567890123456', profile: { name: 'Acme' } });
    expect(created.status).toBe(202);
    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);
    const removal = sandbox.requests({ method: 'DELETE', path: `/v2/Channels/Senders/${created.body.sid}` });
    const release = sandbox.requests({ method: 'DELETE', path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${numbers[0]!.id}.json` });
    expect([removal.map((r) => r.status), release.map((r) => r.status)]).toEqual([[204], [204]]);
    expect(removal[0]!.seq).toBeLessThan(release[0]!.seq);
    expect((await api.get(`/v1/customers/${id}/whatsapp/senders`)).body.data).toEqual([]);
    expect((await eventsOf(id)).filter((e) => e.type === 'whatsapp_sender.updated').map((e) => e.data.status)).toEqual(['CREATING', 'DELETED']);
  });

  it('refuses every change to a closed customer with 409 customer-closed, and nothing reaches Twilio', async () => {
    const { id, accountSid, numbers } = await onboarded(1);
    const scheduled = await api.post(`/v1/customers/${id}/messages`, { to: '+14155550198', body: 'Acme: see you tomorrow. Reply STOP to opt out.', sendAt: new Date(Date.now() + 2 * 3600_000).toISOString() });
    expect(scheduled.body.status).toBe('scheduled');
    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);
    const before = sandbox.requests().length;
    const contact = encodeURIComponent('+14155550199');
    // A closed customer's senders are deleted; any well-formed sender id is refused before it is looked up.
    const sender = `was_${'0'.repeat(26)}`;
    const changes: Array<[string, string, unknown]> = [
      ['PATCH', `/v1/customers/${id}`, { displayName: 'Renamed' }],
      ['POST', `/v1/customers/${id}/onboarding`, {}],
      ['POST', `/v1/customers/${id}/onboarding/preflight`, {}],
      ['POST', `/v1/customers/${id}/brands`, { brandType: 'STANDARD' }],
      ['POST', `/v1/customers/${id}/brands/BN${'0'.repeat(32)}/resubmit`, undefined],
      ['POST', `/v1/customers/${id}/campaigns`, CAMPAIGN],
      ['POST', `/v1/customers/${id}/numbers`, { count: 1 }],
      ['DELETE', `/v1/customers/${id}/numbers/${numbers[0]!.id}`, undefined],
      ['POST', `/v1/customers/${id}/messages`, { to: '+14155550199', body: 'Acme: hello. Reply STOP to opt out.' }],
      ['POST', `/v1/customers/${id}/messages/${scheduled.body.id}/cancel`, undefined],
      ['POST', `/v1/customers/${id}/contacts/${contact}/consent`, CONSENT],
      ['POST', `/v1/customers/${id}/subaccount/suspend`, undefined],
      ['POST', `/v1/customers/${id}/subaccount/reactivate`, undefined],
      ['POST', `/v1/customers/${id}/templates`, TEMPLATE],
      ['POST', `/v1/customers/${id}/templates/lint`, TEMPLATE],
      ['DELETE', `/v1/customers/${id}/templates/tpl_${'0'.repeat(26)}`, undefined],
      ['POST', `/v1/customers/${id}/templates/tpl_${'0'.repeat(26)}/resubmit`, { name: 'order_shipped_v2' }],
      ['POST', `/v1/customers/${id}/whatsapp/senders`, { phoneNumber: '+14155550177', wabaId: '104567890123456', profile: { name: 'Acme' } }],
      ['POST', `/v1/customers/${id}/whatsapp/senders/${sender}/verification`, { code: '123456' }],
      ['PATCH', `/v1/customers/${id}/whatsapp/senders/${sender}`, { profile: { about: 'Renamed' } }],
      ['DELETE', `/v1/customers/${id}/whatsapp/senders/${sender}`, undefined],
      // The upload is refused before its body is read, so no multipart body is needed to prove it.
      ['POST', `/v1/customers/${id}/documents`, undefined],
      ['DELETE', `/v1/customers/${id}/documents/doc_${'0'.repeat(26)}`, undefined],
    ];
    // Every route that changes a customer is here, but the two whose repeat is the answer itself
    // (creating the subaccount returns the closed one, closing again is a no-op) and the erasure,
    // which only a closed customer may have (test/integration/customer-deletion.test.ts). A portal
    // link is allowed too: a closed customer's portal only reads, since every change is refused here.
    const mutating = apiRoutes().filter((r) => r.trigger.path.startsWith('/v1/customers/{id}') && r.trigger.method !== 'GET');
    const exempt = ['POST /v1/customers/{id}/subaccount', 'POST /v1/customers/{id}/subaccount/close', 'DELETE /v1/customers/{id}', 'POST /v1/customers/{id}/portal-sessions'];
    const covered = mutating.filter((r) => changes.some(([method, path]) => method === r.trigger.method && matchPath(r.trigger.path, path)));
    expect(covered.map((r) => `${r.trigger.method} ${r.trigger.path}`).sort()).toEqual(
      mutating.map((r) => `${r.trigger.method} ${r.trigger.path}`).filter((r) => !exempt.includes(r)).sort(),
    );
    for (const [method, path, body] of changes) {
      const reply = await api.request(method, path, body === undefined ? {} : { body });
      expect({ method, path, status: reply.status, type: reply.body?.type }).toEqual({ method, path, status: 409, type: expect.stringMatching(/customer-closed$/) });
    }
    expect(sandbox.requests().length).toBe(before);
    // Reads keep working.
    expect((await api.get(`/v1/customers/${id}/subaccount`)).body).toMatchObject({ accountSid, status: 'closed' });
    expect((await api.get(`/v1/customers/${id}/contacts/${contact}/consent`)).status).toBe(200);
    // A portal link still opens: the session reads the customer, and a change is refused as it is for the key.
    const link = await api.post(`/v1/customers/${id}/portal-sessions`, {});
    expect(link.status).toBe(201);
    const opened = await fetch(link.body.url, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = cookie.match(/sb_csrf=([^;]+)/)![1]!;
    const portal = apiClient(platform.url);
    expect((await portal.get(`/v1/customers/${id}`, { cookie })).body).toMatchObject({ id, status: 'closed' });
    const change = await portal.patch(`/v1/customers/${id}`, { displayName: 'Renamed' }, { cookie, 'x-csrf-token': csrf });
    expect({ status: change.status, type: change.body?.type }).toEqual({ status: 409, type: expect.stringMatching(/customer-closed$/) });
  });

  it('closes a suspended customer: reactivated on Twilio just long enough to release its numbers', async () => {
    const { id, accountSid, numbers } = await onboarded(1);
    expect((await api.post(`/v1/customers/${id}/subaccount/suspend`, undefined)).status).toBe(200);
    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);
    const statuses = sandbox.requests({ method: 'POST', path: `/2010-04-01/Accounts/${accountSid}.json` }).map((r) => r.params.Status);
    expect(statuses).toEqual(['suspended', 'active', 'closed']);
    expect(sandbox.requests({ method: 'DELETE', path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${numbers[0]!.id}.json` }).map((r) => r.status)).toEqual([204]);
    const types = (await eventsOf(id)).map((e) => e.type).filter((t) => t.startsWith('subaccount.'));
    expect(types).toEqual(['subaccount.suspended', 'subaccount.closed']);
  });

  it('finishes a close that died halfway when it is called again', async () => {
    const { id, accountSid, numbers } = await onboarded(2);
    // The second release dies on a Twilio outage: the first number is released, the account is not closed.
    // (More failures than the gateway retries, so the request gives up.)
    const rule = sandbox.addRule({ type: 'server-error', method: 'DELETE', path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${numbers[1]!.id}.json`, times: 50 });
    const first = await api.post(`/v1/customers/${id}/subaccount/close`, undefined);
    expect(first.status).toBeGreaterThanOrEqual(500);
    sandbox.removeRule(rule);
    expect(sandbox.account(accountSid)?.status).toBe('active');
    // Already closed to changes while it is half done.
    expectProblem(await api.patch(`/v1/customers/${id}`, { displayName: 'Renamed' }), 409);

    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);
    expect(sandbox.account(accountSid)?.status).toBe('closed');
    expect((await api.get(`/v1/customers/${id}/numbers`)).body.data).toEqual([]);
    for (const n of numbers) {
      expect(sandbox.requests({ method: 'DELETE', path: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${n.id}.json` }).filter((r) => r.status === 204)).toHaveLength(1);
    }
    expect((await eventsOf(id)).filter((e) => e.type === 'subaccount.closed')).toHaveLength(1);
  });

  it('ends an onboarding that is running when the customer is closed: nothing more is registered or bought', async () => {
    const id = await newCustomer(api, customerBody());
    expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
    await platform.workflow.whenIdle();
    expect(platform.workflow.execution(`${id}-a1`)?.status).toBe('RUNNING');
    const accountSid = (await api.get(`/v1/customers/${id}/subaccount`)).body.accountSid;
    expect((await api.post(`/v1/customers/${id}/subaccount/close`, undefined)).status).toBe(200);

    const execution = await runToEnd(platform, `${id}-a1`);
    expect(execution.status).toBe('FAILED');
    const timeline = (await api.get(`/v1/customers/${id}/onboarding`)).body;
    expect(timeline.status).toBe('closed');
    const failed = timeline.steps.find((s: { status: string }) => s.status === 'failed');
    expect(failed.errors).toEqual([expect.objectContaining({ code: 'customer-closed' })]);
    expect(sandbox.requests({ method: 'POST', path: /IncomingPhoneNumbers\.json$/, accountSid })).toEqual([]);
    expect(sandbox.requests({ method: 'POST', path: /\/v1\/Services$/, accountSid })).toEqual([]);
  });
});
