import { observeSandboxResponses } from '../../../infra/local/twilio-sandbox';
import { validateTwilioResponse } from '../../support/twilio-openapi';
import { expectTwilioError, startHarness, subaccount, type Harness, type Twilio } from './support';

const DELAY = 60;
const INBOUND_URL = 'https://hooks.example/twilio/inbound';

/**
 * The sandbox's WhatsApp senders: the lifecycle on its clock (CREATING → PENDING_VERIFICATION →
 * VERIFYING → TWILIO_REVIEW → ONLINE, ONLINE:UPDATING after a profile change, OFFLINE with a
 * reason by scenario), the verification code Meta sends the number, and the sender's place in a
 * messaging service — every answer within Twilio's specs.
 */
describe('twilio sandbox — WhatsApp senders', () => {
  let h: Harness;
  let sub: { sid: string; token: string; client: Twilio };
  const violations: string[] = [];
  let stop: () => void;
  beforeEach(async () => {
    h = await startHarness({ reviewDelaySeconds: DELAY });
    sub = await subaccount(h);
    stop = observeSandboxResponses((x) => violations.push(...validateTwilioResponse({ method: x.method, url: `https://${x.host}${x.path}`, status: x.status, body: x.body })));
  });
  afterEach(async () => {
    stop();
    await h.sandbox.stop();
    expect(violations.splice(0)).toEqual([]);
  });

  const create = (phoneNumber: string, name = 'Acme') =>
    sub.client.messaging.v2.channelsSenders.create({
      sender_id: `whatsapp:${phoneNumber}`, configuration: { waba_id: '1234567890', verification_method: 'sms' }, profile: { name }, webhook: { callback_url: INBOUND_URL, callback_method: 'POST' },
    } as never);
  const status = async (sid: string) => (await sub.client.messaging.v2.channelsSenders(sid).fetch()).status;
  const submit = (sid: string, code: string | undefined) => sub.client.messaging.v2.channelsSenders(sid).update({ configuration: { verification_code: code } } as never);

  it('walks a number of its own through the code Meta sends it: a wrong code is refused, the right one verifies, review, ONLINE', async () => {
    const sender = await create('+447700900701');
    expect(sender.status).toBe('CREATING');
    expect(h.sandbox.whatsAppVerificationCode(sender.sid)).toBeUndefined();
    await h.sandbox.advance(DELAY);
    expect(await status(sender.sid)).toBe('PENDING_VERIFICATION');
    const code = h.sandbox.whatsAppVerificationCode(sender.sid)!;
    expect(code).toMatch(/^\d{6}$/);

    const wrong = code === '000000' ? '111111' : '000000';
    await expectTwilioError(submit(sender.sid, wrong), 400, 20001);
    expect(await status(sender.sid)).toBe('PENDING_VERIFICATION');

    expect((await submit(sender.sid, code)).status).toBe('VERIFYING');
    expect(h.sandbox.whatsAppVerificationCode(sender.sid)).toBeUndefined();
    await h.sandbox.advance(DELAY);
    expect(await status(sender.sid)).toBe('TWILIO_REVIEW');
    await h.sandbox.advance(DELAY);
    const online = await sub.client.messaging.v2.channelsSenders(sender.sid).fetch();
    expect(online).toMatchObject({ status: 'ONLINE', properties: { qualityRating: 'HIGH', messagingLimit: expect.any(String) }, offlineReasons: null });
    // A code for a sender that is not waiting for one is refused too.
    await expectTwilioError(submit(sender.sid, code), 400, 20001);
  });

  it('verifies a Twilio number of the account without a code', async () => {
    await sub.client.incomingPhoneNumbers.create({ phoneNumber: '+447700900702' });
    const sender = await create('+447700900702');
    await h.sandbox.advance(DELAY);
    expect(await status(sender.sid)).toBe('VERIFYING');
    await h.sandbox.advance(2 * DELAY);
    expect(await status(sender.sid)).toBe('ONLINE');
  });

  it('ends OFFLINE with the reason a scenario rule names (63020: the WABA invitation was not accepted)', async () => {
    await sub.client.incomingPhoneNumbers.create({ phoneNumber: '+447700900703' });
    h.sandbox.addRule({ type: 'fail', step: 'sender', errorCode: 63020, accountSid: sub.sid, times: 1 });
    const sender = await create('+447700900703');
    await h.sandbox.advance(3 * DELAY);
    const offline = await sub.client.messaging.v2.channelsSenders(sender.sid).fetch();
    expect(offline.status).toBe('OFFLINE');
    expect(offline.offlineReasons).toEqual([expect.objectContaining({ code: '63020', message: expect.stringContaining('invitation') })]);
  });

  it('takes a profile change on an ONLINE sender through ONLINE:UPDATING back to ONLINE', async () => {
    await sub.client.incomingPhoneNumbers.create({ phoneNumber: '+447700900704' });
    const sender = await create('+447700900704');
    await h.sandbox.advance(3 * DELAY);
    const updated = await sub.client.messaging.v2.channelsSenders(sender.sid).update({ profile: { about: 'Open on Sundays' } } as never);
    expect(updated.status).toBe('ONLINE:UPDATING');
    expect(updated.profile).toMatchObject({ name: 'Acme', about: 'Open on Sundays' });
    await h.sandbox.advance(DELAY);
    expect(await status(sender.sid)).toBe('ONLINE');
  });

  it('attaches a sender to one messaging service, refuses a second attach, detaches it, and forgets it with the sender', async () => {
    const service = await sub.client.messaging.v1.services.create({ friendlyName: 'svc' });
    const other = await sub.client.messaging.v1.services.create({ friendlyName: 'other' });
    const sender = await create('+447700900705');
    const attached = await sub.client.messaging.v1.services(service.sid).channelSenders.create({ sid: sender.sid });
    expect(attached).toMatchObject({ sid: sender.sid, messagingServiceSid: service.sid, sender: 'whatsapp:+447700900705', senderType: 'WhatsApp' });
    await expectTwilioError(sub.client.messaging.v1.services(service.sid).channelSenders.create({ sid: sender.sid }), 400, 21710);
    await expectTwilioError(sub.client.messaging.v1.services(other.sid).channelSenders.create({ sid: sender.sid }), 400, 21712);
    expect((await sub.client.messaging.v1.services(service.sid).channelSenders.list()).map((s) => s.sid)).toEqual([sender.sid]);

    await sub.client.messaging.v1.services(service.sid).channelSenders(sender.sid).remove();
    expect(await sub.client.messaging.v1.services(service.sid).channelSenders.list()).toEqual([]);
    await expectTwilioError(sub.client.messaging.v1.services(service.sid).channelSenders(sender.sid).fetch(), 404, 20404);

    await sub.client.messaging.v1.services(other.sid).channelSenders.create({ sid: sender.sid });
    await sub.client.messaging.v2.channelsSenders(sender.sid).remove();
    expect(await sub.client.messaging.v1.services(other.sid).channelSenders.list()).toEqual([]);
  });

  it("answers 404 for another account's sender, in the Senders API and in a messaging service", async () => {
    const sender = await create('+447700900706');
    const stranger = await subaccount(h, 'Stranger');
    const service = await stranger.client.messaging.v1.services.create({ friendlyName: 'svc' });
    await expectTwilioError(stranger.client.messaging.v2.channelsSenders(sender.sid).fetch(), 404, 20404);
    await expectTwilioError(stranger.client.messaging.v1.services(service.sid).channelSenders.create({ sid: sender.sid }), 404, 20404);
    expect(await stranger.client.messaging.v2.channelsSenders.list({ channel: 'whatsapp' })).toEqual([]);
  });
});
