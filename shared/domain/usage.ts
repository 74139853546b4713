import { z } from 'zod';
import { ValidationError } from './errors';
import type { Channel, Direction } from './message';

/**
 * A customer's usage in one calendar month (UTC): what an ISV needs to re-bill its customer. Our
 * own counts (messages and segments by channel and direction, numbers held) sit beside Twilio's
 * usage records of the customer's subaccount for the same month, so a partner can compare them.
 */
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export const UsageQuerySchema = z.strictObject({
  month: z.string().regex(MONTH, 'must be a calendar month, YYYY-MM (UTC)').optional().describe('The calendar month (UTC), YYYY-MM; default the current month'),
});
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

export interface UsageMonth {
  /** YYYY-MM. */
  month: string;
  /** First instant of the month, ISO. */
  start: string;
  /** First instant of the next month, ISO (exclusive). */
  end: string;
  /** First and last day, YYYY-MM-DD: how Twilio's usage records name a period. */
  firstDay: string;
  lastDay: string;
}

/** The month an instant falls in (UTC), YYYY-MM. */
export const monthOf = (iso: string): string => iso.slice(0, 7);

/**
 * The month asked for, or the current one; a month after the current one has no usage yet and is
 * a mistake of the caller (400 naming `query.month`), as is a malformed one.
 */
export function usageMonth(month: string | undefined, now: Date): UsageMonth {
  const current = monthOf(now.toISOString());
  const chosen = month ?? current;
  const parts = MONTH.exec(chosen);
  if (!parts) throw new ValidationError('month must be YYYY-MM', [{ field: 'query.month', message: 'must be a calendar month, YYYY-MM (UTC)' }]);
  if (chosen > current) throw new ValidationError(`month ${chosen} is in the future`, [{ field: 'query.month', message: `must be ${current} or earlier` }]);
  const year = Number(parts[1]);
  const index = Number(parts[2]) - 1;
  const start = new Date(Date.UTC(year, index, 1));
  const end = new Date(Date.UTC(year, index + 1, 1));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { month: chosen, start: start.toISOString(), end: end.toISOString(), firstDay: day(start), lastDay: day(new Date(end.getTime() - 86_400_000)) };
}

/** One counter's figures: messages and their segments (what Twilio bills an SMS by). */
export interface MessageFigures {
  messages: number;
  segments: number;
}

export type UsageCounts = Record<Channel, Record<Direction, MessageFigures>>;

/** A change to the month's counters, as one write adds it. */
export interface UsageDelta {
  channel: Channel;
  direction: Direction;
  messages: number;
  segments: number;
}

/** The attribute a counter row keeps one figure in, e.g. `smsOutboundMessages`. */
export function counterAttribute(channel: Channel, direction: Direction, figure: keyof MessageFigures): string {
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return `${channel}${cap(direction)}${cap(figure)}`;
}

/** Sums counter rows (the month's shards) into figures by channel and direction; absent figures are 0. */
export function sumCounters(rows: ReadonlyArray<Record<string, unknown>>): UsageCounts {
  const figures = (channel: Channel, direction: Direction): MessageFigures => {
    const sum = (figure: keyof MessageFigures) =>
      rows.reduce((n, row) => n + (typeof row[counterAttribute(channel, direction, figure)] === 'number' ? (row[counterAttribute(channel, direction, figure)] as number) : 0), 0);
    return { messages: sum('messages'), segments: sum('segments') };
  };
  return {
    sms: { outbound: figures('sms', 'outbound'), inbound: figures('sms', 'inbound') },
    whatsapp: { outbound: figures('whatsapp', 'outbound'), inbound: figures('whatsapp', 'inbound') },
  };
}

/**
 * Segments a message is billed by: an SMS body's own count (GSM-7 or UCS-2); an MMS or a WhatsApp
 * message is one, whatever its text, as Twilio counts them.
 */
export function billedSegments(m: { channel: Channel; mediaUrls?: readonly string[]; segments?: number }): number {
  if (m.channel === 'whatsapp' || (m.mediaUrls?.length ?? 0) > 0) return 1;
  return m.segments !== undefined && m.segments > 0 ? m.segments : 1;
}

/** A number the customer held for at least part of the month. */
export interface HeldNumber {
  phoneNumber: string;
  sid: string | null;
  acquiredAt: string;
  /** When it was given back, if it was (in this month). */
  releasedAt: string | null;
}

/** One of Twilio's usage records of the subaccount for the month, as Twilio reports it. */
export interface TwilioUsageRecord {
  category: string;
  description: string | null;
  count: string | null;
  countUnit: string | null;
  usage: string | null;
  usageUnit: string | null;
  price: string | null;
  priceUnit: string | null;
}

/** Twilio's categories of A2P 10DLC fees (brand registration and vetting, campaign vetting and monthly fees). */
export const isRegistrationFee = (category: string) => category.startsWith('a2p-');

const Figures = z.object({ messages: z.number().int(), segments: z.number().int() });
const ByDirection = z.object({ outbound: Figures, inbound: Figures });
const TwilioRecord = z.object({
  category: z.string(),
  description: z.string().nullable(),
  count: z.string().nullable(),
  countUnit: z.string().nullable(),
  usage: z.string().nullable(),
  usageUnit: z.string().nullable(),
  price: z.string().nullable(),
  priceUnit: z.string().nullable(),
});

export const UsageSchema = z.object({
  customerId: z.string(),
  month: z.string().describe('YYYY-MM (UTC)'),
  period: z.object({ start: z.string(), end: z.string().describe('exclusive') }),
  messages: z.object({ sms: ByDirection, whatsapp: ByDirection }).describe('Our own counts: messages Twilio accepted (a canceled scheduled message is taken back) and received, with their segments'),
  numbers: z.object({
    held: z.number().int().describe('Numbers the customer held for at least part of the month'),
    items: z.array(z.object({ phoneNumber: z.string(), sid: z.string().nullable(), acquiredAt: z.string(), releasedAt: z.string().nullable() })),
  }),
  registrationFees: z.object({
    records: z.array(TwilioRecord).describe("Twilio's A2P 10DLC fee records of the month (brand registration and vetting, campaign vetting, monthly campaign fees)"),
    total: z.string().nullable().describe('Their summed price, null when Twilio reported none'),
    priceUnit: z.string().nullable(),
  }),
  twilio: z.object({
    available: z.boolean().describe('false when the customer has no subaccount (Twilio has no records), or where no Twilio credentials are at hand (the operator CLI without them)'),
    records: z.array(TwilioRecord).describe("Twilio's usage records of the subaccount for the month, every category it reported"),
  }),
});
export type UsageView = z.infer<typeof UsageSchema>;
