import { z } from 'zod';
import { PartnerEventSchema } from './event-types';

export { PartnerEventSchema };

/** The partner event log as the API shows it (`GET /v1/events`). */
export const EventsQuerySchema = z.strictObject({
  after: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the `nextCursor` or `pollCursor` of a previous page (an opaque cursor), or omitted to start at the beginning')
    .describe('Opaque cursor: the `nextCursor` (or, when polling, the `pollCursor`) of the previous page. Omit it to read from the beginning. Event ids are not cursors.')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const PartnerEventPageSchema = z.object({
  data: z.array(PartnerEventSchema).describe('Oldest first. Events of one subject (message, contact, customer) are in the order they happened'),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as `after` to get the next page; null when this page reached the newest event'),
  pollCursor: z
    .string()
    .describe('Always present: pass as `after` later to get only the events that commit after this page. It never skips an event, even one that commits later'),
});
