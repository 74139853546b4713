import { z } from 'zod';
import { OnboardingOptionsSchema, STEP_STATUSES, type OnboardingOptions } from '../domain/onboarding';
import { ONBOARDING_STEPS, type OnboardingStep, type StepError } from '../services/registration/contract';

/**
 * The onboarding timeline partners read: one record per customer, carried across attempts, with
 * every step's status, timestamps, SIDs, what it waits for and the errors to fix. The workflow's
 * task handlers write it as each step reports; the API only reads it.
 */
export const RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface StepRecord {
  status: 'running' | 'waiting' | 'succeeded' | 'failed';
  /** The attempt that last touched the step. */
  attempt: number;
  startedAt: string;
  updatedAt: string;
  completedAt?: string;
  sids: Record<string, string>;
  waitingFor?: string;
  waitingSince?: string;
  /** Status reads after a wait (the event resumed it or the wait timed out). */
  checks?: number;
  errors?: StepError[];
}

export interface OnboardingRun {
  partnerId: string;
  customerId: string;
  attempt: number;
  executionName: string;
  executionArn?: string;
  status: RunStatus;
  startAt: OnboardingStep;
  /** The options the partner onboarded with (validated by the options schema). */
  options: unknown;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  failedStep?: OnboardingStep;
  steps: Partial<Record<OnboardingStep, StepRecord>>;
}

const StepErrorSchema = z.object({
  code: z.union([z.number(), z.string()]).describe("Twilio's error code, or ours for pre-submission checks"),
  message: z.string(),
  fields: z.array(z.string()).describe('Customer / onboarding fields to fix'),
  twilioFields: z.array(z.string()).optional().describe("Twilio's names for them"),
});

export const TimelineStepSchema = z.object({
  step: z.enum(ONBOARDING_STEPS),
  status: z.enum(STEP_STATUSES),
  startedAt: z.string().optional(),
  updatedAt: z.string().optional(),
  completedAt: z.string().optional(),
  sids: z.record(z.string(), z.string()).describe('Twilio SIDs the step created or adopted'),
  waitingFor: z.string().optional().describe('The status event that resumes the step, e.g. brand-registration:BN…'),
  waitingSince: z.string().optional(),
  checks: z.number().int().optional().describe('Status reads after waiting'),
  errors: z.array(StepErrorSchema).optional(),
});

export const OnboardingTimelineSchema = z
  .object({
    customerId: z.string(),
    attempt: z.number().int().describe('Attempt number; a resumed onboarding is a new attempt'),
    status: z.enum([...RUN_STATUSES, 'closed']).describe('closed: the customer was closed; nothing of this onboarding runs or resumes any more'),
    executionName: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
    failedStep: z.enum(ONBOARDING_STEPS).optional(),
    options: OnboardingOptionsSchema.describe('The options this attempt runs with; a resume sends only what changes, laid over them'),
    steps: z.array(TimelineStepSchema),
  })
  .describe('Where the onboarding stands: every step in order');
export type OnboardingTimeline = z.infer<typeof OnboardingTimelineSchema>;

/** `closed`: the customer is closed, which ends its onboarding whatever state the run was left in. */
export function timelineOf(run: OnboardingRun, closed = false): OnboardingTimeline {
  return {
    customerId: run.customerId,
    attempt: run.attempt,
    status: closed ? 'closed' : run.status,
    executionName: run.executionName,
    startedAt: run.startedAt,
    updatedAt: run.updatedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    ...(run.failedStep ? { failedStep: run.failedStep } : {}),
    options: run.options as OnboardingOptions,
    steps: ONBOARDING_STEPS.map((step) => {
      const record = run.steps[step];
      if (!record) return { step, status: 'pending' as const, sids: {} };
      const { attempt: _attempt, ...rest } = record;
      return { step, ...rest };
    }),
  };
}

/** The step a running run is at: its first step, in workflow order, that is running or waiting (none between two steps). */
export function activeStepOf(steps: OnboardingRun['steps'] | undefined): { step: OnboardingStep; record: StepRecord } | undefined {
  for (const step of ONBOARDING_STEPS) {
    const record = steps?.[step];
    if (record && (record.status === 'running' || record.status === 'waiting')) return { step, record };
  }
  return undefined;
}

export const OnboardingSummarySchema = z
  .object({
    status: z.enum([...RUN_STATUSES, 'closed']).describe('As on the timeline'),
    attempt: z.number().int(),
    step: z.enum(ONBOARDING_STEPS).optional().describe('While running: the step that is running or waiting'),
    stepStatus: z.enum(['running', 'waiting']).optional(),
    failedStep: z.enum(ONBOARDING_STEPS).optional(),
    updatedAt: z.string(),
  })
  .describe("Where the customer's onboarding stands, in short (GET /v1/customers/{id}/onboarding has every step)");
export type OnboardingSummary = z.infer<typeof OnboardingSummarySchema>;

/** The part of a run its summary reads. */
export type OnboardingSummarySource = Pick<OnboardingRun, 'status' | 'attempt' | 'steps' | 'failedStep' | 'updatedAt'>;

/** `closed` as in {@link timelineOf}. */
export function onboardingSummaryOf(run: OnboardingSummarySource, closed = false): OnboardingSummary {
  const active = !closed && run.status === 'running' ? activeStepOf(run.steps) : undefined;
  return {
    status: closed ? 'closed' : run.status,
    attempt: run.attempt,
    ...(active ? { step: active.step, stepStatus: active.record.status as 'running' | 'waiting' } : {}),
    ...(run.failedStep && run.status === 'failed' ? { failedStep: run.failedStep } : {}),
    updatedAt: run.updatedAt,
  };
}

/** Where a resumed onboarding starts: the first step that has not succeeded. */
export function resumeStep(run: OnboardingRun | undefined): OnboardingStep {
  return ONBOARDING_STEPS.find((step) => run?.steps[step]?.status !== 'succeeded') ?? ONBOARDING_STEPS[0];
}

/** Execution names are unique per state machine for 90 days: one per customer and attempt. */
export const executionNameOf = (customerId: string, attempt: number) => `${customerId}-a${attempt}`;
