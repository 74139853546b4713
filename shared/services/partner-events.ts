import { ValidationError } from '../domain/errors';
import type { PartnerEventRepository } from '../store/partner-events';
import type { PartnerEvent, PartnerEventInput, PartnerEventLog } from './partner-events-contract';
import type { Clock } from './support';

export interface PartnerEventServiceDeps {
  events: PartnerEventRepository;
  clock: Clock;
  /** Backoff between contended appends; injectable so tests do not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** Appends to one partner's log contend on its counter; a few retries absorb bursts. */
const MAX_APPEND_ATTEMPTS = 20;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function partnerEventService({ events, clock, sleep = defaultSleep }: PartnerEventServiceDeps): PartnerEventLog & {
  list(partnerId: string, after: string | undefined, limit: number): Promise<{ data: PartnerEvent[]; next: string | null }>;
} {
  return {
    /** Optimistic append: read the partner's last number, write the next one if still free, else retry. */
    async append(partnerId: string, event: PartnerEventInput): Promise<PartnerEvent> {
      for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
        const last = await events.lastSequence(partnerId);
        const stored = await events.appendAfter(partnerId, last, event, clock.now().toISOString());
        if (stored) return stored;
        await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
      }
      throw new Error(`Could not append a partner event for ${partnerId} after ${MAX_APPEND_ATTEMPTS} contended attempts`);
    },

    async list(partnerId: string, after: string | undefined, limit: number) {
      const afterSequence = after === undefined ? 0 : Number(after);
      if (!Number.isSafeInteger(afterSequence)) throw new ValidationError('after is not valid', [{ field: 'query.after', message: 'must be an event id' }]);
      const data = await events.list(partnerId, afterSequence, limit);
      return { data, next: data.length ? data[data.length - 1]!.id : after ?? null };
    },
  };
}

export type PartnerEventService = ReturnType<typeof partnerEventService>;
