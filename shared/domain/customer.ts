import { z } from 'zod';
import { BUSINESS_TYPES, COMPANY_TYPES, INDUSTRIES, JOB_POSITIONS, REGIONS, REGISTRATION_ID_TYPES, STOCK_EXCHANGES } from './customer-values';
import { CustomerClosedError } from './errors';
import { pageOf, pageQuery } from './page';
import { OnboardingSummarySchema } from '../workflow/timeline';

/**
 * A customer is one business of a partner, which becomes one Twilio subaccount and one A2P 10DLC
 * brand. The fields are exactly the data Twilio's ISV registration needs (secondary customer
 * profile end users, address, A2P messaging profile), named for partners rather than for Twilio.
 */

export { BUSINESS_TYPES, COMPANY_TYPES, INDUSTRIES, JOB_POSITIONS, REGIONS, REGISTRATION_ID_TYPES, STOCK_EXCHANGES } from './customer-values';

export const CUSTOMER_STATUSES = ['active', 'suspended', 'closed'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

const e164 = z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +14155550100');
const text = (max: number) => z.string().trim().min(1).max(max);
const httpsUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain })
  .max(2048)
  .describe('A public http(s) URL');

export const ContactSchema = z
  .strictObject({
    firstName: text(100),
    lastName: text(100),
    email: z.email().max(254),
    phone: e164,
    businessTitle: text(100),
    jobPosition: z.enum(JOB_POSITIONS),
  })
  .describe('Authorized representative of the business (TrustHub authorized_representative_1)');

export const AddressSchema = z.strictObject({
  street: text(200),
  streetSecondary: text(200).optional(),
  city: text(100),
  region: text(100).describe('State or province, e.g. CA'),
  postalCode: text(20),
  isoCountry: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US'),
});

export const RegistrationSchema = z
  .strictObject({
    type: z.enum(REGISTRATION_ID_TYPES),
    number: text(50),
  })
  .refine((r) => r.type !== 'EIN' || /^\d{2}-?\d{7}$/.test(r.number), {
    message: 'an EIN has 9 digits, e.g. 12-3456789',
    path: ['number'],
  })
  .describe('Business registration identifier (EIN for US businesses; never a DUNS number)');

/** The fields a partner provides and may later change. */
const customerFields = {
  legalName: text(255).describe('Exact legal name as registered with the tax authority (IRS CP-575 for EINs)'),
  displayName: text(100),
  businessType: z.enum(BUSINESS_TYPES),
  industry: z.enum(INDUSTRIES),
  registration: RegistrationSchema.optional(),
  regionsOfOperation: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length),
  website: httpsUrl,
  socialMediaProfileUrls: z.array(httpsUrl).max(5).optional(),
  companyType: z.enum(COMPANY_TYPES),
  stockExchange: z.enum(STOCK_EXCHANGES).optional(),
  stockTicker: z.string().regex(/^[A-Z0-9.\-]{1,10}$/).optional(),
  contact: ContactSchema,
  address: AddressSchema,
};

type CustomerFields = z.infer<z.ZodObject<typeof customerFields>>;

/** Cross-field rules, shared by create and by the merged result of a patch. */
function checkCustomerInvariants(c: Partial<CustomerFields>, ctx: z.RefinementCtx): void {
  if (c.businessType !== undefined && c.businessType !== 'Sole Proprietorship' && !c.registration) {
    ctx.addIssue({ code: 'custom', path: ['registration'], message: 'required unless businessType is Sole Proprietorship' });
  }
  if (c.companyType === 'public' && (!c.stockExchange || c.stockExchange === 'NONE' || !c.stockTicker)) {
    ctx.addIssue({ code: 'custom', path: ['stockTicker'], message: 'stockExchange and stockTicker are required for a public company' });
  }
}

export const CustomerCreateSchema = z.strictObject(customerFields).superRefine(checkCustomerInvariants);
export type CustomerCreate = z.infer<typeof CustomerCreateSchema>;

export const CustomerPatchSchema = z
  .strictObject(customerFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'at least one field must be given' });
export type CustomerPatch = z.infer<typeof CustomerPatchSchema>;

/** Re-validates a customer after a patch is merged, so a patch cannot break a cross-field rule. */
export const CustomerFieldsSchema = CustomerCreateSchema;

export const CustomerSchema = z
  .object({
    id: z.string().describe('Switchboard customer id, e.g. cus_01JF3…'),
    status: z.enum(CUSTOMER_STATUSES),
    ...customerFields,
    accountSid: z.string().optional().describe("The customer's Twilio subaccount SID (AC…), once created"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe('A business customer of the partner');
export type Customer = z.infer<typeof CustomerSchema>;

/**
 * The one guard of every change to a customer (its data, onboarding, registrations, numbers,
 * consent, messages, subaccount): a closed customer refuses them all with 409 customer-closed.
 * A close marks the customer first, so changes are refused while its numbers are being released.
 */
export function requireOpen<C extends Pick<Customer, 'status'> & { id?: string }>(customer: C, customerId = customer.id): C {
  if (customer.status === 'closed') {
    throw new CustomerClosedError(`Customer ${customerId} is closed: its subaccount is closed and its numbers are released, so it cannot change any more (reads still work)`);
  }
  return customer;
}

export const CustomerListItemSchema = CustomerSchema.extend({
  onboarding: OnboardingSummarySchema.nullable()
    .optional()
    .describe('With `include=onboarding`: where its onboarding stands, or null when it has never been onboarded'),
});
export type CustomerListItem = z.infer<typeof CustomerListItemSchema>;

export const CustomerListSchema = pageOf(CustomerListItemSchema, 'Newest first');

export const ListQuerySchema = z.strictObject({
  ...pageQuery(),
  include: z.enum(['onboarding']).optional().describe("`onboarding`: each customer also carries where its onboarding stands (one more read per page, not per customer)"),
});
export type CustomerListQuery = z.infer<typeof ListQuerySchema>;
