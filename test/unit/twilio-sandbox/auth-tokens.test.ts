import twilio from 'twilio';
import { clientFor, expectTwilioError, parseForm, startHarness, subaccount, type Harness } from './support';

describe('twilio sandbox — auth-token rotation (Accounts v1)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.sandbox.stop());

  /** Texts the account's number and returns the signature check of the delivered webhook against `token`. */
  async function inboundSignedWith(number: string, token: string): Promise<boolean> {
    h.delivered.length = 0;
    await h.sandbox.simulateInbound({ from: '+15125550199', to: number, body: 'hi' });
    const req = h.delivered[0]!;
    return twilio.validateRequest(token, req.headers['X-Twilio-Signature']!, req.url, parseForm(req.body));
  }

  it('accepts the secondary next to the primary, promotes it, then refuses the old primary with 20003', async () => {
    const sub = await subaccount(h);
    const created = await sub.client.accounts.v1.secondaryAuthToken().create();
    expect(created.accountSid).toBe(sub.sid);
    const secondary = created.secondaryAuthToken!;
    expect(secondary).not.toBe(sub.token);

    const asSecondary = clientFor(h.sandbox, sub.sid, secondary);
    await expect(asSecondary.api.v2010.accounts(sub.sid).fetch()).resolves.toHaveProperty('sid', sub.sid);
    await expect(sub.client.api.v2010.accounts(sub.sid).fetch()).resolves.toHaveProperty('sid', sub.sid);

    const promoted = await asSecondary.accounts.v1.authTokenPromotion().update();
    expect(promoted.authToken).toBe(secondary);
    await expectTwilioError(sub.client.api.v2010.accounts(sub.sid).fetch(), 401, 20003);
    await expect(asSecondary.api.v2010.accounts(sub.sid).fetch()).resolves.toHaveProperty('sid', sub.sid);
    expect(h.sandbox.account(sub.sid)!.authToken).toBe(secondary);
  });

  it('answers 404/20404 to a promote or delete with no secondary, and a delete withdraws the secondary', async () => {
    const sub = await subaccount(h);
    await expectTwilioError(sub.client.accounts.v1.authTokenPromotion().update(), 404, 20404);
    await expectTwilioError(sub.client.accounts.v1.secondaryAuthToken().remove(), 404, 20404);

    const secondary = (await sub.client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken!;
    await expect(sub.client.accounts.v1.secondaryAuthToken().remove()).resolves.toBe(true);
    await expectTwilioError(clientFor(h.sandbox, sub.sid, secondary).api.v2010.accounts(sub.sid).fetch(), 401, 20003);
    await expectTwilioError(sub.client.accounts.v1.authTokenPromotion().update(), 404, 20404);
  });

  it('a second create replaces the secondary: only the newest authenticates', async () => {
    const sub = await subaccount(h);
    const first = (await sub.client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken!;
    const second = (await sub.client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken!;
    expect(second).not.toBe(first);
    await expectTwilioError(clientFor(h.sandbox, sub.sid, first).api.v2010.accounts(sub.sid).fetch(), 401, 20003);
    await expect(clientFor(h.sandbox, sub.sid, second).api.v2010.accounts(sub.sid).fetch()).resolves.toHaveProperty('sid');
  });

  it('signs webhooks with the primary only: never the secondary, the old primary while a promote propagates, then the new', async () => {
    h.sandbox.setTokenPropagation(60);
    const sub = await subaccount(h);
    const number = await sub.client.incomingPhoneNumbers.create({ areaCode: '512', smsUrl: 'https://hooks.example/sms' });
    const secondary = (await sub.client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken!;
    expect(await inboundSignedWith(number.phoneNumber, sub.token)).toBe(true);

    await clientFor(h.sandbox, sub.sid, secondary).accounts.v1.authTokenPromotion().update();
    expect(await inboundSignedWith(number.phoneNumber, sub.token)).toBe(true);
    await h.sandbox.advance(60);
    expect(await inboundSignedWith(number.phoneNumber, secondary)).toBe(true);
    expect(await inboundSignedWith(number.phoneNumber, sub.token)).toBe(false);
  });

  it('sets the propagation through the control API, refusing a negative one', async () => {
    const post = (seconds: unknown) =>
      fetch(`${h.sandbox.url}/__sandbox/settings/token-propagation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds }) });
    expect((await post(-1)).status).toBe(400);
    expect((await post('soon')).status).toBe(400);
    expect((await post(30)).status).toBe(204);

    const sub = await subaccount(h);
    const number = await sub.client.incomingPhoneNumbers.create({ areaCode: '512', smsUrl: 'https://hooks.example/sms' });
    const secondary = (await sub.client.accounts.v1.secondaryAuthToken().create()).secondaryAuthToken!;
    await clientFor(h.sandbox, sub.sid, secondary).accounts.v1.authTokenPromotion().update();
    await h.sandbox.advance(29);
    expect(await inboundSignedWith(number.phoneNumber, sub.token)).toBe(true);
    await h.sandbox.advance(1);
    expect(await inboundSignedWith(number.phoneNumber, secondary)).toBe(true);
  });
});
