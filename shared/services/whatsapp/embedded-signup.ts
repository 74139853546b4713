import type { EmbeddedSignupConfig } from '../../domain/whatsapp-embedded-signup';
import { NotFoundError } from '../../domain/errors';
import type { CustomerRepository } from '../../store/customers';

export interface EmbeddedSignupDeps {
  customers: Pick<CustomerRepository, 'get'>;
  embeddedSignup: EmbeddedSignupConfig;
}

/**
 * What a customer's front end needs to run WhatsApp Embedded Signup before it registers a sender.
 * Asked per customer, so a customer's portal session reaches it and a foreign customer is a 404
 * like everywhere else; the answer is the platform's and the same for every customer.
 */
export function embeddedSignupReader({ customers, embeddedSignup }: EmbeddedSignupDeps) {
  return {
    async forCustomer(partnerId: string, customerId: string): Promise<EmbeddedSignupConfig> {
      if (!(await customers.get(partnerId, customerId))) throw new NotFoundError(`Customer ${customerId} not found`);
      return embeddedSignup;
    },
  };
}
