import { CustomerNotClosedError, NotFoundError } from '../domain/errors';
import type { CustomerRepository } from '../store/customers';
import type { CustomerErasureStore } from '../store/customer-erasure';
import type { SubaccountRepository } from '../store/subaccounts';
import type { PartnerEventLog } from './partner-events-contract';
import type { Clock } from './support';

export interface CustomerErasureDeps {
  customers: Pick<CustomerRepository, 'get'>;
  subaccounts: Pick<SubaccountRepository, 'get'>;
  erasure: CustomerErasureStore;
  events: Pick<PartnerEventLog, 'appendWith'>;
  clock: Clock;
  /** The customer's supporting documents (bytes outside the table), erased before the rows. */
  documents?: { eraseAll(partnerId: string, customerId: string, more: () => boolean): Promise<boolean> };
  /** How long one call may spend deleting before it answers "still erasing" (an API call has 29 s). */
  budgetMs: number;
}

export type ErasureOutcome = { status: 'deleted' } | { status: 'erasing' };

/**
 * Offboarding's last step (docs/security.md): a customer whose subaccount is closed loses its
 * personal data — its record, registration, messages, supporting documents (bytes and rows),
 * WhatsApp senders and templates, Twilio's
 * registration events and its account row with the encrypted token — while its contacts' consent
 * ledger stays as evidence. Rows go first and the customer row last, with `customer.deleted`, so
 * a call cut short by its budget (or a crash) is continued by the next one.
 */
export function customerErasure({ customers, subaccounts, erasure, documents, events, clock, budgetMs }: CustomerErasureDeps) {
  return {
    async erase(partnerId: string, customerId: string): Promise<ErasureOutcome> {
      const customer = await customers.get(partnerId, customerId);
      if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
      const account = customer.accountSid ? await subaccounts.get(customer.accountSid) : undefined;
      if (customer.accountSid && account?.status !== 'closed') {
        throw new CustomerNotClosedError(
          `Customer ${customerId} still has subaccount ${customer.accountSid} (${account?.status ?? 'unknown'}) at Twilio: close it first (POST /v1/customers/${customerId}/subaccount/close), then delete the customer`,
        );
      }
      const deadline = clock.now().getTime() + budgetMs;
      const more = () => clock.now().getTime() < deadline;
      if (documents && !(await documents.eraseAll(partnerId, customerId, more))) return { status: 'erasing' };
      const done = await erasure.eraseRows(partnerId, customerId, more);
      if (!done) return { status: 'erasing' };
      const deletedAt = clock.now().toISOString();
      const written = await events.appendWith(
        partnerId,
        [{ type: 'customer.deleted', customerId, data: { deletedAt, ...(customer.accountSid ? { accountSid: customer.accountSid } : {}) } }],
        erasure.finalItems(partnerId, customerId, customer.accountSid),
      );
      // Another call finished the erasure meanwhile.
      if (!written.committed) throw new NotFoundError(`Customer ${customerId} not found`);
      return { status: 'deleted' };
    },
  };
}
