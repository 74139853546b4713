import { logger } from '../observability';
import { documentClient, tableName } from '../store/client';
import { dynamoMessageRepository } from '../store/messages';
import { dynamoOptOutRepository } from '../store/opt-outs';
import { dynamoTwilioEventRepository } from '../store/twilio-events';
import { partnerEvents } from '../wiring/partner-events';
import { webhookConsumers } from './webhook-consumers';

/** Default wiring of the webhook consumers for queue handlers; tests build their own. */
export const consumers = webhookConsumers({
  messages: dynamoMessageRepository(documentClient, tableName),
  optOuts: dynamoOptOutRepository(documentClient, tableName),
  events: dynamoTwilioEventRepository(documentClient, tableName),
  partnerEvents,
  ignored: (what, detail) => logger.warn(`Webhook consumer ignored ${what}`, detail),
});
