import { invalidParameter } from '../core/errors';
import { pageOf, v2010Page } from '../core/format';
import { filtersOf, str } from '../core/params';
import { ok, route, type Route, type SandboxContext } from '../core/context';
import type { AccountRecord, MessageRecord } from '../core/state';
import { API_HOST, accountUri, pathAccount } from './api-scope';
import { priceOf } from './api-messages';

/**
 * Usage records computed from what the sandbox recorded for the account over the days asked
 * (UTC, both ends included): messages Twilio billed (with their segments and prices), the numbers
 * it holds, and A2P 10DLC fees for the brands and campaigns it registered (mock ones cost nothing).
 * Fees are Twilio's US list prices in dollars; as Twilio does, every category is listed, used or not.
 */
const FEES = {
  localNumberMonthly: 1.15,
  brandRegistration: 4,
  /** Secondary vetting of a STANDARD brand (not of a low-volume one, which skips it). */
  brandVetting: 40,
  campaignVetting: 15,
  campaignMonthly: { LOW_VOLUME: 1.5, SOLE_PROPRIETOR: 2 } as Record<string, number>,
  campaignMonthlyDefault: 10,
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface Tally {
  count: number;
  usage: number;
  /** Hundred-thousandths of a dollar, kept whole so sums stay exact. */
  units: number;
}

interface Category {
  category: string;
  description: string;
  countUnit: string;
  usageUnit: string;
}

const CATEGORIES: Category[] = [
  { category: 'a2p-10dlc-registrationfees-brandregistration', description: 'A2P 10DLC brand registration fees', countUnit: 'brands', usageUnit: 'brands' },
  { category: 'a2p-10dlc-registrationfees-bv', description: 'A2P 10DLC brand vetting fees', countUnit: 'brands', usageUnit: 'brands' },
  { category: 'a2p-10dlc-registrationfees-campaignvetting', description: 'A2P 10DLC campaign vetting fees', countUnit: 'campaigns', usageUnit: 'campaigns' },
  { category: 'a2p-10dlc-registrationfees-monthly', description: 'A2P 10DLC monthly campaign fees', countUnit: 'campaigns', usageUnit: 'campaigns' },
  { category: 'channels-messaging-inbound', description: 'WhatsApp messages, inbound', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'channels-messaging-outbound', description: 'WhatsApp messages, outbound', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'mms-inbound', description: 'MMS inbound', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'mms-outbound', description: 'MMS outbound', countUnit: 'messages', usageUnit: 'messages' },
  { category: 'phonenumbers-local', description: 'Local phone numbers', countUnit: 'numbers', usageUnit: 'numbers' },
  { category: 'sms-inbound', description: 'SMS inbound', countUnit: 'messages', usageUnit: 'segments' },
  { category: 'sms-outbound', description: 'SMS outbound', countUnit: 'messages', usageUnit: 'segments' },
  { category: 'totalprice', description: 'Total price', countUnit: '', usageUnit: 'usd' },
];

const dollars = (amount: number) => Math.round(amount * 100_000);
const isWhatsApp = (m: MessageRecord) => m.to.startsWith('whatsapp:') || (m.from ?? '').startsWith('whatsapp:');

function messageCategory(m: MessageRecord): string {
  const way = m.direction === 'inbound' ? 'inbound' : 'outbound';
  if (isWhatsApp(m)) return `channels-messaging-${way}`;
  return m.mediaUrls.length > 0 ? `mms-${way}` : `sms-${way}`;
}

/** The tallies of every category for the account over [from, to) (epoch ms). */
export function usageTallies(ctx: SandboxContext, account: AccountRecord, from: number, to: number): Map<string, Tally> {
  const tallies = new Map<string, Tally>(CATEGORIES.map((c) => [c.category, { count: 0, usage: 0, units: 0 }]));
  const add = (category: string, count: number, usage: number, units: number) => {
    const t = tallies.get(category)!;
    t.count += count;
    t.usage += usage;
    t.units += units;
  };
  const within = (at: number | null) => at !== null && at >= from && at < to;

  for (const m of ctx.state.ownedBy(ctx.state.messages, account.sid)) {
    const price = priceOf(m);
    // Billed when Twilio handed it on (an inbound one when received); priced negative, as spend.
    if (price === null || !within(m.direction === 'inbound' ? m.createdAt : m.sentAt)) continue;
    add(messageCategory(m), 1, m.numSegments, -Math.round(Number(price) * 100_000));
  }
  for (const n of ctx.state.ownedBy(ctx.state.phoneNumbers, account.sid)) {
    if (n.createdAt < to) add('phonenumbers-local', 1, 1, dollars(FEES.localNumberMonthly));
  }
  for (const b of ctx.state.ownedBy(ctx.state.brands, account.sid)) {
    if (b.mock || !within(b.createdAt)) continue;
    add('a2p-10dlc-registrationfees-brandregistration', 1, 1, dollars(FEES.brandRegistration));
    if (b.brandType === 'STANDARD' && !b.skipAutomaticSecVet) add('a2p-10dlc-registrationfees-bv', 1, 1, dollars(FEES.brandVetting));
  }
  for (const c of ctx.state.ownedBy(ctx.state.campaigns, account.sid)) {
    if (c.mock || c.createdAt >= to) continue;
    if (within(c.createdAt)) add('a2p-10dlc-registrationfees-campaignvetting', 1, 1, dollars(FEES.campaignVetting));
    if (c.status === 'VERIFIED') {
      const usecase = String(c.fields.us_app_to_person_usecase ?? '');
      add('a2p-10dlc-registrationfees-monthly', 1, 1, dollars(FEES.campaignMonthly[usecase] ?? FEES.campaignMonthlyDefault));
    }
  }
  const total = [...tallies.values()].reduce((n, t) => n + t.units, 0);
  tallies.set('totalprice', { count: 0, usage: total / 100_000, units: total });
  return tallies;
}

function day(req: { params: Record<string, string | string[]> }, name: string): string | undefined {
  const value = str(req.params, name);
  if (value === undefined) return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw invalidParameter(name, `'${value}' is not a date (YYYY-MM-DD)`);
  return value;
}

export const usageRoutes: Route[] = [
  route('GET', API_HOST, '/2010-04-01/Accounts/{AccountSid}/Usage/Records.json', (req, ctx) => {
    const account = pathAccount(req, ctx);
    const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    // Twilio's defaults: from the account's first day to today.
    const startDate = day(req, 'StartDate') ?? new Date(account.createdAt).toISOString().slice(0, 10);
    const endDate = day(req, 'EndDate') ?? today;
    const from = Date.parse(`${startDate}T00:00:00Z`);
    const to = Date.parse(`${endDate}T00:00:00Z`) + 86_400_000;
    const category = str(req.params, 'Category');
    const tallies = usageTallies(ctx, account, from, to);
    const base = `${accountUri(account.sid)}/Usage/Records`;
    const items = CATEGORIES.filter((c) => !category || c.category === category).map((c) => {
      const t = tallies.get(c.category)!;
      const query = `Category=${c.category}&StartDate=${startDate}&EndDate=${endDate}`;
      return {
        account_sid: account.sid,
        api_version: '2010-04-01',
        as_of: new Date(ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
        category: c.category,
        count: String(t.count),
        count_unit: c.countUnit,
        description: c.description,
        end_date: endDate,
        price: Number((t.units / 100_000).toFixed(5)),
        price_unit: 'usd',
        start_date: startDate,
        subresource_uris: {
          all_time: `${base}/AllTime.json?Category=${c.category}`,
          daily: `${base}/Daily.json?Category=${c.category}`,
          last_month: `${base}/LastMonth.json?Category=${c.category}`,
          monthly: `${base}/Monthly.json?Category=${c.category}`,
          this_month: `${base}/ThisMonth.json?Category=${c.category}`,
          today: `${base}/Today.json?Category=${c.category}`,
          yearly: `${base}/Yearly.json?Category=${c.category}`,
          yesterday: `${base}/Yesterday.json?Category=${c.category}`,
        },
        uri: `${base}.json?${query}`,
        usage: c.category === 'totalprice' ? (t.units / 100_000).toFixed(5) : String(t.usage),
        usage_unit: c.usageUnit,
      };
    });
    return ok(v2010Page('usage_records', `${base}.json`, items, pageOf(req.params), filtersOf(req.params, ['Category', 'StartDate', 'EndDate', 'IncludeSubaccounts'])));
  }),
];
