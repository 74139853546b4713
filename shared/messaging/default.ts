import { logger } from '../observability';
import { documentClient, tableName } from '../store/client';
import { messageStore } from '../store/messages';
import { usageStore } from '../store/usage';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoTwilioEventRepository } from '../store/twilio-events';
import { dynamoWhatsAppSenderRepository } from '../store/whatsapp-senders';
import { dynamoWhatsAppWindows } from '../store/whatsapp-windows';
import { consent } from '../wiring/consent';
import { partnerEvents } from '../wiring/partner-events';
import { webhookConsumers } from './webhook-consumers';

const numbers = dynamoOnboardingRepository(documentClient, tableName);
const senders = dynamoWhatsAppSenderRepository(documentClient, tableName);

/** Default wiring of the webhook consumers for queue handlers; tests build their own. */
export const consumers = webhookConsumers({
  messages: messageStore(documentClient, tableName),
  usage: usageStore(documentClient, tableName),
  events: dynamoTwilioEventRepository(documentClient, tableName),
  partnerEvents,
  consent,
  windows: dynamoWhatsAppWindows(documentClient, tableName),
  numberOwner: async (phoneNumber, channel) =>
    (await numbers.numberOwner(phoneNumber)) ?? (channel === 'whatsapp' ? senders.numberOwner(phoneNumber) : undefined),
  ignored: (what, detail) => logger.warn(`Webhook consumer ignored ${what}`, detail),
});
