import type { PartnerEventInput } from '../services/partner-events-contract';

/**
 * The business metrics (CloudWatch, through Powertools Metrics' EMF), counted from the partner
 * event log: every business fact — a message sent, delivered or failed, an inbound message, an
 * opt-out, an onboarding step's end — is an event there, written once in the transaction of its
 * change, so counting events counts each fact exactly once and in one place.
 *
 * Dimensions stay low-cardinality: a channel, a Twilio error code, an onboarding step. Never a
 * customer or partner id (per-customer figures come from the usage API).
 */
export const BUSINESS_METRICS = {
  messagesSent: 'MessagesSent',
  messageSegments: 'MessageSegments',
  messagesDelivered: 'MessagesDelivered',
  messagesFailed: 'MessagesFailed',
  messagesReceived: 'MessagesReceived',
  optOuts: 'OptOuts',
  optIns: 'OptIns',
  onboardingStepSeconds: 'OnboardingStepSeconds',
  onboardingStepsFailed: 'OnboardingStepsFailed',
  onboardingsCompleted: 'OnboardingsCompleted',
  onboardingsFailed: 'OnboardingsFailed',
} as const;

export interface MetricPoint {
  name: (typeof BUSINESS_METRICS)[keyof typeof BUSINESS_METRICS];
  unit: 'Count' | 'Seconds';
  value: number;
  dimensions: Record<string, string>;
}

const data = (e: PartnerEventInput) => e.data as Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** What one event counts for (nothing for events that are not business facts). */
function pointsOf(event: PartnerEventInput): MetricPoint[] {
  const d = data(event);
  const count = (name: MetricPoint['name'], dimensions: Record<string, string> = {}): MetricPoint => ({ name, unit: 'Count', value: 1, dimensions });
  switch (event.type) {
    case 'message.created': {
      const channel = text(d.channel) ?? 'sms';
      const segments = typeof d.segments === 'number' ? d.segments : 0;
      return [count(BUSINESS_METRICS.messagesSent, { Channel: channel }), ...(segments > 0 ? [{ ...count(BUSINESS_METRICS.messageSegments, { Channel: channel }), value: segments }] : [])];
    }
    case 'message.status.updated': {
      if (d.status === 'delivered') return [count(BUSINESS_METRICS.messagesDelivered)];
      if (d.status === 'failed' || d.status === 'undelivered') return [count(BUSINESS_METRICS.messagesFailed, { ErrorCode: text(d.errorCode) ?? 'none' })];
      return [];
    }
    case 'message.received':
      return [count(BUSINESS_METRICS.messagesReceived, { Channel: text(d.channel) ?? 'sms' })];
    case 'contact.opted_out':
      return [count(BUSINESS_METRICS.optOuts, { Channel: text(d.channel) ?? 'sms' })];
    case 'contact.opted_in':
      return [count(BUSINESS_METRICS.optIns, { Channel: text(d.channel) ?? 'sms' })];
    case 'onboarding.step.updated': {
      const step = text(d.step) ?? 'unknown';
      if (d.status !== 'succeeded' && d.status !== 'failed') return [];
      const started = Date.parse(String(d.startedAt ?? ''));
      const ended = Date.parse(String(d.completedAt ?? ''));
      const duration: MetricPoint[] = Number.isFinite(started) && Number.isFinite(ended) && ended >= started ? [{ name: BUSINESS_METRICS.onboardingStepSeconds, unit: 'Seconds', value: (ended - started) / 1000, dimensions: { Step: step } }] : [];
      if (d.status === 'succeeded') return duration;
      const errors = Array.isArray(d.errors) ? (d.errors as Array<{ code?: unknown }>) : [];
      return [...duration, count(BUSINESS_METRICS.onboardingStepsFailed, { Step: step, ErrorCode: text(errors[0]?.code) ?? 'none' })];
    }
    case 'onboarding.completed':
      return [count(BUSINESS_METRICS.onboardingsCompleted)];
    case 'onboarding.failed':
      return [count(BUSINESS_METRICS.onboardingsFailed, { Step: text(d.failedStep) ?? 'unknown' })];
    default:
      return [];
  }
}

/**
 * The points of a batch of events, counts summed per metric and dimensions (one EMF line each);
 * durations kept one by one, so their statistics (p50, p99) are the steps' own.
 */
export function businessMetricsOf(events: readonly PartnerEventInput[]): MetricPoint[] {
  const summed = new Map<string, MetricPoint>();
  const timings: MetricPoint[] = [];
  for (const point of events.flatMap(pointsOf)) {
    if (point.unit === 'Seconds') {
      timings.push(point);
      continue;
    }
    const key = `${point.name}|${Object.entries(point.dimensions).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;
    const seen = summed.get(key);
    if (seen) seen.value += point.value;
    else summed.set(key, { ...point });
  }
  return [...summed.values(), ...timings];
}
