import { ConflictError, ValidationError } from '../../shared/domain/errors';
import type { PartnerEventService } from '../../shared/services/partner-events';
import type { webhookEndpointService } from '../../shared/services/webhook-endpoints';
import type { onboardingRunService } from '../../shared/workflow/onboarding-runs';
import { synopsis, type OperationCommand } from './args';
import type { DeadLetterPort } from './dead-letters';
import { UsageError } from './errors';
import type { Output } from './output';

/**
 * What the dlq, onboarding and events commands drive: the target's dead letters, and the
 * platform's own onboarding and webhook endpoint services (over the target's table, with the
 * target's workflow and queues), so a retry or a replay is exactly what the API would do.
 */
export interface Operations {
  deadLetters: DeadLetterPort;
  onboarding: Pick<ReturnType<typeof onboardingRunService>, 'get' | 'start'>;
  webhookEndpoints: Pick<ReturnType<typeof webhookEndpointService>, 'replay'>;
  events: Pick<PartnerEventService, 'list' | 'startCursor'>;
}

/** How many events a page reads while looking for the first one at or after --since. */
const SEARCH_PAGE = 100;

export async function executeOperation(command: OperationCommand, { deadLetters, onboarding, webhookEndpoints, events, out }: Operations & { out: Output }): Promise<void> {
  switch (command.name) {
    case 'dlq list':
      out.result({ deadLetterQueues: await deadLetters.list() });
      return;

    case 'dlq peek':
      out.result(await deadLetters.peek(command.queue, command.max));
      return;

    case 'dlq redrive':
      out.result(await deadLetters.redrive(command.queue, command.maxPerSecond));
      return;

    case 'dlq redrive-status':
      out.result(await deadLetters.redriveStatus(command.queue));
      return;

    case 'onboarding retry': {
      const { partnerId, customerId } = command;
      const before = await onboarding.get(partnerId, customerId);
      // The start would answer a running or completed onboarding with its timeline and start
      // nothing; an operator who asked for a retry must hear that nothing was retried.
      if (before.status === 'running') {
        throw new ConflictError(`The onboarding of ${customerId} is running (attempt ${before.attempt}); there is nothing to retry until it ends`);
      }
      if (before.status === 'succeeded') throw new ConflictError(`The onboarding of ${customerId} has completed; there is nothing to retry`);
      if (before.status === 'closed') throw new ConflictError(`Customer ${customerId} is closed; its onboarding does not resume`);
      const resumedFrom = before.steps.find((step) => step.status !== 'succeeded')?.step ?? null;
      // The platform's own retry: the start resumes a failed run from its first step that did not succeed, with its options.
      const { timeline, started } = await onboarding.start(partnerId, customerId, {});
      if (!started) throw new ConflictError(`The onboarding of ${customerId} was started by someone else meanwhile (attempt ${timeline.attempt}, ${timeline.status}); nothing was retried`);
      out.result({ retried: true, resumedFrom, previousAttempt: before.attempt, onboarding: timeline });
      return;
    }

    case 'events replay': {
      const { partnerId, endpointId, since } = command;
      const after = command.after ?? (since ? await cursorBefore(events, partnerId, since) : events.startCursor());
      if (after === undefined) {
        out.result({ partnerId, endpointId, since, replay: null, detail: `No event of ${partnerId} occurred at or after ${since}: nothing to replay` });
        return;
      }
      let replay: Awaited<ReturnType<Operations['webhookEndpoints']['replay']>>;
      try {
        replay = await webhookEndpoints.replay(partnerId, endpointId, after);
      } catch (error) {
        if (error instanceof ValidationError) throw new UsageError('--after is not a cursor of the event log: pass a nextCursor or pollCursor of GET /v1/events', synopsis(command.name));
        throw error;
      }
      out.result({ partnerId, endpointId, from: command.after ? 'after' : since ? { since } : 'start', replay });
      return;
    }
  }
}

/**
 * The cursor just before the partner's first event at or after `since`, or undefined when there
 * is none. The log is read forward in pages until one holds such an event, then from that page's
 * start one event at a time, so the cursor lands right before it whatever the shards' interleaving.
 */
export async function cursorBefore(events: Operations['events'], partnerId: string, since: string): Promise<string | undefined> {
  let pageStart = events.startCursor();
  for (;;) {
    const page = await events.list(partnerId, pageStart, SEARCH_PAGE);
    if (page.data.some((event) => event.occurredAt >= since)) break;
    if (!page.nextCursor) return undefined;
    pageStart = page.nextCursor;
  }
  let cursor = pageStart;
  for (;;) {
    const step = await events.list(partnerId, cursor, 1);
    const event = step.data[0];
    if (!event) return undefined;
    if (event.occurredAt >= since) return cursor;
    cursor = step.pollCursor;
  }
}
