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

/**
 * An auth-token rotation under way, by stage: `started` (claimed, nothing at Twilio yet) →
 * `created` (Twilio made the secondary; it is stored here as the next token) → `switched` (our API
 * calls use the next token, the old one is `previous`). A promote at Twilio and the deadline of the
 * previous token end it, and the field goes.
 */
export const TOKEN_ROTATION_STAGES = ['started', 'created', 'switched'] as const;
export type TokenRotationStage = (typeof TOKEN_ROTATION_STAGES)[number];

export interface TokenRotation {
  /** The run holding the rotation; every stage write names it (and the stage it read). */
  id: string;
  stage: TokenRotationStage;
  startedAt: string;
  /** Until then the holder is presumed alive and a second run is refused; after it, a rerun takes over. */
  leaseUntil: string;
  /** The secondary token, encrypted like the primary, from `created` until `switched`. */
  nextEncryptedAuthToken?: string;
}

/** As stored: the owner and the encrypted primary auth token (never returned, never logged). */
export interface SubaccountRecord extends Subaccount {
  partnerId: string;
  /** The token our API calls use (after a rotation's switch, the new one, before Twilio promoted it). */
  encryptedAuthToken: string;
  /** The token a rotation replaced: webhooks signed with it are still genuine until `previousTokenValidUntil`. */
  previousEncryptedAuthToken?: string;
  /** Absent while the rotation that set `previous` has not promoted yet (the old token is still Twilio's primary). */
  previousTokenValidUntil?: string;
  tokenRotation?: TokenRotation;
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
