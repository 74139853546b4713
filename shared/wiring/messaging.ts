import { messagingService } from '../services/messaging';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { messageStore } from '../store/messages';
import { usageStore } from '../store/usage';
import { sendContextReader } from '../store/send-context';
import { webhookBaseUrl } from '../webhooks/base-url';
import { webhookUrl } from '../webhooks/routes';
import { consent } from './consent';
import { partnerEvents } from './partner-events';
import { subaccountReads } from './subaccount-reads';
import { findForSend } from './template-reads';
import { tokenCache } from './token-cache';
import { messagesAdapter } from '../twilio/sdk/messages';
import { twilio } from './twilio';

/** Sending and canceling is all these functions ask of Twilio, so they carry the messages area only. */
export const messagesGateway = twilio.gateway(messagesAdapter);

/** Default wiring of sending and canceling; built on first use. */
let service: ReturnType<typeof messagingService> | undefined;
export function messaging() {
  return (service ??= messagingService({
    reader: sendContextReader(documentClient, tableName),
    messages: messageStore(documentClient, tableName),
    usage: usageStore(documentClient, tableName),
    events: partnerEvents,
    consent,
    // WhatsApp template sends: the customer's own template by templateId or ContentSid.
    templates: { findForSend },
    twilio: messagesGateway,
    tokens: tokenCache,
    statusCallbackUrl: async (messageId) => `${webhookUrl(await webhookBaseUrl(), 'status')}?messageId=${messageId}`,
    clock: systemClock,
    ids: ulidIds,
  }));
}

/** The customer's decrypted credentials, for calls after the send (cancel). */
export const messagingCredentials = (partnerId: string, customerId: string) => () => subaccountReads.credentials(partnerId, customerId);
