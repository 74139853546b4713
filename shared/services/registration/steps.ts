import { NotFoundError } from '../../domain/errors';
import { OnboardingOptionsSchema, STEP_STATUS_RANK, crossCheck, type OnboardingRecord, type StepState } from '../../domain/onboarding';
import type { NumberRecord } from '../../domain/registration';
import type { SubaccountRecord } from '../../domain/subaccount';
import { TwilioPermanentError } from '../../twilio/errors';
import type { SubaccountCredentials } from '../../twilio/gateway';
import { brandStep, resubmitBrand } from './brand-step';
import { campaignStep } from './campaign-step';
import type { PartnerEventInput } from '../partner-events-contract';
import type { StepContext, StepDeps, StepModule } from './context';
import type { OnboardingStep, OnboardingSteps, StepError, StepInput, StepJournal, StepOutcome } from './contract';
import { customerProfileStep } from './customer-profile-step';
import { messagingServiceStep } from './messaging-service-step';
import { numbersStep, releaseNumber } from './numbers-step';
import { subaccountStep } from './subaccount-step';
import { trustProductStep } from './trust-product-step';

const MODULES: Record<OnboardingStep, StepModule> = {
  subaccount: subaccountStep,
  customerProfile: customerProfileStep,
  trustProduct: trustProductStep,
  brand: brandStep,
  messagingService: messagingServiceStep,
  campaign: campaignStep,
  numbers: numbersStep,
};

/** Steps that send customer data to Twilio check the customer against the options first. */
const CROSS_CHECKED: Partial<Record<OnboardingStep, (e: StepError) => boolean>> = {
  customerProfile: (e) => !e.fields.some((f) => f.startsWith('campaign') || f.startsWith('numbers')),
  trustProduct: (e) => !e.fields.some((f) => f.startsWith('campaign') || f.startsWith('numbers')),
  brand: (e) => !e.fields.some((f) => f.startsWith('campaign') || f.startsWith('numbers')),
  campaign: (e) => e.fields.some((f) => f.startsWith('campaign')),
};

/** The partner event naming the resource a step drives, besides `onboarding.step.updated`. */
const RESOURCE_EVENT: Partial<Record<OnboardingStep, 'brand.updated' | 'campaign.updated'>> = { brand: 'brand.updated', campaign: 'campaign.updated' };

/** What a step starts from: see `load`. */
interface Loaded {
  customer: StepContext['customer'];
  record: OnboardingRecord;
  account?: SubaccountRecord;
}

/** `refresh` re-runs a step carrying fixed customer data into Twilio; `resubmit` asks for a new brand review. */
type Mode = 'run' | 'check' | 'refresh' | 'resubmit';

export interface RegistrationSteps extends OnboardingSteps {
  /** Carries the fixed customer into the bundles and asks Twilio to review the same brand again. */
  resubmitBrand(input: StepInput, journal?: StepJournal): Promise<StepOutcome>;
  /** Detaches, releases and frees one of the customer's numbers. */
  releaseNumber(input: StepInput, number: NumberRecord): Promise<void>;
}

/**
 * The onboarding steps over the Twilio gateway and the onboarding store. Around every step:
 * load the record and the customer, mark the step running, run it with the subaccount's
 * credentials, store the outcome (rank-checked) and append partner events when the status or
 * what it waits for changed. Permanent Twilio errors become `failed` outcomes with Twilio's code;
 * retryable ones propagate so the driver retries with backoff.
 */
export function onboardingSteps(deps: StepDeps): RegistrationSteps {
  const now = () => deps.clock.now().toISOString();

  /**
   * A customer's AccountSid never changes once set, so a warm function remembers it and reads the
   * subaccount row (its credentials) in the same batch as the customer. Bounded: oldest out first.
   */
  const accountSids = new Map<string, string>();
  const MAX_ACCOUNT_SIDS = 10_000;

  /** The customer, its onboarding record and (when known) its subaccount row, read together: one call per task, not one per row. */
  async function load(input: StepInput): Promise<Loaded> {
    const memo = `${input.partnerId}/${input.customerId}`;
    const { customer, record, account } = await deps.onboarding.getWithCustomer(input.partnerId, input.customerId, accountSids.get(memo));
    if (!customer) throw new NotFoundError(`Customer ${input.customerId} not found`);
    if (customer.accountSid && !accountSids.has(memo)) {
      if (accountSids.size >= MAX_ACCOUNT_SIDS) accountSids.delete(accountSids.keys().next().value!);
      accountSids.set(memo, customer.accountSid);
    }
    return { customer, account, record: record ?? (await deps.onboarding.saveOptions(input.partnerId, input.customerId, OnboardingOptionsSchema.parse({}), now())) };
  }

  /** `noted` collects the SIDs the step keeps for its outcome (see `noteSids`). */
  function contextFor(input: StepInput, { record, customer, account }: Loaded, refresh: boolean, noted: Record<string, string> = {}): StepContext {
    let creds: Promise<SubaccountCredentials> | undefined;
    return {
      deps,
      input,
      customer,
      record,
      refresh,
      creds: () => (creds ??= deps.subaccounts.credentials(input.partnerId, input.customerId, { customer, account })),
      async saveSids(sids) {
        await deps.onboarding.setSids(input.partnerId, input.customerId, sids, now());
        Object.assign(record.sids, sids);
      },
      noteSids(sids) {
        Object.assign(noted, sids);
        Object.assign(record.sids, sids);
      },
      now,
    };
  }

  /**
   * Stores the step state with the driver's journal; a change the partner should hear of is
   * written with its events, all in one transaction, which a stale state (the rank check) cancels
   * whole, so nothing is told twice.
   */
  async function persist(input: StepInput, step: OnboardingStep, previous: StepState | undefined, state: StepState, record: OnboardingRecord, noted: Record<string, string> = {}, journal?: StepJournal): Promise<void> {
    const { partnerId, customerId } = input;
    const changed = previous?.status !== state.status || previous?.waitingFor !== state.waitingFor || previous?.run !== state.run;
    const events: PartnerEventInput[] = [];
    if (changed && state.status !== 'running') {
      const data = {
        step, status: state.status, waitingFor: state.waitingFor, errors: state.errors, sids: state.sids, attempt: input.attempt,
        ...(state.startedAt ? { startedAt: state.startedAt } : {}), ...(state.completedAt ? { completedAt: state.completedAt } : {}),
      };
      events.push({ type: 'onboarding.step.updated', customerId, data });
      const resourceEvent = RESOURCE_EVENT[step];
      if (resourceEvent) events.push({ type: resourceEvent, customerId, data });
    }
    const kept = journal?.(state, Object.assign({}, ...Object.values(record.steps).map((s) => s?.sids ?? {}), state.sids) as Record<string, string>);
    if (events.length === 0 && !kept) {
      await deps.onboarding.putStep(partnerId, customerId, step, state, noted);
      return;
    }
    await deps.events.appendWith(partnerId, [...events, ...(kept?.events ?? [])], [deps.onboarding.stepItem(partnerId, customerId, step, state, noted), ...(kept?.items ?? [])]);
  }

  async function execute(step: OnboardingStep, input: StepInput, mode: Mode, { loaded, journal }: { loaded?: Loaded; journal?: StepJournal } = {}): Promise<StepOutcome> {
    const rows = loaded ?? (await load(input));
    const { customer, record } = rows;
    const previous = record.steps[step];
    const startsOver = mode === 'resubmit' || mode === 'refresh' || (mode === 'run' && previous?.status === 'failed');
    const run = (previous?.run ?? 1) + (startsOver && previous ? 1 : 0);
    const startedAt = mode === 'check' && previous?.startedAt ? previous.startedAt : now();
    if (mode !== 'check') {
      const running: StepState = { status: 'running', run, rank: STEP_STATUS_RANK.running, startedAt, updatedAt: startedAt, sids: previous?.sids ?? {}, errors: [] };
      // A waiting or finished step being re-run keeps its state until the new outcome is known.
      if (!previous || startsOver || previous.status === 'pending') await persist(input, step, previous, running, record);
    }

    const noted: Record<string, string> = {};
    const ctx = contextFor(input, rows, mode === 'refresh', noted);
    let outcome: StepOutcome;
    const mismatches = CROSS_CHECKED[step] ? crossCheck(customer, record.options).filter(CROSS_CHECKED[step]!) : [];
    if (customer.status === 'closed') {
      // Closed while the onboarding ran: nothing more is bought or registered for it.
      outcome = { status: 'failed', errors: [{ code: 'customer-closed', message: `Customer ${customer.id} was closed; its onboarding ends here`, fields: [] }], sids: {} };
    } else if (mismatches.length > 0 && mode !== 'check') {
      outcome = { status: 'failed', errors: mismatches, sids: {} };
    } else {
      try {
        outcome = mode === 'resubmit' ? await resubmitBrand(ctx) : await MODULES[step][mode === 'check' ? 'check' : 'run'](ctx);
      } catch (error) {
        if (!(error instanceof TwilioPermanentError)) throw error;
        const message = error.notFound && mode === 'check' ? `Twilio no longer has the resource this step waits on (deleted at Twilio, or its account closed): ${error.message}` : error.message;
        outcome = { status: 'failed', errors: [{ code: error.code ?? error.status ?? 'twilio-error', message, fields: [] }], sids: {} };
      }
    }

    const at = now();
    const sameRun = previous && !startsOver;
    const checks = (sameRun ? (previous.checks ?? 0) : 0) + (mode === 'check' ? 1 : 0);
    const state: StepState = {
      status: outcome.status,
      run,
      rank: STEP_STATUS_RANK[outcome.status],
      startedAt: sameRun ? (previous.startedAt ?? startedAt) : startedAt,
      updatedAt: at,
      ...(outcome.status === 'succeeded' || outcome.status === 'failed' ? { completedAt: at } : {}),
      ...(outcome.status === 'waiting'
        ? { waitingFor: outcome.waitingFor, waitingSince: sameRun && previous.waitingFor === outcome.waitingFor && previous.waitingSince ? previous.waitingSince : at }
        : {}),
      ...(checks > 0 ? { checks } : {}),
      sids: { ...(previous?.sids ?? {}), ...outcome.sids },
      errors: outcome.status === 'failed' ? outcome.errors : [],
    };
    await persist(input, step, previous, state, record, noted, journal);
    return { ...outcome, sids: state.sids };
  }

  const steps: RegistrationSteps = {
    async run(step, input, journal) {
      // A resumed onboarding re-runs the failed brand: that is the same brand reviewed again with
      // the fixed customer data, never a second (billable) registration or a re-read of the FAILED one.
      const loaded = await load(input);
      if (step === 'brand' && loaded.record.sids.brandSid && loaded.record.steps.brand?.status === 'failed') return steps.resubmitBrand(input, journal);
      return execute(step, input, 'run', { loaded, journal });
    },
    check: (step, input, journal) => execute(step, input, 'check', { journal }),

    async resubmitBrand(input, journal) {
      // Fixed data first: the bundles are rewritten from the customer (and re-reviewed if rejected).
      for (const step of ['customerProfile', 'trustProduct'] as const) {
        const outcome = await execute(step, input, 'refresh');
        if (outcome.status === 'failed') return outcome;
      }
      return execute('brand', input, 'resubmit', { journal });
    },

    async releaseNumber(input, number) {
      await releaseNumber(contextFor(input, await load(input), false), number);
    },
  };
  return steps;
}
