import type { OnboardingRecord, StepState } from '../domain/onboarding';
import { FINAL_STATUS_RANK, statusRank } from '../messaging/status';
import type { MessageRecord, MessageStore } from '../store/messages';
import type { OnboardingRepository } from '../store/onboarding';
import type { ReconcileCandidate, ReconcileStore } from '../store/reconcile';
import { TwilioPermanentError, TwilioRetryableError } from '../twilio/errors';
import type { SubaccountCredentials, TwilioGateway } from '../twilio/gateway';
import type { FormEnvelope } from '../webhooks/envelope';
import type { ResumeResult } from '../workflow/resume';
import { brandOutcome } from './registration/brand-step';
import { campaignOutcome } from './registration/campaign-step';
import { ONBOARDING_STEPS, type OnboardingStep, type StepInput, type StepOutcome } from './registration/contract';
import type { Clock } from './support';

/**
 * The reconciliation sweep: Twilio's events and status callbacks are at-least-once, but one that
 * never arrives (dropped, misrouted, a sink that was down) would leave a brand, a campaign or a
 * message waiting for good. Every few minutes the sweep takes the records waiting longer than the
 * threshold, oldest first, asks Twilio where each stands and, when Twilio has moved on, repairs
 * the record through the code the missed event would have run: a waiting onboarding step is
 * resumed through its task token (or checked directly when no workflow waits on it), so it stores
 * the step with its `brand.updated` / `campaign.updated` / `onboarding.step.updated` events and
 * the onboarding continues; a message gets the status callback's treatment from Twilio's answer
 * (`message.status.updated`). Nothing else writes events, so nothing is told that the event
 * would not have told.
 */
export interface ReconcileSettings {
  /** A record is looked at once it has waited (or was last checked) this long. */
  thresholdMs: number;
  /** Entries read per kind and run (bounded work; the rest wait for the next run, oldest first). */
  pageSize: { onboarding: number; message: number };
  /** A message without a final status this long after it was sent is given up on (carriers may never report delivery). */
  messageMaxAgeMs: number;
  /** The run stops when the invocation has less than this left. */
  reserveMs: number;
  /**
   * A record Twilio still has where we have it is checked again after a quarter of the time it
   * has waited, at most this long (plus the threshold): a campaign in vetting for days, or a
   * message whose carrier never reports delivery, is not asked about every few minutes.
   */
  maxBackoffMs: number;
}

export const RECONCILE_SETTINGS: ReconcileSettings = {
  thresholdMs: 15 * 60_000,
  pageSize: { onboarding: 25, message: 100 },
  messageMaxAgeMs: 72 * 3600_000,
  reserveMs: 10_000,
  maxBackoffMs: 2 * 3600_000,
};

export interface ReconcileDeps {
  store: Pick<ReconcileStore, 'due' | 'claim' | 'close'>;
  onboarding: Pick<OnboardingRepository, 'get' | 'listNumbers'>;
  messages: Pick<MessageStore, 'get'>;
  twilio: Pick<TwilioGateway, 'fetchBrandRegistration' | 'fetchCampaign' | 'fetchMessage'>;
  credentials(partnerId: string, customerId: string): Promise<SubaccountCredentials>;
  /** The Twilio events consumer's resume: hands the execution waiting on `waitingFor` its task token. */
  resumeWaiting(waitingFor: string, hint?: Record<string, unknown>): Promise<ResumeResult>;
  /** The steps' own check (the workflow's Check task): re-reads Twilio, stores the step with its partner events. */
  checkStep(step: OnboardingStep, input: StepInput): Promise<StepOutcome>;
  /** The status callback consumer. */
  applyStatus(envelope: FormEnvelope): Promise<boolean>;
  clock: Clock;
  settings?: Partial<ReconcileSettings>;
}

/**
 * `repaired`: Twilio had moved on and the record now says so. `unchanged`: Twilio says what we
 * have; checked again a threshold later. `final`: nothing was waiting any more (left alone, out of
 * the index). `gone`: Twilio no longer has it. `expired`: given up on, with the reason.
 * `deferred`: Twilio throttled or failed; left for the next run. `skipped`: another sweep had it.
 */
export type ReconcileOutcome = 'repaired' | 'unchanged' | 'final' | 'gone' | 'expired' | 'deferred' | 'skipped' | 'error';

export interface ReconcileResult {
  /** `onboarding` (a record with nothing waiting), the waiting step (`brand`, `campaign`, `numbers`, …) or `message`. */
  kind: string;
  outcome: ReconcileOutcome;
  partnerId: string;
  customerId: string;
  /** The record's id: the Twilio SID a step waits on, or the message id. */
  ref: string;
  from?: string;
  to?: string;
  reason?: string;
}

export interface ReconcileRun {
  results: ReconcileResult[];
  /** Why the run ended before its pages did: the time budget, or Twilio throttling / failing. */
  stoppedBy?: 'time' | 'twilio';
}

/**
 * Outcomes that mean an event was lost (Twilio had moved on, or no longer has the record), and those
 * that went wrong. `expired` is neither: carriers that never report delivery are expected.
 */
export const REPAIR_OUTCOMES: ReadonlySet<ReconcileOutcome> = new Set(['repaired', 'gone']);
export const ERROR_OUTCOMES: ReadonlySet<ReconcileOutcome> = new Set(['error', 'deferred']);

export interface ReconcileMetric {
  name: 'ReconcileChecked' | 'ReconcileRepaired' | 'ReconcileErrors';
  value: number;
  /** Low cardinality only: never a partner, customer or record id. */
  dimensions: { kind: string; outcome: ReconcileOutcome };
}

/** A run's results as metric points: one per name and (kind, outcome). */
export function reconcileMetricsOf(results: readonly ReconcileResult[]): ReconcileMetric[] {
  const groups = new Map<string, { kind: string; outcome: ReconcileOutcome; count: number }>();
  for (const r of results) {
    const key = `${r.kind}/${r.outcome}`;
    const group = groups.get(key) ?? { kind: r.kind, outcome: r.outcome, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ kind, outcome, count }) => {
    const dimensions = { kind, outcome };
    const points: ReconcileMetric[] = [{ name: 'ReconcileChecked', value: count, dimensions }];
    if (REPAIR_OUTCOMES.has(outcome)) points.push({ name: 'ReconcileRepaired', value: count, dimensions });
    if (ERROR_OUTCOMES.has(outcome)) points.push({ name: 'ReconcileErrors', value: count, dimensions });
    return points;
  });
}

class StopRun extends Error {}

/** What Twilio says of a waiting step: whether its outcome differs from the stored wait. */
interface Probe {
  changed: boolean;
  ref: string;
  to?: string;
  reason?: string;
}

export function reconciler(deps: ReconcileDeps) {
  const settings: ReconcileSettings = { ...RECONCILE_SETTINGS, ...deps.settings };
  const nowIso = () => deps.clock.now().toISOString();

  const differs = (outcome: StepOutcome, state: StepState) => outcome.status !== 'waiting' || outcome.waitingFor !== state.waitingFor;

  async function probe(step: OnboardingStep, record: OnboardingRecord, state: StepState, creds: () => Promise<SubaccountCredentials>): Promise<Probe | undefined> {
    const { brandSid, campaignSid, messagingServiceSid } = record.sids;
    if (step === 'brand' && brandSid) {
      const brand = await deps.twilio.fetchBrandRegistration(await creds(), brandSid);
      return { changed: differs(brandOutcome(brand, record.options.brandType === 'SOLE_PROPRIETOR'), state), ref: brandSid, to: brand.status };
    }
    if (step === 'campaign' && campaignSid && messagingServiceSid) {
      const campaign = await deps.twilio.fetchCampaign(await creds(), messagingServiceSid, campaignSid);
      return { changed: differs(campaignOutcome(campaign), state), ref: campaignSid, to: campaign.status ?? 'unknown' };
    }
    if (step === 'numbers') {
      // Carrier registration has no GET at Twilio: only its event tells. What the sweep can see is
      // a number bought but never attached although the campaign is verified (a missed campaign
      // event): the step's check attaches it.
      const numbers = await deps.onboarding.listNumbers(record.partnerId, record.customerId);
      const unattached = numbers.filter((n) => n.status === 'purchased');
      const ref = state.waitingFor?.split(':')[1] ?? 'numbers';
      if (unattached.length > 0 && record.steps.campaign?.status === 'succeeded') return { changed: true, ref, to: 'attach', reason: `${unattached.length} number(s) to attach` };
      return { changed: false, ref, reason: 'carrier registration is reported by its event only' };
    }
    return undefined;
  }

  /**
   * Pushes a claimed entry further back when Twilio had nothing new: its sort key says "checked"
   * at a time ahead of the run, so it is due a quarter of its wait (bounded) later than usual.
   * Conditional like the claim: a record that changed meanwhile keeps its own entry.
   */
  async function backOff(c: ReconcileCandidate, waitingSince: string, runAt: Date): Promise<void> {
    const waited = runAt.getTime() - Date.parse(waitingSince);
    const delay = Math.min(Math.max(0, waited / 4), settings.maxBackoffMs);
    if (delay >= 60_000) await deps.store.claim(c, new Date(runAt.getTime() + delay).toISOString());
  }

  /**
   * A record with a waiting step: each waiting step is probed, and repaired through the resume path
   * when Twilio moved on. `runAt` is the run's time (the schedule's), against which ages are measured.
   */
  async function onboarding(c: ReconcileCandidate, runAt: Date): Promise<ReconcileResult[]> {
    const { partnerId, customerId } = c;
    const record = await deps.onboarding.get(partnerId, customerId);
    const waiting = ONBOARDING_STEPS.filter((s) => record?.steps[s]?.status === 'waiting');
    if (!record || waiting.length === 0) {
      await deps.store.close(c, runAt.toISOString());
      return [{ kind: 'onboarding', outcome: 'final', partnerId, customerId, ref: customerId }];
    }
    let creds: Promise<SubaccountCredentials> | undefined;
    const credentials = () => (creds ??= deps.credentials(partnerId, customerId));
    const results: ReconcileResult[] = [];
    const waitedSince = waiting.map((s) => record.steps[s]!.waitingSince ?? record.steps[s]!.updatedAt).sort()[0]!;
    for (const step of waiting) {
      const state = record.steps[step]!;
      const base = { kind: step, partnerId, customerId, from: state.waitingFor };
      let found: Probe | undefined;
      try {
        found = await probe(step, record, state, credentials);
      } catch (error) {
        if (error instanceof TwilioRetryableError) throw new StopRun(error.message);
        if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
        // The step's check turns Twilio's 404 into a failed step saying the resource is gone.
        found = { changed: true, ref: state.waitingFor ?? step, to: 'gone', reason: error.message };
      }
      if (!found) {
        results.push({ ...base, outcome: 'unchanged', ref: state.waitingFor ?? step, reason: 'nothing to ask Twilio for this step' });
        continue;
      }
      if (!found.changed) {
        results.push({ ...base, outcome: 'unchanged', ref: found.ref, ...(found.to ? { to: found.to } : {}), ...(found.reason ? { reason: found.reason } : {}) });
        continue;
      }
      // Exactly what the missed event would have done: the parked execution gets its token and
      // re-reads Twilio in its Check task; without one (steps driven through the resource routes,
      // or between waits) the step's check runs here.
      const resumed = state.waitingFor ? await deps.resumeWaiting(state.waitingFor, { reconciled: true }) : 'not-waiting';
      if (resumed !== 'resumed') await deps.checkStep(step, { partnerId, customerId, attempt: record.attempt });
      results.push({ ...base, outcome: found.to === 'gone' ? 'gone' : 'repaired', ref: found.ref, ...(found.to ? { to: found.to } : {}), reason: found.reason ?? (resumed === 'resumed' ? 'onboarding resumed' : 'step checked') });
    }
    if (results.every((r) => r.outcome === 'unchanged')) await backOff(c, waitedSince, runAt);
    return results;
  }

  /** The status callback Twilio's answer amounts to, as the status receiver would have queued it. */
  function statusEnvelope(m: MessageRecord, twilio: { sid: string; status: string; errorCode: number | null; from: string | null; to: string; messagingServiceSid: string | null }): FormEnvelope {
    const params: Array<[string, string]> = [['MessageSid', twilio.sid], ['MessageStatus', twilio.status], ['AccountSid', m.accountSid], ['To', m.to ?? twilio.to]];
    if (twilio.from) params.push(['From', twilio.from]);
    if (twilio.messagingServiceSid) params.push(['MessagingServiceSid', twilio.messagingServiceSid]);
    if (twilio.errorCode) params.push(['ErrorCode', String(twilio.errorCode)]);
    return { kind: 'status', accountSid: m.accountSid, partnerId: m.partnerId, customerId: m.customerId, receivedAt: nowIso(), query: `messageId=${m.messageId}`, params };
  }

  async function message(c: ReconcileCandidate, runAt: Date): Promise<ReconcileResult> {
    const { partnerId, customerId } = c;
    const messageId = c.messageId!;
    const base = { kind: 'message', partnerId, customerId, ref: messageId };
    const at = runAt.toISOString();
    const m = await deps.messages.get(partnerId, customerId, messageId, true);
    if (!m || m.statusRank >= FINAL_STATUS_RANK) {
      await deps.store.close(c, at);
      return { ...base, outcome: 'final', ...(m ? { from: m.status } : {}) };
    }
    const age = runAt.getTime() - Date.parse(m.sendAt ?? m.createdAt);
    const giveUp = async (reason: string): Promise<ReconcileResult> => {
      await deps.store.close(c, at, reason);
      return { ...base, outcome: 'expired', from: m.status, reason };
    };
    if (!m.sid) {
      // Twilio never answered the create, and without a SID there is nothing to look up.
      return age > settings.messageMaxAgeMs ? giveUp('No Twilio SID: Twilio never confirmed the send and no status callback named it') : { ...base, outcome: 'unchanged', from: m.status, reason: 'no Twilio SID yet' };
    }
    let twilio;
    try {
      twilio = await deps.twilio.fetchMessage(await deps.credentials(partnerId, customerId), m.sid);
    } catch (error) {
      if (error instanceof TwilioRetryableError) throw new StopRun(error.message);
      if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
      const reason = `Twilio has no message ${m.sid} any more (deleted, or its account closed); its last known status stays ${m.status}`;
      await deps.store.close(c, at, reason);
      return { ...base, outcome: 'gone', from: m.status, reason };
    }
    const rank = statusRank(twilio.status);
    if (rank !== undefined && rank > m.statusRank) {
      const moved = await deps.applyStatus(statusEnvelope(m, twilio));
      // A final status takes the marker with it (in the status's own transaction).
      if (!moved) return { ...base, outcome: 'skipped', from: m.status, to: twilio.status, reason: 'the status had arrived meanwhile' };
      return { ...base, outcome: 'repaired', from: m.status, to: twilio.status };
    }
    if (age > settings.messageMaxAgeMs) return giveUp(`No final status from Twilio ${Math.round(settings.messageMaxAgeMs / 3600_000)} hours after sending; Twilio still says ${twilio.status}`);
    await backOff(c, m.sendAt ?? m.createdAt, runAt);
    return { ...base, outcome: 'unchanged', from: m.status, to: twilio.status };
  }

  return {
    settings,

    /**
     * One run: per kind, the entries due (waiting longer than the threshold), oldest first, up to
     * the page size; each is claimed (moved to the back) before Twilio is asked, so a record that
     * stays stuck cannot hold the others up and an overlapping run skips it. Ends early when the
     * time left is under the reserve, or at the first throttling or Twilio fault (back off: the
     * rest stay due for the next run). `now` is the run's time: the schedule's, so "waiting longer
     * than the threshold" follows the scheduler's clock.
     */
    async run({ now = deps.clock.now(), remainingMs = () => Number.POSITIVE_INFINITY }: { now?: Date; remainingMs?: () => number } = {}): Promise<ReconcileRun> {
      const results: ReconcileResult[] = [];
      const before = new Date(now.getTime() - settings.thresholdMs).toISOString();
      for (const kind of ['onboarding', 'message'] as const) {
        for (const candidate of await deps.store.due(kind, before, settings.pageSize[kind])) {
          if (remainingMs() < settings.reserveMs) return { results, stoppedBy: 'time' };
          const base = { kind, partnerId: candidate.partnerId, customerId: candidate.customerId, ref: candidate.messageId ?? candidate.customerId };
          const claimed = await deps.store.claim(candidate, now.toISOString());
          if (!claimed) {
            results.push({ ...base, outcome: 'skipped', reason: 'claimed by another run, or changed meanwhile' });
            continue;
          }
          try {
            if (kind === 'onboarding') results.push(...(await onboarding(claimed, now)));
            else results.push(await message(claimed, now));
          } catch (error) {
            if (error instanceof StopRun) {
              results.push({ ...base, outcome: 'deferred', reason: error.message });
              return { results, stoppedBy: 'twilio' };
            }
            results.push({ ...base, outcome: 'error', reason: (error as Error).name });
          }
        }
      }
      return { results };
    },
  };
}

export type Reconciler = ReturnType<typeof reconciler>;
