import type { CustomerCreate } from '../../shared/domain/customer';

/** A customer body that passes validation; tests override single fields. */
export function validCustomer(overrides: Partial<CustomerCreate> = {}): CustomerCreate {
  return {
    legalName: 'Acme Widgets LLC',
    displayName: 'Acme',
    businessType: 'Limited Liability Corporation',
    industry: 'TECHNOLOGY',
    registration: { type: 'EIN', number: '12-3456789' },
    regionsOfOperation: ['USA_AND_CANADA'],
    website: 'https://acme.example.com',
    companyType: 'private',
    contact: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@acme.example.com',
      phone: '+14155550100',
      businessTitle: 'Owner',
      jobPosition: 'CEO',
    },
    address: { street: '1 Market St', city: 'San Francisco', region: 'CA', postalCode: '94105', isoCountry: 'US' },
    ...overrides,
  };
}
