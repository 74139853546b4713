import { z } from 'zod';

/**
 * One Twilio subaccount per customer. Its lifecycle follows Twilio's: active ⇄ suspended → closed
 * (terminal). The auth token is stored only encrypted, bound to (partner, customer, account).
 */
export const SUBACCOUNT_STATUSES = ['active', 'suspended', 'closed'] as const;
export type SubaccountStatus = (typeof SUBACCOUNT_STATUSES)[number];

export interface Subaccount {
  customerId: string;
  accountSid: string;
  friendlyName: string;
  status: SubaccountStatus;
  createdAt: string;
  updatedAt: string;
}

/** As stored: the owner and the encrypted primary auth token (never returned, never logged). */
export interface SubaccountRecord extends Subaccount {
  partnerId: string;
  encryptedAuthToken: string;
}

/**
 * The FriendlyName embeds the customer id so a subaccount created just before a crash can be
 * found again on Twilio and adopted instead of creating a second one.
 */
export const subaccountFriendlyName = (customerId: string) => `switchboard:${customerId}`;

export const SubaccountSchema = z
  .object({
    customerId: z.string(),
    accountSid: z.string().describe('Twilio subaccount SID (AC…)'),
    friendlyName: z.string(),
    status: z.enum(SUBACCOUNT_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .describe("The customer's Twilio subaccount (never includes its auth token)");

/** Allowed moves; closed is terminal, as on Twilio. */
export function canMove(from: SubaccountStatus, to: SubaccountStatus): boolean {
  if (from === 'closed') return false;
  return from !== to;
}
