import { config } from '../config';
import { embeddedSignupOf } from '../domain/whatsapp-embedded-signup';
import { embeddedSignupReader } from '../services/whatsapp/embedded-signup';
import { whatsAppSenderReader } from '../services/whatsapp/senders';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoWhatsAppSenderRepository } from '../store/whatsapp-senders';

/** Sender reads: the store alone (no Twilio SDK, no key service in their bundles). */
export const whatsAppSenderReads = whatsAppSenderReader({
  senders: dynamoWhatsAppSenderRepository(documentClient, tableName),
  customers: dynamoCustomerRepository(documentClient, tableName),
});

/** The platform's Embedded Signup (Meta's, or the simulated hand-off), for a customer's front end. */
export const embeddedSignup = embeddedSignupReader({ customers: dynamoCustomerRepository(documentClient, tableName), embeddedSignup: embeddedSignupOf(config) });
