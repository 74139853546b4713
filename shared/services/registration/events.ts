import type { OnboardingRepository } from '../../store/onboarding';
import type { PartnerEventLog } from '../partner-events-contract';
import type { Clock } from '../support';
import { brandOtpWaitKey, brandWaitKey } from './brand-step';
import { campaignWaitKey } from './campaign-step';
import { numberWaitKey } from './numbers-step';

/**
 * From an Event Streams CloudEvent to the onboarding step it concerns. The driver resumes the
 * step waiting on the returned keys (then calls `check`, because events are hints); number
 * registration has no GET on Twilio, so its outcome is also recorded here for `check` to read.
 */

const PREFIX = 'com.twilio.messaging.compliance.';

export interface RegistrationEventTarget {
  accountSid: string;
  /** waitingFor keys this event may resume, e.g. `brand:BN…` and `brand-otp:BN…`. */
  waitingKeys: string[];
  number?: { phoneNumberSid: string; phoneNumber: string | null; outcome: 'pending' | 'registered' | 'failed'; failureReason: string | null };
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function dataOf(event: Record<string, unknown>): Record<string, unknown> {
  // Some integrations have seen `data` delivered as a JSON string.
  const raw = typeof event.data === 'string' ? safeJson(event.data) : event.data;
  return raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Normalises `phonenumber`, which examples show both as E.164 and as 10 digits. */
export function toE164(raw: string | null): string | null {
  if (!raw) return null;
  const digits = raw.replace(/[^\d]/g, '');
  if (raw.trim().startsWith('+')) return `+${digits}`;
  return digits.length === 10 ? `+1${digits}` : `+${digits}`;
}

export function registrationEventTarget(event: Record<string, unknown>): RegistrationEventTarget | undefined {
  const type = text(event.type);
  if (!type?.startsWith(PREFIX)) return undefined;
  const data = dataOf(event);
  const accountSid = text(data.accountsid);
  if (!accountSid) return undefined;
  const family = type.slice(PREFIX.length).split('.')[0];
  if (family === 'brand-registration') {
    const brandSid = text(data.brandsid);
    return brandSid ? { accountSid, waitingKeys: [brandWaitKey(brandSid), brandOtpWaitKey(brandSid)] } : undefined;
  }
  if (family === 'campaign-registration') {
    const serviceSid = text(data.messagingservicesid);
    return serviceSid ? { accountSid, waitingKeys: [campaignWaitKey(serviceSid)] } : undefined;
  }
  if (family === 'number-registration') {
    const phoneNumberSid = text(data.phonenumbersid);
    if (!phoneNumberSid) return undefined;
    const name = type.slice(type.lastIndexOf('.') + 1);
    const outcome = name === 'successful' ? 'registered' : name === 'failed' ? 'failed' : 'pending';
    return {
      accountSid,
      waitingKeys: [numberWaitKey(phoneNumberSid)],
      number: { phoneNumberSid, phoneNumber: toE164(text(data.phonenumber)), outcome, failureReason: text(data.failurereason) ?? text(data.failureReason) },
    };
  }
  return undefined;
}

/**
 * Records a number-registration outcome on the customer's number row (rank-checked, so a late
 * `pending` never undoes `registered`) and tells the partner. `tenant` comes from the subaccount
 * row of the event's AccountSid.
 */
export async function recordNumberRegistration(
  deps: { onboarding: OnboardingRepository; events: PartnerEventLog; clock: Clock },
  tenant: { partnerId: string; customerId: string },
  target: RegistrationEventTarget,
): Promise<boolean> {
  if (!target.number) return false;
  const numbers = await deps.onboarding.listNumbers(tenant.partnerId, tenant.customerId);
  const row = numbers.find((n) => n.sid === target.number!.phoneNumberSid);
  if (!row) return false;
  const status = target.number.outcome === 'registered' ? 'registered' : target.number.outcome === 'failed' ? 'registration-failed' : 'registration-pending';
  const patch = target.number.failureReason ? { failureReason: target.number.failureReason } : {};
  const moved = await deps.onboarding.updateNumber(tenant.partnerId, tenant.customerId, row.phoneNumber, status, patch, deps.clock.now().toISOString());
  if (moved && row.status !== status) {
    await deps.events.append(tenant.partnerId, { type: 'number.updated', customerId: tenant.customerId, data: { phoneNumber: row.phoneNumber, numberSid: row.sid, status, ...patch } });
  }
  return moved;
}
