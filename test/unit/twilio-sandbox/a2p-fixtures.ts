import { POLICY } from '../../../infra/local/twilio-sandbox';
import type { Harness, Twilio } from './support';

export const EVENTS_URL = 'https://hooks.example/twilio/events';
export const TRUSTHUB_URL = 'https://hooks.example/twilio/trusthub';

export interface Bundles {
  customerProfileSid: string;
  trustProductSid: string;
}

/** Standard brand prerequisites with the subaccount's own credentials (TWILIO.md §2.1 steps 1.1–2.6). */
export async function standardBundles(h: Harness, client: Twilio, businessName = 'Acme Dental LLC', submit = true): Promise<Bundles> {
  const profile = await client.trusthub.v1.customerProfiles.create({ friendlyName: businessName, email: 'isv@isv.example', policySid: POLICY.secondaryCustomerProfile, statusCallback: TRUSTHUB_URL });
  const business = await client.trusthub.v1.endUsers.create({
    friendlyName: 'business', type: 'customer_profile_business_information',
    attributes: {
      business_name: businessName, business_type: 'Limited Liability Corporation', business_industry: 'HEALTHCARE', business_registration_identifier: 'EIN',
      business_registration_number: '12-3456789', business_identity: 'direct_customer', business_regions_of_operation: 'USA_AND_CANADA', website_url: 'https://acme.example',
    },
  });
  const rep = await client.trusthub.v1.endUsers.create({
    friendlyName: 'rep', type: 'authorized_representative_1',
    attributes: { first_name: 'Ana', last_name: 'Diaz', email: 'ana@acme.example', phone_number: '+15125550100', business_title: 'CEO', job_position: 'CEO' },
  });
  const address = await client.addresses.create({ customerName: businessName, street: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701', isoCountry: 'US' });
  const document = await client.trusthub.v1.supportingDocuments.create({ friendlyName: 'address', type: 'customer_profile_address', attributes: { address_sids: address.sid } });
  for (const objectSid of [business.sid, rep.sid, document.sid, h.sandbox.primaryCustomerProfileSid]) {
    await client.trusthub.v1.customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid });
  }
  const trustProduct = await client.trusthub.v1.trustProducts.create({ friendlyName: `${businessName} A2P`, email: 'isv@isv.example', policySid: POLICY.a2pTrustProduct, statusCallback: TRUSTHUB_URL });
  const messagingProfile = await client.trusthub.v1.endUsers.create({ friendlyName: 'a2p', type: 'us_a2p_messaging_profile_information', attributes: { company_type: 'private' } });
  for (const objectSid of [messagingProfile.sid, profile.sid]) {
    await client.trusthub.v1.trustProducts(trustProduct.sid).trustProductsEntityAssignments.create({ objectSid });
  }
  if (submit) {
    await client.trusthub.v1.customerProfiles(profile.sid).update({ status: 'pending-review' });
    await client.trusthub.v1.trustProducts(trustProduct.sid).update({ status: 'pending-review' });
  }
  return { customerProfileSid: profile.sid, trustProductSid: trustProduct.sid };
}

/** Sole proprietor prerequisites (TWILIO.md §2.2). */
export async function soleProprietorBundles(h: Harness, client: Twilio): Promise<Bundles> {
  const profile = await client.trusthub.v1.customerProfiles.create({ friendlyName: 'Ana Diaz', email: 'isv@isv.example', policySid: POLICY.starterCustomerProfile });
  const person = await client.trusthub.v1.endUsers.create({
    friendlyName: 'starter', type: 'starter_customer_profile_information', attributes: { first_name: 'Ana', last_name: 'Diaz', email: 'ana@example.com', phone_number: '+15125550101' },
  });
  const address = await client.addresses.create({ customerName: 'Ana Diaz', street: '2 Main St', city: 'Austin', region: 'TX', postalCode: '78701', isoCountry: 'US' });
  const document = await client.trusthub.v1.supportingDocuments.create({ friendlyName: 'address', type: 'customer_profile_address', attributes: { address_sids: address.sid } });
  for (const objectSid of [person.sid, document.sid, h.sandbox.primaryCustomerProfileSid]) {
    await client.trusthub.v1.customerProfiles(profile.sid).customerProfilesEntityAssignments.create({ objectSid });
  }
  const trustProduct = await client.trusthub.v1.trustProducts.create({ friendlyName: 'Ana A2P', email: 'isv@isv.example', policySid: POLICY.soleProprietorTrustProduct });
  const soleProp = await client.trusthub.v1.endUsers.create({ friendlyName: 'sp', type: 'sole_proprietor_information', attributes: { brand_name: 'Ana Tutoring', vertical: 'EDUCATION', mobile_phone_number: '+15125550102' } });
  for (const objectSid of [soleProp.sid, profile.sid]) {
    await client.trusthub.v1.trustProducts(trustProduct.sid).trustProductsEntityAssignments.create({ objectSid });
  }
  await client.trusthub.v1.customerProfiles(profile.sid).update({ status: 'pending-review' });
  await client.trusthub.v1.trustProducts(trustProduct.sid).update({ status: 'pending-review' });
  return { customerProfileSid: profile.sid, trustProductSid: trustProduct.sid };
}

export async function subscribeToA2pEvents(client: Twilio): Promise<void> {
  const sink = await client.events.v1.sinks.create({ description: 'a2p', sinkType: 'webhook', sinkConfiguration: { destination: EVENTS_URL, method: 'POST', batch_events: false } });
  const prefix = 'com.twilio.messaging.compliance';
  const types = [
    'brand-registration.brand-registered', 'brand-registration.brand-failure', 'brand-registration.brand-verified', 'brand-registration.brand-unverified',
    'campaign-registration.campaign-submitted', 'campaign-registration.campaign-approved', 'campaign-registration.campaign-failure',
    'number-registration.pending', 'number-registration.successful', 'number-registration.failed',
  ].map((t) => ({ type: `${prefix}.${t}`, schema_version: 1 }));
  await client.events.v1.subscriptions.create({ description: 'a2p', sinkSid: sink.sid, types });
}

export const campaignInput = (brandRegistrationSid: string) => ({
  brandRegistrationSid,
  description: 'Appointment reminders and confirmations for patients of Acme Dental clinics.',
  messageFlow: 'Patients opt in on the booking form at https://acme.example/book by ticking an SMS consent box.',
  messageSamples: ['Acme Dental: your appointment is tomorrow at [time]. Reply STOP to opt out.', 'Acme Dental: please confirm your visit on [date]. Reply STOP to opt out.'],
  usAppToPersonUsecase: 'ACCOUNT_NOTIFICATION',
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
});
