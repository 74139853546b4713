import { startTwilioSandbox } from '../../../infra/local/twilio-sandbox';
import { clientFor, expectTwilioError, startHarness, subaccount, type Harness } from './support';

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-f]{32}$`);

describe('twilio sandbox — core', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ reviewDelaySeconds: 60 });
  });
  afterEach(() => h.sandbox.stop());

  it('creates subaccounts with their own credentials and Twilio SID formats', async () => {
    const account = await h.master.api.v2010.accounts.create({ friendlyName: 'Acme' });
    expect(account.sid).toMatch(SID('AC'));
    expect(account.authToken).toMatch(/^[0-9a-f]{32}$/);
    expect(account.ownerAccountSid).toBe(h.sandbox.masterAccountSid);
    expect(account.status).toBe('active');
    const sub = clientFor(h.sandbox, account.sid, account.authToken);
    const key = await sub.api.v2010.accounts(account.sid).newKeys.create({ friendlyName: 'k' });
    expect(key.sid).toMatch(SID('SK'));
    const address = await sub.addresses.create({ customerName: 'Acme', street: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', isoCountry: 'US' });
    expect(address.sid).toMatch(SID('AD'));
  });

  it('renders v2010 dates in RFC 2822 and pages with the v2010 envelope', async () => {
    await h.master.api.v2010.accounts.create({ friendlyName: 'One' });
    await h.master.api.v2010.accounts.create({ friendlyName: 'Two' });
    const res = await fetch(`${h.sandbox.url}/api.twilio.com/2010-04-01/Accounts.json?PageSize=2`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${h.sandbox.masterAccountSid}:${h.sandbox.masterAuthToken}`).toString('base64') },
    });
    const body = (await res.json()) as Record<string, unknown> & { accounts: Array<{ date_created: string }> };
    expect(body.accounts).toHaveLength(2);
    expect(body.accounts[0]!.date_created).toBe('Wed, 01 Jan 2025 00:00:00 +0000');
    expect(body).toMatchObject({ page: 0, page_size: 2, next_page_uri: '/2010-04-01/Accounts.json?PageSize=2&Page=1', previous_page_uri: null });
    // The SDK follows next_page_uri through the rewriting client.
    expect(await h.master.api.v2010.accounts.list({ pageSize: 1 })).toHaveLength(3);
  });

  it('refuses wrong credentials with 401/20003 and Twilio’s error body', async () => {
    const res = await fetch(`${h.sandbox.url}/api.twilio.com/2010-04-01/Accounts.json`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${h.sandbox.masterAccountSid}:wrong`).toString('base64') },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
  });

  it('keeps subaccounts apart: a foreign resource answers 404/20404', async () => {
    const a = await subaccount(h, 'A');
    const b = await subaccount(h, 'B');
    const service = await a.client.messaging.v1.services.create({ friendlyName: 'A service' });
    await expectTwilioError(b.client.messaging.v1.services(service.sid).fetch(), 404, 20404);
    await expectTwilioError(b.client.api.v2010.accounts(a.sid).fetch(), 404, 20404);
    // The parent may act on a subaccount path in v2010.
    const number = await h.master.api.v2010.accounts(a.sid).incomingPhoneNumbers.create({ areaCode: '415' });
    expect(number.accountSid).toBe(a.sid);
  });

  it('derives the account from credentials on the newer hosts (parent creds create parent-owned resources)', async () => {
    const a = await subaccount(h);
    const service = await h.master.messaging.v1.services.create({ friendlyName: 'oops' });
    expect(service.accountSid).toBe(h.sandbox.masterAccountSid);
    await expectTwilioError(a.client.messaging.v1.services(service.sid).fetch(), 404, 20404);
  });

  it('names the missing parameter in a 400', async () => {
    const a = await subaccount(h);
    const err = await expectTwilioError(a.client.trusthub.v1.customerProfiles.create({ friendlyName: 'x', email: '', policySid: 'RNdfbf3fae0e1107f8aded0e7cead80bf5' }), 400, 20001);
    expect(err.message).toContain('Email');
    await expectTwilioError(a.client.messages.create({ to: '', from: '+15005550006', body: 'x' }), 400, 21604);
  });

  it('applies account status rules: 21476, 21478, 21479 and closed is terminal', async () => {
    const a = await subaccount(h);
    await h.master.api.v2010.accounts(a.sid).update({ status: 'suspended' });
    await expectTwilioError(a.client.messaging.v1.services.list(), 403, 20403);
    await h.master.api.v2010.accounts(a.sid).update({ status: 'active' });
    expect((await a.client.messaging.v1.services.list())).toEqual([]);

    h.sandbox.setAccountStatus(a.sid, 'suspended', { byTwilio: true });
    await expectTwilioError(h.master.api.v2010.accounts(a.sid).update({ status: 'active' }), 400, 21478);

    const b = await subaccount(h);
    h.sandbox.setAccountStatus(h.sandbox.masterAccountSid, 'suspended');
    expect(h.sandbox.account(b.sid)!.status).toBe('suspended');
    h.sandbox.setAccountStatus(h.sandbox.masterAccountSid, 'active');
    await h.master.api.v2010.accounts(b.sid).update({ status: 'closed' });
    await expectTwilioError(h.master.api.v2010.accounts(b.sid).update({ status: 'active' }), 400, 21479);
    await expectTwilioError(b.client.messaging.v1.services.list(), 401, 20003);
  });

  it('answers 21476 when reactivating a child of a suspended parent', async () => {
    const a = await subaccount(h);
    await h.master.api.v2010.accounts(a.sid).update({ status: 'suspended' });
    const parent = h.sandbox.account(h.sandbox.masterAccountSid)!;
    // The parent's own credentials are refused while it is suspended, so ask through the control API.
    h.sandbox.setAccountStatus(parent.sid, 'suspended');
    const res = await fetch(`${h.sandbox.url}/__sandbox/accounts/${a.sid}/status`, { method: 'POST', body: JSON.stringify({ status: 'active' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: number }).code).toBe(21476);
  });

  it('throttles N times with 429/20429, then succeeds; 500 rules likewise', async () => {
    const a = await subaccount(h);
    h.sandbox.addRule({ type: 'throttle', method: 'POST', path: '/v1/Services', times: 2 });
    await expectTwilioError(a.client.messaging.v1.services.create({ friendlyName: 's' }), 429, 20429);
    await expectTwilioError(a.client.messaging.v1.services.create({ friendlyName: 's' }), 429, 20429);
    await expect(a.client.messaging.v1.services.create({ friendlyName: 's' })).resolves.toHaveProperty('sid');
    h.sandbox.addRule({ type: 'server-error', path: 'api.twilio.com/2010-04-01/Accounts/*/IncomingPhoneNumbers.json', times: 1 });
    await expectTwilioError(a.client.incomingPhoneNumbers.create({ areaCode: '212' }), 500, 20500);
    await expect(a.client.incomingPhoneNumbers.create({ areaCode: '212' })).resolves.toHaveProperty('sid');
  });

  it('records every request with host, path, params and account, and counts by endpoint', async () => {
    const a = await subaccount(h);
    await a.client.messaging.v1.services.create({ friendlyName: 'counted' });
    const creates = h.sandbox.requests({ method: 'POST', host: 'messaging.twilio.com', path: '/v1/Services' });
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ accountSid: a.sid, status: 201, params: { FriendlyName: 'counted' } });
    const res = await fetch(`${h.sandbox.url}/__sandbox/requests?host=messaging.twilio.com`);
    expect(((await res.json()) as { requests: unknown[] }).requests).toHaveLength(1);
  });

  it('is deterministic: the same seed gives the same SIDs; reset starts over', async () => {
    const other = await startTwilioSandbox({ masterAccountSid: h.sandbox.masterAccountSid, masterAuthToken: 'master-token-for-tests' });
    try {
      const first = await h.master.api.v2010.accounts.create({ friendlyName: 'x' });
      const second = await clientFor(other, other.masterAccountSid, other.masterAuthToken).api.v2010.accounts.create({ friendlyName: 'x' });
      expect(second.sid).toBe(first.sid);
      expect(second.authToken).toBe(first.authToken);
      h.sandbox.reset();
      expect(h.sandbox.requests()).toEqual([]);
      const again = await h.master.api.v2010.accounts.create({ friendlyName: 'x' });
      expect(again.sid).toBe(first.sid);
    } finally {
      await other.stop();
    }
  });

  it('searches deterministic available numbers and buys them, with 21422 for unavailable ones', async () => {
    const a = await subaccount(h);
    const found = await a.client.availablePhoneNumbers('US').local.list({ areaCode: 512, contains: '42', smsEnabled: true, limit: 3 });
    expect(found).toHaveLength(3);
    found.forEach((n) => expect(n.phoneNumber).toMatch(/^\+1512\d{5}42$/));
    const bought = await a.client.incomingPhoneNumbers.create({ phoneNumber: found[0]!.phoneNumber, smsUrl: 'https://hooks.example/sms' });
    expect(bought.sid).toMatch(SID('PN'));
    expect(bought.smsUrl).toBe('https://hooks.example/sms');
    await expectTwilioError(a.client.incomingPhoneNumbers.create({ phoneNumber: found[0]!.phoneNumber }), 400, 21422);
    h.sandbox.addRule({ type: 'fail', step: 'number-purchase', times: 1 });
    await expectTwilioError(a.client.incomingPhoneNumbers.create({ phoneNumber: found[1]!.phoneNumber }), 400, 21422);
    const after = await a.client.availablePhoneNumbers('US').local.list({ areaCode: 512, contains: '42', limit: 3 });
    expect(after.map((n) => n.phoneNumber)).not.toContain(found[0]!.phoneNumber);
    await a.client.incomingPhoneNumbers(bought.sid).remove();
    expect(await a.client.incomingPhoneNumbers.list()).toEqual([]);
  });
});
