import { z } from 'zod';
import { QUEUES, type QueueName } from '../queue/queues';
import { ONBOARDING_STEPS } from '../services/registration/contract';

/**
 * What a partner's status page shows: its onboardings in flight and failed, how deep the
 * platform's queues and dead-letter queues are (counts and ages only: never a message), and the
 * Twilio webhooks refused for its customers. Only the partner's own customers appear.
 */

const iso = () => z.iso.datetime({ offset: true });

/** How many runs of each kind are listed (most recent first); the counts cover every run read. */
export const STATUS_RUNS_LISTED = 20;
/** Runs read at most for the counts: a partner with more is told the counts are partial. */
export const STATUS_RUNS_READ = 2000;
/** How far back refusals are summed. */
export const STATUS_REFUSAL_HOURS = 24;

const RunRowSchema = z.object({
  customerId: z.string(),
  displayName: z.string().describe("The customer's display name (its id if it could not be read)"),
  step: z.enum(ONBOARDING_STEPS).describe('The step it is at (in flight) or stopped at (failed)'),
  stepStatus: z.enum(['running', 'waiting', 'failed']).describe('`waiting`: for a Twilio review or status event'),
  since: iso().describe('When the step started or began waiting (in flight), or when the run failed'),
});

const DepthSchema = z.object({
  messages: z.number().int().describe('Visible and in flight'),
  oldestMessageAgeSeconds: z.number().nullable().describe('Age of the oldest message; null when empty (or, deployed, not reported by CloudWatch yet)'),
});

export const PartnerStatusSchema = z
  .object({
    generatedAt: iso(),
    onboarding: z.object({
      counts: z.object({ running: z.number().int(), failed: z.number().int(), succeeded: z.number().int() }),
      complete: z.boolean().describe(`false when the partner has more than ${STATUS_RUNS_READ} onboardings: the counts are of the first ${STATUS_RUNS_READ}`),
      inFlight: z.array(RunRowSchema).describe(`Running onboardings, the most recent ${STATUS_RUNS_LISTED}`),
      failed: z.array(RunRowSchema).describe(`Failed onboardings of open customers, the most recent ${STATUS_RUNS_LISTED}; resume one with POST /v1/customers/{id}/onboarding`),
    }),
    queues: z
      .array(DepthSchema.extend({ queue: z.enum(Object.keys(QUEUES) as [QueueName, ...QueueName[]]), deadLetters: DepthSchema }))
      .describe("The platform's work queues (shared by every partner) and their dead-letter queues"),
    webhookEndpoints: z
      .object({
        total: z.number().int(),
        failing: z.array(z.object({ id: z.string(), url: z.string(), failingSince: iso(), lastFailureAt: iso().optional() })),
        disabled: z.array(z.object({ id: z.string(), url: z.string(), disabledReason: z.enum(['gone', 'failing', 'partner']).optional(), disabledAt: iso().optional() })),
      })
      .describe("The partner's own delivery health: endpoints whose deliveries are failing (served from the retry lane until one succeeds) and those disabled"),
    webhookRefusals: z.object({
      since: iso().describe(`Start of the UTC hour ${STATUS_REFUSAL_HOURS - 1} hours before this one`),
      total: z.number().int(),
      customers: z
        .array(
          z.object({
            customerId: z.string(),
            displayName: z.string(),
            count: z.number().int(),
            lastReason: z.string().describe('e.g. `signature-mismatch`: the request named this customer’s subaccount but was not signed with its auth token'),
            lastWebhook: z.string().describe('The receiver: inbound, status, events or trusthub'),
            lastAt: iso(),
          }),
        )
        .describe('Refused Twilio webhooks that named a subaccount of the customer, most recent first. Requests naming no known subaccount are not attributed to anyone'),
    }),
  })
  .describe("The partner's operational status");
export type PartnerStatus = z.infer<typeof PartnerStatusSchema>;
