import { requireOpen } from '../../domain/customer';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import {
  OnboardingOptionsSchema,
  crossCheck,
  type BrandOptions,
  type CampaignOptions,
  type NumberOptions,
  type OnboardingOptions,
  type OnboardingRecord,
  type StepState,
} from '../../domain/onboarding';
import type { BrandView, CampaignView, NumberRecord, NumberView } from '../../domain/registration';
import type { PageQuery } from '../../domain/page';
import { pager, type Page } from '../page';
import type { OnboardingStep, StepInput } from './contract';
import type { StepDeps } from './context';
import type { RegistrationSteps } from './steps';

/**
 * The registration resources for partners who drive the steps themselves (and the options the
 * workflow runs with). Each use case runs the steps it needs in order and stops at the first one
 * that does not succeed; everything it returns comes from the onboarding record.
 */
export interface RegistrationServiceDeps extends Pick<StepDeps, 'onboarding' | 'customers' | 'clock'> {
  steps: RegistrationSteps;
}

const BRAND_STEPS: OnboardingStep[] = ['subaccount', 'customerProfile', 'trustProduct', 'brand'];
const CAMPAIGN_STEPS: OnboardingStep[] = ['messagingService', 'campaign'];

function stepView(state: StepState | undefined) {
  return {
    status: state?.status ?? 'pending',
    ...(state?.waitingFor ? { waitingFor: state.waitingFor } : {}),
    errors: state?.errors ?? [],
    ...(state?.startedAt ? { startedAt: state.startedAt } : {}),
    ...(state?.updatedAt ? { updatedAt: state.updatedAt } : {}),
    ...(state?.completedAt ? { completedAt: state.completedAt } : {}),
  };
}

/** Before the brand exists its view reports the step that holds it up (e.g. a failed evaluation). */
function brandView(record: OnboardingRecord): BrandView | undefined {
  const blocking = BRAND_STEPS.map((s) => record.steps[s]).find((s) => s && s.status !== 'succeeded');
  const state = record.sids.brandSid ? record.steps.brand : blocking;
  if (!record.sids.brandSid && !blocking) return undefined;
  return {
    id: record.sids.brandSid ?? 'pending',
    brandType: record.options.brandType,
    mock: record.options.mock,
    ...(record.sids.customerProfileSid ? { customerProfileSid: record.sids.customerProfileSid } : {}),
    ...(record.sids.trustProductSid ? { trustProductSid: record.sids.trustProductSid } : {}),
    ...stepView(state),
  };
}

function campaignView(record: OnboardingRecord): CampaignView | undefined {
  const state = record.steps.campaign;
  if (!state || !record.sids.messagingServiceSid) return undefined;
  return {
    id: record.sids.campaignSid ?? 'pending',
    messagingServiceSid: record.sids.messagingServiceSid,
    ...(record.options.campaign ? { useCase: record.options.campaign.useCase } : {}),
    ...stepView(state),
  };
}

/**
 * A customer holds at most one brand and one campaign, and a handful of numbers: each list reads
 * its partition whole and cuts the page from it. Numbers are in phone-number order (their sort key).
 */
const SID_OR_PENDING = /^(pending|[A-Z]{2}[0-9a-fA-F]{32})$/;
const brandPages = pager<BrandView>('brands', SID_OR_PENDING, (b) => b.id);
const campaignPages = pager<CampaignView>('campaigns', SID_OR_PENDING, (c) => c.id);
const numberPages = pager<NumberView>('numbers', /^\+[1-9]\d{1,14}$/, (n) => n.phoneNumber);

function pageOfAll<T>(pages: ReturnType<typeof pager<T>>, all: T[], { limit, cursor }: PageQuery, scope: string[]): Page<T> {
  const { items, nextCursor } = pages.pageOfAll(all, limit, pages.after(cursor, scope), scope);
  return { data: items, nextCursor };
}

export const numberView = (n: NumberRecord): NumberView => ({
  id: n.sid ?? `pending:${n.phoneNumber}`,
  phoneNumber: n.phoneNumber,
  status: n.status,
  ...(n.messagingServiceSid ? { messagingServiceSid: n.messagingServiceSid } : {}),
  ...(n.failureReason ? { failureReason: n.failureReason } : {}),
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});

/** The customer's numbers, read from the store alone (no Twilio call, so no Twilio SDK in the bundle). */
export function registrationReader({ onboarding, customers }: Pick<RegistrationServiceDeps, 'onboarding' | 'customers'>) {
  async function requireCustomer(partnerId: string, customerId: string) {
    const customer = await customers.get(partnerId, customerId);
    if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
    return customer;
  }
  async function listNumbers(partnerId: string, customerId: string): Promise<NumberView[]> {
    await requireCustomer(partnerId, customerId);
    const numbers = await onboarding.listNumbers(partnerId, customerId);
    return numbers.filter((n) => n.status !== 'released').map(numberView);
  }
  return {
    requireCustomer,
    listNumbers,
    /** `GET …/numbers`: a page of {@link listNumbers}. */
    async pageNumbers(partnerId: string, customerId: string, query: PageQuery): Promise<Page<NumberView>> {
      const scope = [partnerId, customerId];
      numberPages.after(query.cursor, scope);
      const all = (await listNumbers(partnerId, customerId)).sort((a, b) => (a.phoneNumber < b.phoneNumber ? -1 : a.phoneNumber > b.phoneNumber ? 1 : 0));
      return pageOfAll(numberPages, all, query, scope);
    },
  };
}

export function registrationService({ onboarding, customers, clock, steps }: RegistrationServiceDeps) {
  const now = () => clock.now().toISOString();
  const reader = registrationReader({ onboarding, customers });
  const { requireCustomer } = reader;

  async function input(partnerId: string, customerId: string): Promise<StepInput> {
    const record = await onboarding.get(partnerId, customerId);
    return { partnerId, customerId, attempt: record?.attempt ?? 1 };
  }

  /** Runs steps in order, each only if not already done, until one does not succeed. */
  async function drive(partnerId: string, customerId: string, order: OnboardingStep[]): Promise<OnboardingRecord> {
    const stepInput = await input(partnerId, customerId);
    for (const step of order) {
      const state = (await onboarding.get(partnerId, customerId))?.steps[step];
      const outcome = state?.status === 'waiting' ? await steps.check(step, stepInput) : state?.status === 'succeeded' ? undefined : await steps.run(step, stepInput);
      if (outcome && outcome.status !== 'succeeded') break;
    }
    return (await onboarding.get(partnerId, customerId))!;
  }

  async function refreshed(partnerId: string, customerId: string, step: OnboardingStep): Promise<OnboardingRecord | undefined> {
    const record = await onboarding.get(partnerId, customerId);
    if (record?.steps[step]?.status !== 'waiting') return record;
    await steps.check(step, await input(partnerId, customerId));
    return onboarding.get(partnerId, customerId);
  }

  return {
    /**
     * Validates and stores the options (merged over what was stored). Cross-field rules against
     * the customer are checked here too, so nothing invalid is ever submitted to Twilio.
     */
    async configure(partnerId: string, customerId: string, patch: Partial<OnboardingOptions>): Promise<OnboardingRecord> {
      const customer = requireOpen(await requireCustomer(partnerId, customerId));
      const stored = await onboarding.get(partnerId, customerId);
      const parsed = OnboardingOptionsSchema.safeParse({ ...stored?.options, ...patch });
      if (!parsed.success) {
        throw new ValidationError('The registration options are not valid', parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
      }
      const options = parsed.data;
      if (stored?.sids.brandSid && (stored.options.brandType !== options.brandType || stored.options.mock !== options.mock)) {
        throw new ConflictError('The brand is registered; its type and mock flag cannot change');
      }
      const mismatches = crossCheck(customer, options);
      if (mismatches.length > 0) {
        throw new ValidationError('The options do not fit the customer', mismatches.flatMap((e) => e.fields.map((field) => ({ field, message: e.message }))));
      }
      return onboarding.saveOptions(partnerId, customerId, options, now());
    },

    async registerBrand(partnerId: string, customerId: string, options: BrandOptions): Promise<BrandView> {
      await this.configure(partnerId, customerId, options);
      return brandView(await drive(partnerId, customerId, BRAND_STEPS))!;
    },

    async listBrands(partnerId: string, customerId: string, query: PageQuery): Promise<Page<BrandView>> {
      const scope = [partnerId, customerId];
      brandPages.after(query.cursor, scope);
      await requireCustomer(partnerId, customerId);
      const record = await refreshed(partnerId, customerId, 'brand');
      const view = record && brandView(record);
      return pageOfAll(brandPages, view ? [view] : [], query, scope);
    },

    async resubmitBrand(partnerId: string, customerId: string, brandId: string): Promise<BrandView> {
      requireOpen(await requireCustomer(partnerId, customerId));
      const record = await onboarding.get(partnerId, customerId);
      if (!record?.sids.brandSid || record.sids.brandSid !== brandId) throw new NotFoundError(`Brand ${brandId} not found`);
      if (record.steps.brand?.status !== 'failed') throw new ConflictError(`Brand ${brandId} is ${record.steps.brand?.status ?? 'pending'}; only a failed brand can be resubmitted`);
      await steps.resubmitBrand(await input(partnerId, customerId));
      return brandView((await onboarding.get(partnerId, customerId))!)!;
    },

    async registerCampaign(partnerId: string, customerId: string, campaign: CampaignOptions): Promise<CampaignView> {
      const record = await this.configure(partnerId, customerId, { campaign });
      if (record.steps.brand?.status !== 'succeeded') throw new ConflictError('The brand must be approved before a campaign is registered');
      const after = await drive(partnerId, customerId, CAMPAIGN_STEPS);
      // A failed campaign is retried on the next POST: the step deletes and recreates it.
      return campaignView(after)!;
    },

    async listCampaigns(partnerId: string, customerId: string, query: PageQuery): Promise<Page<CampaignView>> {
      const scope = [partnerId, customerId];
      campaignPages.after(query.cursor, scope);
      await requireCustomer(partnerId, customerId);
      const record = await refreshed(partnerId, customerId, 'campaign');
      const view = record && campaignView(record);
      return pageOfAll(campaignPages, view ? [view] : [], query, scope);
    },

    async addNumbers(partnerId: string, customerId: string, numbers: NumberOptions): Promise<NumberView[]> {
      // Before anything is written: numbers are bought in the customer's subaccount.
      const customer = await requireCustomer(partnerId, customerId);
      const record = await onboarding.get(partnerId, customerId);
      if (!record?.sids.accountSid) {
        const onboard = `POST /v1/customers/${customerId}/onboarding`;
        throw new ConflictError(
          customer.accountSid
            ? `Customer ${customerId} has a subaccount but has not been onboarded: numbers are bought for its messaging service. Start the onboarding (${onboard}) with the numbers it should buy`
            : `Customer ${customerId} has no Twilio subaccount yet, and numbers are bought in it: start the onboarding (${onboard}), which creates it and buys the numbers it asks for`,
        );
      }
      await this.configure(partnerId, customerId, { numbers });
      await steps.run('numbers', await input(partnerId, customerId));
      return this.listNumbers(partnerId, customerId);
    },

    listNumbers: reader.listNumbers,
    pageNumbers: reader.pageNumbers,

    async releaseNumber(partnerId: string, customerId: string, numberId: string): Promise<void> {
      requireOpen(await requireCustomer(partnerId, customerId));
      const number = (await onboarding.listNumbers(partnerId, customerId)).find((n) => n.sid === numberId && n.status !== 'released');
      if (!number) throw new NotFoundError(`Number ${numberId} not found`);
      await steps.releaseNumber(await input(partnerId, customerId), number);
    },
  };
}

export type RegistrationService = ReturnType<typeof registrationService>;
