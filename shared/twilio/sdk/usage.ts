import type { TwilioGateway, UsageRecord } from '../gateway';
import type V2010 from 'twilio/lib/rest/api/V2010';
import { RecordListInstance } from 'twilio/lib/rest/api/v2010/account/usage/record';
import { sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';
import { date, str } from './values';

export type UsagePort = Pick<TwilioGateway, 'listUsageRecords'>;

interface SdkUsageRecord {
  category?: string | null;
  description?: string | null;
  count?: string | number | null;
  countUnit?: string | null;
  usage?: string | number | null;
  usageUnit?: string | null;
  price?: string | number | null;
  priceUnit?: string | null;
  startDate?: Date | string | null;
  endDate?: Date | string | null;
}

/** Twilio sends decimals as strings (its spec says numbers): either way they stay exact as text. */
const decimal = (value: unknown): string | null => (typeof value === 'number' ? String(value) : str(value));
const day = (value: unknown): string | null => date(value)?.slice(0, 10) ?? null;

function toUsageRecord(r: SdkUsageRecord): UsageRecord {
  return {
    category: str(r.category) ?? '',
    description: str(r.description),
    count: decimal(r.count),
    countUnit: str(r.countUnit) || null,
    usage: decimal(r.usage),
    usageUnit: str(r.usageUnit) || null,
    price: decimal(r.price),
    priceUnit: str(r.priceUnit),
    startDate: day(r.startDate),
    endDate: day(r.endDate),
  };
}

const api = sdkVersion<V2010>(TWILIO_HOSTS.api, '2010-04-01');

/**
 * Usage records of a customer's subaccount, read with the ISV master credentials on the
 * subaccount's path (the one pattern v2010 allows for a parent), so the caller needs no
 * subaccount token. `Records.json` with a start and end date totals each category over exactly
 * those days; the `ThisMonth`/`LastMonth` subresources would tie the period to Twilio's clock.
 */
export function usageAdapter(ctx: SdkContext): UsagePort {
  return {
    async listUsageRecords(subaccountSid, period) {
      const records = await RecordListInstance(api(await ctx.master()), subaccountSid).list({
        // The SDK sends dates as YYYY-MM-DD in UTC; midnight UTC names the day itself.
        startDate: new Date(`${period.startDate}T00:00:00Z`),
        endDate: new Date(`${period.endDate}T00:00:00Z`),
        // The subaccount alone (Twilio's default would add usage of accounts below it).
        includeSubaccounts: false,
        pageSize: 1000,
      });
      return records.map(toUsageRecord);
    },
  };
}
