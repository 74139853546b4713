import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwilioSandboxOptions } from '../../../infra/local/twilio-sandbox';
import { clientFor, startHarness, subaccount, type Harness, type Twilio } from './support';
import { EVENTS_URL, campaignInput, soleProprietorBundles, standardBundles, subscribeToA2pEvents } from './a2p-fixtures';

const DELAY = 60;
/** The sandbox's default sole proprietor OTP validity. */
const OTP_VALIDITY_MS = 24 * 3600_000;
const STATUS_URL = 'https://hooks.example/status';

describe('twilio sandbox — state kept across restarts', () => {
  let dir: string;
  let stateFile: string;
  const running: Harness[] = [];
  const start = async (options: TwilioSandboxOptions = {}) => {
    const h = await startHarness({ reviewDelaySeconds: DELAY, stateFile, ...options });
    running.push(h);
    return h;
  };
  const stop = async (h: Harness) => {
    running.splice(running.indexOf(h), 1);
    await h.sandbox.stop();
  };
  /** Stops `first` and starts a sandbox from its state file, with a client for the subaccount. */
  const restart = async (first: Harness, sub: { sid: string; token: string }, options: TwilioSandboxOptions = {}) => {
    await stop(first);
    const second = await start(options);
    return { second, client: clientFor(second.sandbox, sub.sid, sub.token) };
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
    const { second, client } = await restart(first, sub);
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
    const { second, client } = await restart(first, sub);
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
    const { client } = await restart(first, sub);
    expect(await client.messaging.v1.services(service.sid).usAppToPerson(campaign.sid).fetch({ xTwilioApiVersion: 'v1.2' })).toMatchObject(urls);
  });

  /** A WhatsApp sender on a number the account owns, so it verifies without waiting for a code. */
  const ownedSender = async (client: Twilio, phoneNumber: string, name: string) => {
    await client.incomingPhoneNumbers.create({ phoneNumber });
    return client.messaging.v2.channelsSenders.create({ sender_id: `whatsapp:${phoneNumber}`, profile: { name } } as never);
  };
  const submitTemplate = async (client: Twilio, friendlyName: string) => {
    const content = await client.content.v1.contents.create({ friendly_name: friendlyName, language: 'en', types: { 'twilio/text': { body: 'Hi {{1}}' } } } as never);
    await client.content.v1.contents(content.sid).approvalCreate.create({ name: `${content.sid.toLowerCase()}_v1`, category: 'UTILITY' });
    return content;
  };
  const subscribeToTemplateEvents = async (client: Twilio) => {
    const sink = await client.events.v1.sinks.create({ description: 'templates', sinkType: 'webhook', sinkConfiguration: { destination: EVENTS_URL, method: 'POST', batch_events: false } });
    await client.events.v1.subscriptions.create({ description: 'templates', sinkSid: sink.sid, types: [{ type: 'com.twilio.messaging.template.approval.updated', schema_version: 1 }] });
  };
  /** Template status changes announced to the event sink, as `sid previous→current`. */
  const templateEvents = (h: Harness) =>
    h.delivered
      .filter((d) => d.url.startsWith(EVENTS_URL))
      .flatMap((d) => JSON.parse(d.body) as Array<{ data: { template: { sid: string; previousValue: string; currentValue: string } } }>)
      .map(({ data: { template: t } }) => `${t.sid} ${t.previousValue}→${t.currentValue}`);

  it('finishes WhatsApp sender verifications that were in flight when it stopped', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const updating = await ownedSender(sub.client, '+447700900601', 'Acme');
    await first.sandbox.advance(DELAY);
    const reviewed = await ownedSender(sub.client, '+447700900602', 'Acme Dental');
    await first.sandbox.advance(DELAY);
    const failing = await ownedSender(sub.client, '+447700900603', 'Acme [fail:sender]');
    await first.sandbox.advance(DELAY);
    await sub.client.messaging.v2.channelsSenders(updating.sid).update({ profile: { name: 'Acme Clinics' } } as never);
    // Not the account's number: once created, it waits for the code the owner receives.
    const creating = await sub.client.messaging.v2.channelsSenders.create({ sender_id: 'whatsapp:+447700900604', profile: { name: 'Acme' } } as never);
    const { second, client } = await restart(first, sub);
    const status = async (sid: string) => (await client.messaging.v2.channelsSenders(sid).fetch()).status;
    const statuses = async () => Promise.all([updating, reviewed, failing, creating].map((s) => status(s.sid)));
    expect(await statuses()).toEqual(['ONLINE:UPDATING', 'TWILIO_REVIEW', 'VERIFYING', 'CREATING']);
    await second.sandbox.advance(DELAY);
    expect(await statuses()).toEqual(['ONLINE', 'ONLINE', 'TWILIO_REVIEW', 'PENDING_VERIFICATION']);
    await second.sandbox.advance(DELAY);
    // The scenario marker in the profile name decides the resumed review as it would have before.
    expect(await client.messaging.v2.channelsSenders(failing.sid).fetch()).toMatchObject({ status: 'OFFLINE', offlineReasons: [expect.objectContaining({ code: '63020' })] });
    await client.messaging.v2.channelsSenders(creating.sid).update({ configuration: { verification_code: second.sandbox.whatsAppVerificationCode(creating.sid) } } as never);
    await second.sandbox.advance(2 * DELAY);
    expect(await status(creating.sid)).toBe('ONLINE');
  });

  it('finishes WhatsApp template reviews that were in flight when it stopped, with their events', async () => {
    const first = await start();
    const sub = await subaccount(first);
    await subscribeToTemplateEvents(sub.client);
    const approving = await submitTemplate(sub.client, 'reminder');
    await first.sandbox.advance(DELAY);
    const rejecting = await submitTemplate(sub.client, 'promo [fail:template]');
    const { second, client } = await restart(first, sub);
    const approval = async (sid: string) => (await client.content.v1.contents(sid).approvalFetch().fetch()).whatsapp;
    expect([(await approval(approving.sid)).status, (await approval(rejecting.sid)).status]).toEqual(['pending', 'received']);
    await second.sandbox.advance(2 * DELAY);
    expect(await approval(approving.sid)).toMatchObject({ status: 'approved' });
    expect(await approval(rejecting.sid)).toMatchObject({ status: 'rejected', rejection_reason: expect.stringContaining('INVALID_FORMAT') });
    expect(templateEvents(second)).toEqual([`${approving.sid} pending→approved`, `${rejecting.sid} received→pending`, `${rejecting.sid} pending→rejected`]);
  });

  it('leaves WhatsApp senders and templates that were already decided as they were', async () => {
    const first = await start();
    const sub = await subaccount(first);
    await subscribeToTemplateEvents(sub.client);
    const online = await ownedSender(sub.client, '+447700900611', 'Acme');
    const offline = await ownedSender(sub.client, '+447700900612', 'Acme [fail:sender]');
    const approved = await submitTemplate(sub.client, 'reminder');
    const rejected = await submitTemplate(sub.client, 'promo [fail:template]');
    await first.sandbox.advance(3 * DELAY);
    const before = await Promise.all([online, offline].map((s) => sub.client.messaging.v2.channelsSenders(s.sid).fetch()));
    const contentsBefore = await Promise.all([approved, rejected].map((c) => sub.client.content.v1.contents(c.sid).fetch()));
    expect(before.map((s) => s.status)).toEqual(['ONLINE', 'OFFLINE']);
    const { second, client } = await restart(first, sub);
    expect(second.sandbox.pendingTransitions()).toEqual([]);
    await second.sandbox.advance(3 * DELAY);
    const after = await Promise.all([online, offline].map((s) => client.messaging.v2.channelsSenders(s.sid).fetch()));
    expect(after.map((s) => [s.status, s.offlineReasons])).toEqual(before.map((s) => [s.status, s.offlineReasons]));
    for (const [index, content] of [approved, rejected].entries()) {
      expect((await client.content.v1.contents(content.sid).fetch()).dateUpdated).toEqual(contentsBefore[index]!.dateUpdated);
    }
    expect([(await client.content.v1.contents(approved.sid).approvalFetch().fetch()).whatsapp.status, (await client.content.v1.contents(rejected.sid).approvalFetch().fetch()).whatsapp.status]).toEqual(['approved', 'rejected']);
    expect(templateEvents(second)).toEqual([]);
  });

  /** A message scheduled an hour ahead through a service whose pool holds one number. */
  const scheduleMessage = async (h: Harness, client: Twilio) => {
    const service = await client.messaging.v1.services.create({ friendlyName: 'svc', statusCallback: STATUS_URL });
    const number = await client.incomingPhoneNumbers.create({ areaCode: '415' });
    await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: number.sid });
    const sendAt = new Date(h.sandbox.now().getTime() + 3600_000);
    const message = await client.messages.create({ to: '+447700900888', messagingServiceSid: service.sid, body: 'later', sendAt, scheduleType: 'fixed' });
    expect(message.status).toBe('scheduled');
    return { sid: message.sid, sendAt };
  };
  const messageStatus = async (client: Twilio, sid: string) => (await client.messages(sid).fetch()).status;
  const statusCallbacks = (h: Harness) => h.delivered.filter((d) => d.url === STATUS_URL).map((d) => new URLSearchParams(d.body).get('MessageStatus'));

  it('sends a message scheduled at the stop at its send time', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const message = await scheduleMessage(first, sub.client);
    await first.sandbox.advance(600);
    const { second, client } = await restart(first, sub);
    expect(second.sandbox.pendingTransitions()).toContainEqual(expect.objectContaining({ label: `message ${message.sid} scheduled send`, dueAt: message.sendAt.getTime() }));
    await second.sandbox.advance(3600 - 600 - 1);
    expect(await messageStatus(client, message.sid)).toBe('scheduled');
    await second.sandbox.advance(1);
    expect(await messageStatus(client, message.sid)).toBe('accepted');
    await second.sandbox.advance(10);
    expect(await messageStatus(client, message.sid)).toBe('delivered');
    expect(statusCallbacks(second)).toEqual(['queued', 'sending', 'sent', 'delivered']);
  });

  it('sends a scheduled message at once when its send time passed before the restart', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const message = await scheduleMessage(first, sub.client);
    await stop(first);

    // A sandbox started later than its snapshot's time continues from the later time.
    const second = await start({ startTime: new Date(message.sendAt.getTime() + 3600_000) });
    const client = clientFor(second.sandbox, sub.sid, sub.token);
    await second.sandbox.advance(0);
    expect(await messageStatus(client, message.sid)).toBe('accepted');
    await second.sandbox.advance(10);
    expect(await messageStatus(client, message.sid)).toBe('delivered');
  });

  it('leaves a canceled scheduled message canceled', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const message = await scheduleMessage(first, sub.client);
    await sub.client.messages(message.sid).update({ status: 'canceled' });
    const { second, client } = await restart(first, sub);
    expect(second.sandbox.pendingTransitions()).toEqual([]);
    await second.sandbox.advance(2 * 3600);
    expect(await messageStatus(client, message.sid)).toBe('canceled');
    expect(statusCallbacks(second)).toEqual([]);
  });

  it('judges a scheduled WhatsApp template after a restart as a template: it needs no open conversation', async () => {
    const first = await start();
    const sub = await subaccount(first);
    await ownedSender(sub.client, '+447700900621', 'Acme');
    await first.sandbox.advance(3 * DELAY);
    const content = await sub.client.content.v1.contents.create({ friendly_name: 'reminder', language: 'en', types: { 'twilio/text': { body: 'Hi {{1}}' } } } as never);
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'svc', statusCallback: STATUS_URL });
    const sendAt = new Date(first.sandbox.now().getTime() + 3600_000);
    const message = await sub.client.messages.create({ to: 'whatsapp:+447700900999', messagingServiceSid: service.sid, contentSid: content.sid, contentVariables: '{"1":"Bo"}', sendAt, scheduleType: 'fixed' });
    await stop(first);

    const second = await start();
    await second.sandbox.advance(3600 + 10);
    expect(await messageStatus(clientFor(second.sandbox, sub.sid, sub.token), message.sid)).toBe('read');
  });

  /** A sole proprietor brand, approved and waiting for its owner's OTP, and when that OTP expires. */
  const awaitingOtp = async (h: Harness, client: Twilio) => {
    await subscribeToA2pEvents(client);
    const bundles = await soleProprietorBundles(h, client);
    const brand = await client.messaging.v1.brandRegistrations.create({ customerProfileBundleSid: bundles.customerProfileSid, a2PProfileBundleSid: bundles.trustProductSid, brandType: 'SOLE_PROPRIETOR' });
    await h.sandbox.advance(2 * DELAY);
    expect(await client.messaging.v1.brandRegistrations(brand.sid).fetch()).toMatchObject({ status: 'APPROVED', identityStatus: 'UNVERIFIED' });
    return { sid: brand.sid, expiresAt: h.sandbox.now().getTime() + OTP_VALIDITY_MS };
  };
  const brandEvents = (h: Harness) =>
    h.delivered
      .filter((d) => d.url.startsWith(EVENTS_URL))
      .flatMap((d) => JSON.parse(d.body) as Array<{ type: string }>)
      .map((e) => e.type.replace('com.twilio.messaging.compliance.', ''));
  const otpErrorCodes = async (client: Twilio, sid: string) => (await client.messaging.v1.brandRegistrations(sid).fetch()).errors.map((e) => (e as { code: number }).code);

  it('expires an OTP awaited at the stop when it would have', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const brand = await awaitingOtp(first, sub.client);
    await first.sandbox.advance(3600);
    const { second, client } = await restart(first, sub);
    expect(second.sandbox.pendingTransitions()).toContainEqual(expect.objectContaining({ label: `brand ${brand.sid} OTP expiry`, dueAt: brand.expiresAt }));
    await second.sandbox.advance(OTP_VALIDITY_MS / 1000 - 3600 - 1);
    expect(await otpErrorCodes(client, brand.sid)).toEqual([]);
    await second.sandbox.advance(1);
    expect(await otpErrorCodes(client, brand.sid)).toEqual([30752]);
    expect(brandEvents(second)).toEqual(['brand-registration.brand-unverified']);
    // Expired: there is no OTP left to confirm.
    await expect(second.sandbox.confirmBrandOtp(brand.sid)).rejects.toMatchObject({ code: 30752 });
  });

  it('expires an OTP at once when its expiry passed before the restart', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const brand = await awaitingOtp(first, sub.client);
    const { second, client } = await restart(first, sub, { startTime: new Date(brand.expiresAt + 3600_000) });
    await second.sandbox.advance(0);
    expect(await otpErrorCodes(client, brand.sid)).toEqual([30752]);
    expect(brandEvents(second)).toEqual(['brand-registration.brand-unverified']);
  });

  it('lets an OTP awaited at the stop be confirmed after a restart, which ends its expiry', async () => {
    const first = await start();
    const sub = await subaccount(first);
    const brand = await awaitingOtp(first, sub.client);
    await first.sandbox.advance(3600);
    const { second, client } = await restart(first, sub);
    await second.sandbox.confirmBrandOtp(brand.sid);
    await second.sandbox.advance(OTP_VALIDITY_MS / 1000);
    expect(await client.messaging.v1.brandRegistrations(brand.sid).fetch()).toMatchObject({ identityStatus: 'VERIFIED', errors: [] });
    expect(brandEvents(second)).toEqual(['brand-registration.brand-verified']);
    // The verified brand goes on as before: its campaign is approved.
    const service = await client.messaging.v1.services.create({ friendlyName: 'A2P' });
    const campaign = await client.messaging.v1.services(service.sid).usAppToPerson.create({ ...campaignInput(brand.sid), usAppToPersonUsecase: 'SOLE_PROPRIETOR' });
    await second.sandbox.advance(DELAY);
    expect((await client.messaging.v1.services(service.sid).usAppToPerson(campaign.sid).fetch()).campaignStatus).toBe('VERIFIED');
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
