import { z } from 'zod';

/** The partner event log as the API shows it (`GET /v1/events`). */
export const EventsQuerySchema = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,12}$/, 'must be the id of an event (a number), or omitted to start at the beginning')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const PartnerEventSchema = z.object({
  id: z.string().describe('Position in the log; pass as `after` to continue'),
  type: z.string(),
  occurredAt: z.iso.datetime(),
  customerId: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

export const PartnerEventPageSchema = z.object({
  data: z.array(PartnerEventSchema),
  next: z.string().nullable().describe('Cursor for the next call (`after`); the last id seen, or the given cursor when nothing is new'),
});
