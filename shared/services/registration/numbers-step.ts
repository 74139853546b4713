import { NumberOptionsSchema } from '../../domain/onboarding';
import type { NumberRecord, NumberStatus } from '../../domain/registration';
import { TwilioPermanentError } from '../../twilio/errors';
import type { StepContext, StepModule } from './context';
import { webhookUrl } from './context';
import type { StepOutcome } from './contract';
import { campaignWaitKey } from './campaign-step';
import { numberRelease } from './number-release';

export const numberWaitKey = (numberSid: string) => `number:${numberSid}`;

const active = (n: NumberRecord) => n.status !== 'released';

async function moveNumber(ctx: StepContext, n: NumberRecord, status: NumberStatus, patch: Partial<Pick<NumberRecord, 'sid' | 'messagingServiceSid' | 'failureReason'>> = {}): Promise<void> {
  const { partnerId, customerId } = ctx.input;
  const moved = await ctx.deps.onboarding.updateNumber(partnerId, customerId, n.phoneNumber, status, patch, ctx.now());
  Object.assign(n, patch, moved ? { status } : {});
  if (moved) await ctx.deps.events.append(partnerId, { type: 'number.updated', customerId, data: { phoneNumber: n.phoneNumber, numberSid: n.sid, status, ...patch } });
}

/**
 * Buys until the customer holds `count` numbers. Each candidate is claimed platform-wide before
 * the purchase (so two customers can never end up with one number) and its PN stored the moment
 * Twilio answers. A candidate Twilio refuses (taken meanwhile) is unclaimed and the next one tried.
 */
async function buyMissing(ctx: StepContext, numbers: NumberRecord[]): Promise<StepOutcome | undefined> {
  const prefs = NumberOptionsSchema.parse(ctx.record.options.numbers ?? {});
  const creds = await ctx.creds();
  // Resolved before any claim: a number is never claimed for a purchase that cannot name its webhook.
  const smsUrl = await webhookUrl(ctx.deps.settings, 'inbound');
  const { partnerId, customerId } = ctx.input;
  // A claim left by a crashed run is finished first.
  const pending = numbers.filter((n) => n.status === 'claimed');
  let missing = prefs.count - numbers.filter((n) => active(n) && n.status !== 'claimed').length;
  const candidates = [...pending.map((n) => n.phoneNumber)];
  if (missing > pending.length) {
    const found = await ctx.deps.twilio.searchAvailableNumbers(creds, {
      countryCode: prefs.country,
      areaCode: prefs.areaCode,
      inRegion: prefs.region,
      contains: prefs.contains,
      smsEnabled: true,
      limit: Math.min(30, missing * 3),
    });
    candidates.push(...found.map((a) => a.phoneNumber).filter((p) => !numbers.some((n) => n.phoneNumber === p)));
  }
  for (const phoneNumber of candidates) {
    if (missing <= 0) break;
    const at = ctx.now();
    const record: NumberRecord = { partnerId, customerId, phoneNumber, status: 'claimed', createdAt: at, updatedAt: at };
    const claim = await ctx.deps.onboarding.claimNumber(record);
    if (claim === 'taken') continue;
    try {
      const bought = await ctx.deps.twilio.buyNumber(creds, { phoneNumber, smsUrl, friendlyName: `switchboard:${customerId}` });
      const row = numbers.find((n) => n.phoneNumber === phoneNumber) ?? record;
      if (!numbers.includes(row)) numbers.push(row);
      await moveNumber(ctx, row, 'purchased', { sid: bought.sid });
      missing -= 1;
    } catch (error) {
      if (!(error instanceof TwilioPermanentError)) throw error;
      await ctx.deps.onboarding.abandonClaim(partnerId, customerId, phoneNumber);
    }
  }
  if (missing > 0) {
    return {
      status: 'failed',
      errors: [{ code: 'no-numbers', message: `Found ${prefs.count - missing} of ${prefs.count} numbers; widen the search`, fields: ['numbers.areaCode', 'numbers.region', 'numbers.contains'] }],
      sids: numberSids(numbers),
    };
  }
  return undefined;
}

function numberSids(numbers: NumberRecord[]): Record<string, string> {
  return Object.fromEntries(numbers.filter((n) => active(n) && n.sid).map((n) => [`number:${n.phoneNumber}`, n.sid!]));
}

/** Attached numbers wait for carrier registration, which only Event Streams reports (there is no GET). */
function registrationOutcome(numbers: NumberRecord[]): StepOutcome {
  const mine = numbers.filter(active);
  const sids = numberSids(mine);
  const failed = mine.filter((n) => n.status === 'registration-failed');
  if (failed.length > 0) {
    return {
      status: 'failed',
      errors: failed.map((n) => ({ code: 'number-registration-failed', message: `${n.phoneNumber}: ${n.failureReason ?? 'carrier registration failed'}`, fields: ['numbers'] })),
      sids,
    };
  }
  const unregistered = mine.find((n) => n.status !== 'registered');
  if (unregistered) return { status: 'waiting', waitingFor: numberWaitKey(unregistered.sid!), sids };
  return { status: 'succeeded', sids };
}

/**
 * Numbers join the messaging service only once the campaign is VERIFIED: before that they would
 * sit in an unregistered pool (30034 on every US send).
 */
async function attachAll(ctx: StepContext, numbers: NumberRecord[]): Promise<StepOutcome> {
  const serviceSid = ctx.record.sids.messagingServiceSid;
  if (!serviceSid || ctx.record.steps.campaign?.status !== 'succeeded') {
    return { status: 'waiting', waitingFor: campaignWaitKey(serviceSid ?? 'none'), sids: numberSids(numbers) };
  }
  const creds = await ctx.creds();
  for (const n of numbers.filter((x) => x.status === 'purchased')) {
    await ctx.deps.twilio.attachNumberToService(creds, serviceSid, n.sid!);
    await moveNumber(ctx, n, 'attached', { messagingServiceSid: serviceSid });
  }
  return registrationOutcome(numbers);
}

async function run(ctx: StepContext): Promise<StepOutcome> {
  const numbers = await ctx.deps.onboarding.listNumbers(ctx.input.partnerId, ctx.input.customerId);
  const failed = await buyMissing(ctx, numbers);
  if (failed) return failed;
  return attachAll(ctx, numbers.filter(active));
}

async function check(ctx: StepContext): Promise<StepOutcome> {
  const numbers = (await ctx.deps.onboarding.listNumbers(ctx.input.partnerId, ctx.input.customerId)).filter(active);
  if (numbers.some((n) => n.status === 'purchased')) return attachAll(ctx, numbers);
  return registrationOutcome(numbers);
}

/** Release = leave the messaging service first (Twilio requires it), then delete; then free the number platform-wide. */
export async function releaseNumber(ctx: StepContext, n: NumberRecord): Promise<void> {
  await numberRelease(ctx.deps).release(await ctx.creds(), ctx.input.partnerId, ctx.input.customerId, n);
}

export const numbersStep: StepModule = { run, check };
