import { CustomerFieldsSchema, requireOpen, type Customer, type CustomerCreate, type CustomerListItem, type CustomerListQuery, type CustomerPatch } from '../domain/customer';
import { NotFoundError, ValidationError } from '../domain/errors';
import type { CustomerRecord, CustomerRepository } from '../store/customers';
import type { OnboardingSummaryReader } from '../store/onboarding-runs';
import { onboardingSummaryOf } from '../workflow/timeline';
import { fieldErrorsOf } from '../http/validation';
import { pager, type Page } from './page';
import type { Clock, IdGenerator } from './support';

export interface CustomerServiceDeps {
  customers: CustomerRepository;
  /** Read only for a list with `include=onboarding`. */
  onboardingSummaries: OnboardingSummaryReader;
  clock: Clock;
  ids: IdGenerator;
}

export type CustomerList = Page<CustomerListItem>;

/** Partner-facing view: the owner and the lock version are internal. */
export function toCustomer(record: CustomerRecord): Customer {
  const { partnerId: _owner, version: _version, ...customer } = record;
  return customer;
}

/** Newest first; a cursor carries the last customer id of its page. */
const pages = pager<CustomerRecord>('customers', /^cus_[0-9A-HJKMNP-TV-Z]{26}$/, (c) => c.id);

export function customerService({ customers, onboardingSummaries, clock, ids }: CustomerServiceDeps) {
  async function require(partnerId: string, customerId: string): Promise<CustomerRecord> {
    const found = await customers.get(partnerId, customerId);
    if (!found) throw new NotFoundError(`Customer ${customerId} not found`);
    return found;
  }

  return {
    async create(partnerId: string, input: CustomerCreate): Promise<Customer> {
      const now = clock.now().toISOString();
      const record: CustomerRecord = {
        id: ids('cus'),
        partnerId,
        status: 'active',
        ...input,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await customers.create(record);
      return toCustomer(record);
    },

    async get(partnerId: string, customerId: string): Promise<Customer> {
      return toCustomer(await require(partnerId, customerId));
    },

    /** A page of customers; with `include: 'onboarding'` each also says where its onboarding stands (one batch read for the page). */
    async list(partnerId: string, { limit, cursor, include }: CustomerListQuery): Promise<CustomerList> {
      const scope = [partnerId];
      const { items, nextCursor } = pages.page(await customers.list(partnerId, limit + 1, pages.after(cursor, scope)), limit, scope);
      if (include !== 'onboarding' || items.length === 0) return { data: items.map(toCustomer), nextCursor };
      const runs = await onboardingSummaries(partnerId, items.map((c) => c.id));
      return {
        data: items.map((c) => {
          const run = runs.get(c.id);
          return { ...toCustomer(c), onboarding: run ? onboardingSummaryOf(run, c.status === 'closed') : null };
        }),
        nextCursor,
      };
    },

    /**
     * Primary course: load the partner's customer, merge the patch, re-check the whole customer
     * (a patch must not break a cross-field rule), write it back if nobody changed it meanwhile.
     */
    async patch(partnerId: string, customerId: string, patch: CustomerPatch): Promise<Customer> {
      const current = requireOpen(await require(partnerId, customerId));
      const { id, partnerId: owner, status, createdAt, updatedAt: _u, version, accountSid, ...fields } = current;
      const merged = CustomerFieldsSchema.safeParse({ ...fields, ...patch });
      if (!merged.success) {
        throw new ValidationError('The patched customer would not be valid', fieldErrorsOf(merged.error, 'body'));
      }
      const next: CustomerRecord = {
        ...merged.data,
        id,
        partnerId: owner,
        status,
        ...(accountSid ? { accountSid } : {}),
        createdAt,
        updatedAt: clock.now().toISOString(),
        version: version + 1,
      };
      await customers.replace(next, version);
      return toCustomer(next);
    },
  };
}

export type CustomerService = ReturnType<typeof customerService>;
