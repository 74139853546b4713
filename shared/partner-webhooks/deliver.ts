import type { DeliverableEvent } from './contract';
import { verdictOf, type Verdict } from './retry-policy';
import { postJson, type AttemptResponse } from './sender';
import { webhookHeaders } from './signing';
import { guardUrl, type Lookup, type UrlRule } from './url-guard';

export interface AttemptInput {
  url: string;
  secrets: readonly string[];
  event: DeliverableEvent;
  /** The attempt's time: `webhook-timestamp`. */
  now: Date;
  allowLoopback: boolean;
  lookup?: Lookup;
  timeoutMs?: number;
}

export interface AttemptResult extends AttemptResponse {
  verdict: Verdict;
  /** Set when the SSRF guard refused the URL at this attempt: nothing was sent. */
  refusedBy?: UrlRule;
}

/** What a receiver gets: the Standard Webhooks payload shape, with the customer the event is about. */
export function deliveryBody(event: DeliverableEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, ...(event.customerId ? { customerId: event.customerId } : {}), data: event.data });
}

/** One attempt: the URL guarded again (DNS may have changed since registration), signed with every live secret, posted to the checked address. */
export async function attemptDelivery(input: AttemptInput): Promise<AttemptResult> {
  const guarded = await guardUrl(input.url, { allowLoopback: input.allowLoopback, lookup: input.lookup });
  if (!guarded.ok) {
    const error = `ssrf: ${guarded.detail}`;
    return { durationMs: 0, error, verdict: { kind: 'retry', reason: error }, refusedBy: guarded.rule };
  }
  const body = deliveryBody(input.event);
  const response = await postJson(guarded.target, webhookHeaders(input.secrets, input.event.id, input.now, body), body, { timeoutMs: input.timeoutMs });
  return { ...response, verdict: verdictOf(response) };
}
