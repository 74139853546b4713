import { NotFoundError } from '../domain/errors';
import type { NumberRecord } from '../domain/registration';
import {
  isRegistrationFee,
  sumCounters,
  usageMonth,
  type HeldNumber,
  type TwilioUsageRecord,
  type UsageMonth,
  type UsageView,
} from '../domain/usage';
import type { UsageRecord, TwilioGateway } from '../twilio/gateway';
import type { Clock } from './support';

export interface UsageDeps {
  customers: { get(partnerId: string, customerId: string): Promise<{ accountSid?: string } | undefined> };
  numbers: { listNumbers(partnerId: string, customerId: string): Promise<NumberRecord[]> };
  counters: { month(partnerId: string, customerId: string, month: string): Promise<Array<Record<string, unknown>>> };
  /** Absent where no Twilio credentials are at hand (the operator CLI without them): our own figures only. */
  twilio?: Pick<TwilioGateway, 'listUsageRecords'>;
  clock: Clock;
}

/**
 * Numbers the customer held for at least part of the month: bought (a claim alone was never
 * billed) before the month ended, and not released before it began.
 */
export function numbersHeld(numbers: readonly NumberRecord[], period: Pick<UsageMonth, 'start' | 'end'>): HeldNumber[] {
  return numbers
    .filter((n) => n.status !== 'claimed' && n.createdAt < period.end && !(n.status === 'released' && n.updatedAt < period.start))
    .map((n) => ({ phoneNumber: n.phoneNumber, sid: n.sid ?? null, acquiredAt: n.createdAt, releasedAt: n.status === 'released' ? n.updatedAt : null }))
    .sort((a, b) => (a.acquiredAt < b.acquiredAt ? -1 : a.acquiredAt > b.acquiredAt ? 1 : 0));
}

const view = (r: UsageRecord): TwilioUsageRecord => ({
  category: r.category, description: r.description, count: r.count, countUnit: r.countUnit, usage: r.usage, usageUnit: r.usageUnit, price: r.price, priceUnit: r.priceUnit,
});

/** Sums decimal strings exactly, in hundred-thousandths (Twilio prices carry five decimals). */
export function sumPrices(prices: ReadonlyArray<string | null>): string | null {
  const known = prices.filter((p): p is string => p !== null && p.trim() !== '' && Number.isFinite(Number(p)));
  if (known.length === 0) return null;
  const units = known.reduce((n, p) => n + Math.round(Number(p) * 100_000), 0);
  return (units / 100_000).toFixed(5);
}

/** The registration fee records and their total, in one currency (Twilio bills an account in one). */
export function registrationFees(records: readonly UsageRecord[]): UsageView['registrationFees'] {
  const fees = records.filter((r) => isRegistrationFee(r.category));
  return { records: fees.map(view), total: sumPrices(fees.map((r) => r.price)), priceUnit: fees.find((r) => r.priceUnit)?.priceUnit ?? null };
}

export function usageService({ customers, numbers, counters, twilio, clock }: UsageDeps) {
  return {
    /**
     * Primary course: check the month (400 naming `query.month`) → the customer (a foreign id is
     * the 404 of a missing one) → in parallel: the month's counter rows (one Query), the customer's
     * numbers (one Query) and, once it has a subaccount, Twilio's usage records of the same days.
     */
    async monthly(partnerId: string, customerId: string, month: string | undefined): Promise<UsageView> {
      const period = usageMonth(month, clock.now());
      const customer = await customers.get(partnerId, customerId);
      if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
      const accountSid = twilio ? customer.accountSid : undefined;
      const [rows, owned, records] = await Promise.all([
        counters.month(partnerId, customerId, period.month),
        numbers.listNumbers(partnerId, customerId),
        accountSid ? twilio!.listUsageRecords(accountSid, { startDate: period.firstDay, endDate: period.lastDay }) : Promise.resolve([]),
      ]);
      const held = numbersHeld(owned, period);
      return {
        customerId,
        month: period.month,
        period: { start: period.start, end: period.end },
        messages: sumCounters(rows),
        numbers: { held: held.length, items: held },
        registrationFees: registrationFees(records),
        twilio: { available: accountSid !== undefined, records: records.map(view) },
      };
    },
  };
}

export type UsageService = ReturnType<typeof usageService>;
