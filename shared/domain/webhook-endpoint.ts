import { z } from 'zod';
import { PageQuerySchema, pageOf } from './page';
import { DEFAULT_ROTATION_OVERLAP_SECONDS } from '../partner-webhooks/contract';
import { PARTNER_EVENT_TYPES } from './event-types';

/**
 * Partner webhook endpoints as the API shows them: what a partner sends to register or change
 * one, and what it gets back. The signing secret appears in exactly two responses (creation and
 * rotation); nothing else ever returns it.
 */

const iso = () => z.iso.datetime({ offset: true });
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook_endpoint.test';
/** A rotated secret keeps signing for at most this long. */
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 60 * 60;

const EventTypeSchema = z.enum(['*', ...PARTNER_EVENT_TYPES]);
const endpointFields = {
  url: z
    .string()
    .trim()
    .min(1)
    .max(2048)
    .describe('Where deliveries are POSTed: https, a public host, port 443 or 1024–65535. Checked against private, loopback, link-local and metadata addresses now and at every attempt'),
  eventTypes: z
    .array(EventTypeSchema)
    .min(1)
    .max(PARTNER_EVENT_TYPES.length + 1)
    .refine((types) => new Set(types).size === types.length, 'list each event type once')
    .refine((types) => !types.includes('*') || types.length === 1, '`*` (every type) stands alone')
    .describe('Event types to deliver, or `["*"]` for all, including types added later'),
  description: z.string().trim().max(500).optional(),
};

export const WebhookEndpointCreateSchema = z.strictObject({
  ...endpointFields,
  enabled: z.boolean().default(true).describe('A disabled endpoint gets nothing until it is enabled'),
});
export type WebhookEndpointCreate = z.infer<typeof WebhookEndpointCreateSchema>;

export const WebhookEndpointPatchSchema = z
  .strictObject({
    ...endpointFields,
    description: endpointFields.description.nullable().describe('`null` removes it'),
    enabled: z.boolean().describe('`true` enables an endpoint again, whatever disabled it (and clears its failure run)'),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'at least one field must be given' });
export type WebhookEndpointPatch = z.infer<typeof WebhookEndpointPatchSchema>;

export const RotateSecretSchema = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_ROTATION_OVERLAP_SECONDS)
    .default(DEFAULT_ROTATION_OVERLAP_SECONDS)
    .describe('How long the current secret keeps signing beside the new one (default 24 h; 0 ends it now)'),
});

export const ReplaySchema = z.strictObject({
  after: z
    .string()
    .min(1)
    .max(512)
    .describe('An event log cursor (a `nextCursor` or `pollCursor` of GET /v1/events): every event after it, up to the newest now, is sent again in log order'),
});

export const RedeliverSchema = z.strictObject({
  endpointId: z.string().min(1).max(64).optional().describe('Only this endpoint; default every enabled endpoint that takes the event type'),
});

export const WebhookListQuerySchema = PageQuerySchema;

export const WebhookEndpointSchema = z
  .object({
    id: z.string().describe('we_…'),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().optional(),
    enabled: z.boolean(),
    disabledReason: z
      .enum(['gone', 'failing', 'partner'])
      .optional()
      .describe('Why it is disabled: it answered 410 Gone, every attempt failed for 5 days, or the partner disabled it'),
    disabledAt: iso().optional(),
    failingSince: iso().optional().describe('First failed attempt of the current run of failures; absent once an attempt succeeds'),
    lastFailureAt: iso().optional(),
    lastSuccessAt: iso().optional().describe('Last success after a failure run (not updated on every success)'),
    previousSecretExpiresAt: iso().optional().describe('During a rotation: until when deliveries also carry the previous secret’s signature'),
    createdAt: iso(),
    updatedAt: iso(),
  })
  .describe('A partner webhook endpoint (its secret is never shown after creation)');
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;

const secret = () => z.string().describe('The signing secret (`whsec_…`), shown only in this response: store it now');
export const WebhookEndpointCreatedSchema = WebhookEndpointSchema.extend({ secret: secret() });
export const RotatedSecretSchema = z.object({
  secret: secret(),
  previousSecretExpiresAt: iso().describe('Deliveries carry both signatures until then'),
});

export const WebhookEndpointListSchema = pageOf(WebhookEndpointSchema, 'Oldest first');

export const DeliveryAttemptSchema = z.object({
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number().int().describe('1 for the first attempt of a delivery; retries count up'),
  origin: z.enum(['event', 'redeliver', 'replay', 'test']).describe('What asked for the delivery'),
  attemptedAt: iso(),
  outcome: z.enum(['succeeded', 'failed', 'refused']).describe('`refused`: the SSRF guard stopped it; nothing was sent'),
  responseStatus: z.number().int().optional(),
  durationMs: z.number().int(),
  error: z.string().optional().describe('e.g. `HTTP 503`, `timeout after 10 s`, `connection refused`'),
  nextAttemptAt: iso().optional().describe('When the next attempt is due; absent after a success or the last attempt'),
});

export const DeliveryAttemptListSchema = pageOf(DeliveryAttemptSchema, 'Newest first; kept 30 days');

export const TestDeliverySchema = z.object({ eventId: z.string().describe('The `webhook-id` of the test delivery (it is not in the event log)') });
export const RedeliverResultSchema = z.object({
  eventId: z.string(),
  endpointIds: z.array(z.string()).describe('Endpoints the event is queued for'),
});
export const ReplayResultSchema = z.object({
  replayId: z.string(),
  after: z.string(),
  until: z.string().describe('The log’s head when the replay was asked for: later events are delivered live, not replayed'),
});

/** The `data` of a `webhook_endpoint.test` delivery (sent to one endpoint; never in the event log). */
export const WebhookEndpointTestDataSchema = z
  .object({
    endpointId: z.string(),
    message: z.string(),
  })
  .describe('Sent by POST /v1/webhook-endpoints/{endpointId}/test to that endpoint only; it is not in the event log');
