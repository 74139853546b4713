import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFor, startHarness, subaccount, type Harness } from './support';
import { campaignInput, standardBundles } from './a2p-fixtures';

const DELAY = 60;

describe('twilio sandbox — state kept across restarts', () => {
  let dir: string;
  let stateFile: string;
  const running: Harness[] = [];
  const start = async () => {
    const h = await startHarness({ reviewDelaySeconds: DELAY, stateFile });
    running.push(h);
    return h;
  };
  const stop = async (h: Harness) => {
    running.splice(running.indexOf(h), 1);
    await h.sandbox.stop();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    stateFile = join(dir, 'twilio-sandbox.json');
  });
  afterEach(async () => {
    for (const h of running.splice(0)) await h.sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows its subaccounts after a restart, and never hands a SID out twice', async () => {
    const first = await start();
    const sub = await subaccount(first, 'Customer cus_1');
    const primary = first.sandbox.primaryCustomerProfileSid;
    const now = first.sandbox.now().getTime();
    await stop(first);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);

    const second = await start();
    expect(second.sandbox.primaryCustomerProfileSid).toBe(primary);
    expect(second.sandbox.now().getTime()).toBeGreaterThanOrEqual(now);
    // The subaccount answers to its own token, and the master still lists it by FriendlyName.
    const again = clientFor(second.sandbox, sub.sid, sub.token);
    expect((await again.api.v2010.accounts(sub.sid).fetch()).friendlyName).toBe('Customer cus_1');
    expect((await second.master.api.v2010.accounts.list({ friendlyName: 'Customer cus_1' })).map((a) => a.sid)).toEqual([sub.sid]);
    const next = await subaccount(second, 'Customer cus_2');
    expect(next.sid).not.toBe(sub.sid);
  });

  it('finishes the reviews that were in flight when it stopped', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const bundles = await standardBundles(first, sub.client);
    await first.sandbox.advance(DELAY); // both bundles in-review
    await stop(first);

    const second = await start();
    const client = clientFor(second.sandbox, sub.sid, sub.token);
    expect((await client.trusthub.v1.customerProfiles(bundles.customerProfileSid).fetch()).status).toBe('in-review');
    expect(second.sandbox.pendingTransitions().map((t) => t.label)).toEqual(
      expect.arrayContaining([expect.stringContaining(`${bundles.customerProfileSid} → decided`), expect.stringContaining(`${bundles.trustProductSid} → decided`)]),
    );
    await second.sandbox.advance(DELAY);
    expect((await client.trusthub.v1.customerProfiles(bundles.customerProfileSid).fetch()).status).toBe('twilio-approved');
    expect((await client.trusthub.v1.trustProducts(bundles.trustProductSid).fetch()).status).toBe('twilio-approved');
    // The approval was announced to the bundle's status callback, signed with the restored token.
    expect(second.delivered.some((d) => d.body.includes(`BundleSid=${bundles.customerProfileSid}`) && d.body.includes('twilio-approved'))).toBe(true);
  });

  it('finishes a brand review and a message on its way', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const bundles = await standardBundles(first, sub.client);
    await first.sandbox.advance(2 * DELAY);
    const brand = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid });
    const number = await sub.client.incomingPhoneNumbers.create({ areaCode: '415' });
    const message = await sub.client.messages.create({ to: '+447700900111', from: number.phoneNumber, body: 'Hi', statusCallback: 'https://hooks.example/status' });
    await first.sandbox.advance(1); // the message is sending
    await stop(first);

    const second = await start();
    const client = clientFor(second.sandbox, sub.sid, sub.token);
    expect((await client.messages(message.sid).fetch()).status).toBe('sending');
    await second.sandbox.advance(2 * DELAY);
    expect((await client.messaging.v1.brandRegistrations(brand.sid).fetch()).status).toBe('APPROVED');
    expect((await client.messages(message.sid).fetch()).status).toBe('delivered');
    const statuses = second.delivered.filter((d) => d.url === 'https://hooks.example/status').map((d) => new URLSearchParams(d.body).get('MessageStatus'));
    expect(statuses).toEqual(['sent', 'delivered']);
  });

  it("keeps a campaign's policy URLs", async () => {
    const first = await start();
    const sub = await subaccount(first);
    const bundles = await standardBundles(first, sub.client);
    const brand = await sub.client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid });
    await first.sandbox.advance(2 * DELAY);
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'A2P' });
    const urls = { privacyPolicyUrl: 'https://acme.example/privacy', termsAndConditionsUrl: 'https://acme.example/terms' };
    const campaign = await sub.client.messaging.v1.services(service.sid).usAppToPerson.create({ ...campaignInput(brand.sid), ...urls });
    await stop(first);

    const second = await start();
    const client = clientFor(second.sandbox, sub.sid, sub.token);
    expect(await client.messaging.v1.services(service.sid).usAppToPerson(campaign.sid).fetch({ xTwilioApiVersion: 'v1.2' })).toMatchObject(urls);
  });

  it('starts a kept sandbox without a snapshot on a fresh seed, so an older table cannot hold its SIDs', async () => {
    const first = await start();
    const a = await subaccount(first);
    await stop(first);
    rmSync(stateFile);
    const second = await start();
    const b = await subaccount(second);
    expect(b.sid).not.toBe(a.sid);
  });

  it('starts clean when the file belongs to another master account', async () => {
    const first = await start();
    const sub = await subaccount(first);
    await stop(first);
    const other = await startHarness({ masterAccountSid: 'AC' + 'b'.repeat(32), stateFile });
    running.push(other);
    expect(other.sandbox.account(sub.sid)).toBeUndefined();
  });
});
