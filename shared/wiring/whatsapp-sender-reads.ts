import { whatsAppSenderReader } from '../services/whatsapp/senders';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoWhatsAppSenderRepository } from '../store/whatsapp-senders';

/** Sender reads: the store alone (no Twilio SDK, no key service in their bundles). */
export const whatsAppSenderReads = whatsAppSenderReader({
  senders: dynamoWhatsAppSenderRepository(documentClient, tableName),
  customers: dynamoCustomerRepository(documentClient, tableName),
});
