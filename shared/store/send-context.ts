import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CustomerStatus } from '../domain/customer';
import type { Channel } from '../domain/message';
import type { NumberStatus } from '../domain/registration';
import type { SubaccountRecord } from '../domain/subaccount';
import type { TemplateForSend } from '../messaging/whatsapp-rules';
import { NUMBER_PREFIX, accountKey, consentStateKey, customerKey, onboardingKey, templateKey, whatsAppWindowKey } from './keys';
import { batchGetAll, queryAll } from './query';
import { templateForSend } from './templates';

/** What must be read, fresh, before every send: who the customer is now, its subaccount, and the contact's consent. */
export interface SendState {
  customer?: { status: CustomerStatus; accountSid?: string };
  subaccount?: SubaccountRecord;
  /** The raw consent state row of the contact (interpreted by the consent rules). */
  consent?: Record<string, unknown>;
  /** WhatsApp sends: when the contact last wrote to the customer there (opens the 24-hour window). */
  whatsAppLastInboundAt?: string;
  /** A WhatsApp send by `templateId`: that template of the customer, if it exists (and has its Content resource). */
  template?: TemplateForSend;
}

/** What onboarding left for sending: the campaign's state, the messaging service and the numbers. */
export interface SendRegistration {
  campaignStatus?: string;
  messagingServiceSid?: string;
  numbers: Array<{ phoneNumber: string; status: NumberStatus; messagingServiceSid?: string }>;
}

/**
 * The reads of the send path, shaped to cost as few calls as possible: one BatchGetItem for the
 * customer, its subaccount (when the caller already knows the AccountSid, which never changes once
 * set) and the contact's consent — on WhatsApp also the contact's window and the template a send
 * names by id; one Query for the onboarding record and the numbers, which share
 * a partition and sort next to each other (`NUMBER#…` < `ONBOARDING`).
 */
export function sendContextReader(db: DynamoDBDocumentClient, tableName: string) {
  return {
    async state(partnerId: string, customerId: string, accountSid: string | undefined, contact: string, channel: Channel = 'sms', templateId?: string): Promise<SendState> {
      const whatsapp = channel === 'whatsapp';
      const keys = [
        customerKey(partnerId, customerId),
        consentStateKey(partnerId, customerId, contact),
        ...(accountSid ? [accountKey(accountSid)] : []),
        ...(whatsapp ? [whatsAppWindowKey(partnerId, customerId, contact)] : []),
        ...(whatsapp && templateId ? [templateKey(partnerId, customerId, templateId)] : []),
      ];
      const items = await batchGetAll(db, tableName, keys, { ConsistentRead: true });
      const find = (key: { pk: string; sk: string }) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
      const customer = find(customerKey(partnerId, customerId));
      const subaccount = accountSid ? find(accountKey(accountSid)) : undefined;
      const consent = find(consentStateKey(partnerId, customerId, contact));
      const window = whatsapp ? find(whatsAppWindowKey(partnerId, customerId, contact)) : undefined;
      const template = whatsapp && templateId ? find(templateKey(partnerId, customerId, templateId)) : undefined;
      const sendable = template && templateForSend(template);
      return {
        ...(customer ? { customer: { status: customer.status as CustomerStatus, ...(customer.accountSid ? { accountSid: customer.accountSid as string } : {}) } } : {}),
        // The row must name the same tenant; anything else is treated as absent.
        ...(subaccount && subaccount.partnerId === partnerId && subaccount.customerId === customerId ? { subaccount: subaccount as unknown as SubaccountRecord } : {}),
        ...(consent ? { consent } : {}),
        ...(typeof window?.lastInboundAt === 'string' ? { whatsAppLastInboundAt: window.lastInboundAt } : {}),
        ...(sendable ? { template: sendable } : {}),
      };
    },

    async registration(partnerId: string, customerId: string): Promise<SendRegistration> {
      const { pk } = onboardingKey(partnerId, customerId);
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :numbers AND :onboarding',
        ExpressionAttributeValues: { ':pk': pk, ':numbers': NUMBER_PREFIX, ':onboarding': onboardingKey(partnerId, customerId).sk },
        ConsistentRead: true,
      });
      const onboarding = items.find((i) => i.sk === onboardingKey(partnerId, customerId).sk) as
        | { steps?: Record<string, { status?: string }>; sids?: Record<string, string> }
        | undefined;
      return {
        campaignStatus: onboarding?.steps?.campaign?.status,
        messagingServiceSid: onboarding?.sids?.messagingServiceSid,
        numbers: items
          .filter((i) => (i.sk as string).startsWith(NUMBER_PREFIX))
          .map((i) => ({
            phoneNumber: i.phoneNumber as string,
            status: i.status as NumberStatus,
            ...(i.messagingServiceSid ? { messagingServiceSid: i.messagingServiceSid as string } : {}),
          })),
      };
    },
  };
}

export type SendContextReader = ReturnType<typeof sendContextReader>;
