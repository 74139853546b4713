import { messageReader } from '../services/messaging';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { messageStore } from '../store/messages';

const customers = dynamoCustomerRepository(documentClient, tableName);

/** History reads, without the Twilio SDK or the key service in their bundles. */
export const messageReads = messageReader({
  messages: messageStore(documentClient, tableName),
  customerExists: async (partnerId, customerId) => (await customers.get(partnerId, customerId)) !== undefined,
});
