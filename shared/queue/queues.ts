/**
 * The work queues and their redrive settings: the catalog wires functions to them and the stack
 * creates them; the service layer names them. Kept here, below both.
 */
export const QUEUES = {
  // Visibility ≥ 6× the consumer's timeout (AWS guidance), so a slow batch is not redelivered mid-flight.
  'inbound-messages': { visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  'status-callbacks': { visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  'twilio-events': { visibilityTimeoutSeconds: 180, maxReceiveCount: 5 },
  // Partner webhook deliveries: one attempt per message (a failed attempt schedules the next one
  // itself and deletes its message), so a receive count above 1 means the consumer crashed.
  // Healthy endpoints are served from `partner-deliveries`; retries, and every delivery to an
  // endpoint that is failing, from `partner-deliveries-retry`, so a dead endpoint never holds
  // the consumers of the healthy ones. Visibility is 6× the consumer timeout.
  'partner-deliveries': { visibilityTimeoutSeconds: 180, maxReceiveCount: 3 },
  'partner-deliveries-retry': { visibilityTimeoutSeconds: 180, maxReceiveCount: 3 },
  // Replays of a partner's log to one endpoint: one step (a page of events, sent in order) per message.
  'partner-replays': { visibilityTimeoutSeconds: 360, maxReceiveCount: 3 },
} as const satisfies Record<string, { visibilityTimeoutSeconds: number; maxReceiveCount: number }>;
export type QueueName = keyof typeof QUEUES;
