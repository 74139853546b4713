/**
 * The custom metrics the alarms and the dashboard read, in one place: namespace, name, unit and
 * dimensions. Code that emits them uses Powertools Metrics, whose `service` dimension (the
 * function id) is always present; alarms that must not depend on which function emits a metric
 * aggregate it with a Metrics Insights query over the whole namespace.
 *
 * `emitted: false` marks a metric the alarms already expect but that no code publishes yet: its
 * alarm stays in OK (missing data is not breaching) until the emitter exists.
 */
export const OPS_NAMESPACE = 'Switchboard';

export interface OpsMetric {
  readonly name: string;
  readonly unit: 'Count';
  /** Dimensions besides Powertools' `service`. */
  readonly dimensions: readonly string[];
  readonly meaning: string;
  readonly emitted: boolean;
}

export const OPS_METRICS = {
  webhookRejected: {
    name: 'WebhookRejected',
    unit: 'Count',
    dimensions: ['webhook', 'reason'],
    meaning: 'A Twilio webhook refused (403/400): missing or bad signature, unknown account, malformed body.',
    emitted: true,
  },
  deliverySucceeded: { name: 'WebhookDeliverySucceeded', unit: 'Count', dimensions: [], meaning: 'A partner webhook attempt answered 2xx.', emitted: true },
  deliveryRetrying: { name: 'WebhookDeliveryRetrying', unit: 'Count', dimensions: [], meaning: 'A partner webhook attempt failed; the next one is scheduled.', emitted: true },
  deliveryFailed: { name: 'WebhookDeliveryFailed', unit: 'Count', dimensions: [], meaning: 'A partner webhook attempt failed for the last time.', emitted: true },
  endpointDisabled: {
    name: 'PartnerEndpointDisabled',
    unit: 'Count',
    dimensions: ['reason'],
    meaning: 'A partner webhook endpoint was disabled (410 Gone or failing for 5 days); 1 per disable, emitted where `webhook_endpoint.disabled` is appended.',
    emitted: false,
  },
  twilioThrottled: {
    name: 'TwilioThrottled',
    unit: 'Count',
    dimensions: [],
    meaning: 'Per Twilio API call made by the gateway: 1 when Twilio answered 429 / error 20429, 0 for any other answer. AVG is the 429 rate, SUM the count.',
    emitted: false,
  },
  messageSent: { name: 'MessageSent', unit: 'Count', dimensions: ['channel'], meaning: 'Twilio accepted an outbound message (sms or whatsapp).', emitted: false },
  messageDelivered: { name: 'MessageDelivered', unit: 'Count', dimensions: ['channel'], meaning: 'A status callback moved a message to delivered (or read).', emitted: false },
  messageFailed: {
    name: 'MessageFailed',
    unit: 'Count',
    dimensions: ['channel', 'errorCode'],
    meaning: "A status callback moved a message to failed or undelivered, with Twilio's ErrorCode.",
    emitted: false,
  },
  onboardingStepFailed: {
    name: 'OnboardingStepFailed',
    unit: 'Count',
    dimensions: ['step'],
    meaning: 'An onboarding step was marked failed (the mark-failed task), by step name.',
    emitted: false,
  },
  reconcileChecked: {
    name: 'ReconcileChecked',
    unit: 'Count',
    dimensions: ['kind', 'outcome'],
    meaning: 'Records the reconciliation sweep looked at, by kind (brand, campaign, numbers, message, onboarding) and outcome (repaired, unchanged, final, gone, expired, deferred, skipped, error).',
    emitted: true,
  },
  reconcileRepaired: {
    name: 'ReconcileRepaired',
    unit: 'Count',
    dimensions: ['kind', 'outcome'],
    meaning: 'Records the sweep changed because Twilio had moved on and its event or status callback never arrived (repaired), or that Twilio no longer has (gone): each one is a lost event.',
    emitted: true,
  },
  reconcileErrors: {
    name: 'ReconcileErrors',
    unit: 'Count',
    dimensions: ['kind', 'outcome'],
    meaning: 'Records the sweep could not check: Twilio throttled or failed (deferred, the run stops there) or an unexpected error; they are tried again on a later run.',
    emitted: true,
  },
} as const satisfies Record<string, OpsMetric>;

/** A Metrics Insights query summing (or averaging) one custom metric over every dimension set that carries it. */
export function insightsQuery(metric: OpsMetric, fn: 'SUM' | 'AVG' = 'SUM', groupBy?: string): string {
  return `SELECT ${fn}(${metric.name}) FROM ${OPS_NAMESPACE}${groupBy ? ` GROUP BY ${groupBy}` : ''}`;
}
