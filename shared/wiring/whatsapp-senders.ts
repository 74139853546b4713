import { logger } from '../observability';
import { subaccountReader } from '../services/subaccounts';
import { systemClock, ulidIds } from '../services/support';
import { whatsAppSenderService, type WhatsAppSenderService } from '../services/whatsapp/senders';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { dynamoWhatsAppSenderRepository } from '../store/whatsapp-senders';
import { whatsappAdapter } from '../twilio/sdk/whatsapp';
import { webhookBaseUrl } from '../webhooks/base-url';
import { keyService } from './keys';
import { partnerEvents } from './partner-events';
import { tokenCache } from './token-cache';
import { twilio } from './twilio';

const customers = dynamoCustomerRepository(documentClient, tableName);
const senders = dynamoWhatsAppSenderRepository(documentClient, tableName);

/**
 * Default wiring of the WhatsApp sender use cases: the whatsapp area of the gateway only, the
 * customer's credentials through the token cache. Built on first use.
 */
let service: WhatsAppSenderService | undefined;
export function whatsAppSenders(): WhatsAppSenderService {
  return (service ??= whatsAppSenderService({
    senders,
    customers,
    onboarding: dynamoOnboardingRepository(documentClient, tableName),
    subaccounts: subaccountReader({ customers, subaccounts: dynamoSubaccountRepository(documentClient, tableName), keys: keyService, tokens: tokenCache }),
    twilio: twilio.gateway(whatsappAdapter),
    events: partnerEvents,
    clock: systemClock,
    ids: ulidIds,
    settings: { webhookBaseUrl },
    onRefreshError: (ref, error) => logger.warn('A WhatsApp sender could not be refreshed; the next run tries again', { ...ref, error: error as Error }),
  }));
}
