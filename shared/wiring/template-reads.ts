import { templateReader } from '../services/whatsapp/templates';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { templateStore } from '../store/templates';

/** Template reads (list, detail, the send path's lookup), without the Twilio SDK or the key service in their bundles. */
export const templateReads = templateReader({
  templates: templateStore(documentClient, tableName),
  customers: dynamoCustomerRepository(documentClient, tableName),
});

/**
 * The send path's read of a template, by id or by ContentSid: one GetItem or one Query.
 * `variables` are the keys a send fills, e.g. ["1","2"].
 */
export const findForSend = (partnerId: string, customerId: string, ref: { templateId?: string; contentSid?: string }) => templateReads.findForSend(partnerId, customerId, ref);
