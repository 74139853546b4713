import type { KeyService } from '../crypto/key-service';
import type { TokenCache } from '../crypto/token-cache';
import { ConflictError, CustomerClosedError, NotFoundError, UpstreamError } from '../domain/errors';
import { subaccountFriendlyName, type Subaccount, type SubaccountRecord, type SubaccountStatus } from '../domain/subaccount';
import { requireOpen, type Customer } from '../domain/customer';
import type { CustomerRepository } from '../store/customers';
import type { SubaccountRepository } from '../store/subaccounts';
import type { PartnerEventInput, PartnerEventLog } from './partner-events-contract';
import { TwilioPermanentError } from '../twilio/errors';
import type { Account, SubaccountCredentials, TwilioGateway } from '../twilio/gateway';
import type { Clock, IdGenerator } from './support';

export interface SubaccountReaderDeps {
  customers: CustomerRepository;
  subaccounts: SubaccountRepository;
  keys: KeyService;
  /**
   * Decrypted tokens kept by a warm function for a TTL (one KMS Decrypt per token per TTL). Keyed
   * by ciphertext and context, so a rotated token (a new ciphertext) is never served stale.
   */
  tokens?: Pick<TokenCache, 'get'>;
}

export interface SubaccountServiceDeps extends SubaccountReaderDeps {
  twilio: Pick<TwilioGateway, 'createSubaccount' | 'findSubaccountsByFriendlyName' | 'fetchAccount' | 'updateAccountStatus'>;
  clock: Clock;
  ids: IdGenerator;
  /** Each status change is written with its partner event, in one transaction. */
  events: Pick<PartnerEventLog, 'appendWith'>;
  /**
   * Releases the customer's numbers with Twilio (each detached from the messaging service,
   * deleted, marked released, with its `number.updated` event): what a close does before it closes
   * the account. Absent, a close releases nothing (functions that never close).
   */
  numbers?: { releaseAll(partnerId: string, customerId: string): Promise<unknown> };
  /**
   * Deletes the customer's WhatsApp senders at Twilio (each detached from the messaging service
   * first, with its `whatsapp_sender.updated` event): a close does it before releasing numbers, as
   * a number still on WhatsApp should not be given back. Absent, a close deletes no sender.
   */
  whatsAppSenders?: { deleteAll(partnerId: string, customerId: string): Promise<unknown> };
}

/** A provisioning claim older than this is considered abandoned (its holder crashed). */
const CLAIM_TTL_MS = 60_000;

/** Twilio's refusals to change an account's status, as partner-readable conflicts. */
const STATUS_REFUSALS: Record<number, string> = {
  21476: 'the parent account is suspended',
  21478: 'Twilio suspended this account; only Twilio support can reactivate it',
  21479: 'the subaccount is closed and cannot be reopened',
};

/** The partner event of a status change; a repeat of the current status changes nothing and emits nothing. */
function statusEvent(record: SubaccountRecord, target: SubaccountStatus, at: string): PartnerEventInput {
  const data = { accountSid: record.accountSid, status: target, previousStatus: record.status, changedAt: at };
  const type = target === 'active' ? 'subaccount.reactivated' : target === 'suspended' ? 'subaccount.suspended' : 'subaccount.closed';
  return { type, customerId: record.customerId, data };
}

/** Rows a caller already holds, so reading the subaccount need not fetch them again. */
export interface KnownRows {
  customer?: Pick<Customer, 'id' | 'accountSid'>;
  account?: SubaccountRecord;
}

/** The partner's view: named fields only, so no token, ciphertext or rotation state can slip into a response. */
export const toSubaccount = ({ customerId, accountSid, friendlyName, status, createdAt, updatedAt }: SubaccountRecord): Subaccount => ({
  customerId,
  accountSid,
  friendlyName,
  status,
  createdAt,
  updatedAt,
});

/**
 * The read side: what a function needs to show a subaccount or to act as it on Twilio. Kept apart
 * from provisioning so functions that only read do not bundle the Twilio SDK.
 */
export function subaccountReader({ customers, subaccounts, keys, tokens }: SubaccountReaderDeps) {
  /**
   * `known` holds the rows the caller has just read (the onboarding steps read them in one batch),
   * saving the reads; a customer without an AccountSid may predate the subaccount, so it is re-read.
   */
  async function requireRecord(partnerId: string, customerId: string, known: KnownRows = {}): Promise<SubaccountRecord> {
    const customer = known.customer?.id === customerId && known.customer.accountSid ? known.customer : await customers.get(partnerId, customerId);
    if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
    if (!customer.accountSid) throw new NotFoundError(`Customer ${customerId} has no subaccount yet`);
    const record = known.account?.accountSid === customer.accountSid ? known.account : await subaccounts.get(customer.accountSid);
    // The row must name the same tenant; anything else is treated as absent, never shown.
    if (!record || record.partnerId !== partnerId || record.customerId !== customerId) {
      throw new NotFoundError(`Customer ${customerId} has no subaccount yet`);
    }
    return record;
  }

  return {
    requireRecord,

    async get(partnerId: string, customerId: string): Promise<Subaccount> {
      return toSubaccount(await requireRecord(partnerId, customerId));
    },

    /** The customer's Twilio credentials, decrypted with the tenant-bound context. Never leaves the server. */
    async credentials(partnerId: string, customerId: string, known?: KnownRows): Promise<SubaccountCredentials> {
      const record = await requireRecord(partnerId, customerId, known);
      const context = { partnerId, customerId, accountSid: record.accountSid };
      const authToken = tokens
        ? await tokens.get(record.encryptedAuthToken, context)
        : await keys.decrypt(record.encryptedAuthToken, context);
      return { accountSid: record.accountSid, authToken };
    },
  };
}

export type SubaccountReader = ReturnType<typeof subaccountReader>;

export function subaccountService(deps: SubaccountServiceDeps) {
  const { customers, subaccounts, twilio, keys, clock, ids, events } = deps;
  const reader = subaccountReader(deps);
  const { requireRecord } = reader;

  /** Finds a subaccount created for this customer by an earlier attempt that crashed before saving it. */
  async function adoptOrCreate(friendlyName: string): Promise<Account> {
    const earlier = (await twilio.findSubaccountsByFriendlyName(friendlyName)).filter((a) => a.status !== 'closed');
    return earlier[0] ?? twilio.createSubaccount(friendlyName);
  }

  /** `closing`: part of a close, where an account Twilio already closed (a close that died after it) is done, not a refusal. */
  async function changeOnTwilio(accountSid: string, target: SubaccountStatus, closing = target === 'closed'): Promise<void> {
    try {
      await twilio.updateAccountStatus(accountSid, target);
    } catch (error) {
      if (closing && error instanceof TwilioPermanentError && error.code === 21479) return;
      const reason = error instanceof TwilioPermanentError && error.code !== null ? STATUS_REFUSALS[error.code] : undefined;
      if (reason) throw new ConflictError(`Twilio refused (${(error as TwilioPermanentError).code}): ${reason}`);
      throw error;
    }
  }

  return {
    ...reader,

    /**
     * Primary course: the customer exists and has no subaccount → claim it (one provisioner at a
     * time) → adopt a subaccount an earlier crashed attempt created, or create one → encrypt its
     * token bound to the tenant → store it and point the customer at it, atomically.
     * Calling again returns the same subaccount; it never creates a second one.
     */
    async create(partnerId: string, customerId: string): Promise<{ subaccount: Subaccount; created: boolean }> {
      const customer = await customers.get(partnerId, customerId);
      if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
      if (customer.accountSid) return { subaccount: toSubaccount(await requireRecord(partnerId, customerId)), created: false };

      const now = clock.now();
      const claimId = ids('claim');
      const claimed = await subaccounts.claim(partnerId, customerId, claimId, now.toISOString(), new Date(now.getTime() - CLAIM_TTL_MS).toISOString());
      if (!claimed) {
        const again = await customers.get(partnerId, customerId);
        if (again?.accountSid) return { subaccount: toSubaccount(await requireRecord(partnerId, customerId)), created: false };
        throw new ConflictError('The subaccount is being created by another request; retry shortly');
      }

      const friendlyName = subaccountFriendlyName(customerId);
      let record: SubaccountRecord;
      try {
        const account = await adoptOrCreate(friendlyName);
        const authToken = account.authToken ?? (await twilio.fetchAccount(account.accountSid)).authToken;
        if (!authToken) throw new UpstreamError('Twilio did not return the subaccount credentials');
        const at = clock.now().toISOString();
        record = {
          partnerId,
          customerId,
          accountSid: account.accountSid,
          friendlyName,
          status: account.status,
          encryptedAuthToken: await keys.encrypt(authToken, { partnerId, customerId, accountSid: account.accountSid }),
          createdAt: at,
          updatedAt: at,
        };
      } catch (error) {
        // A retry may start at once: it looks Twilio up by FriendlyName first, so it adopts rather than duplicates.
        await subaccounts.release(partnerId, customerId, claimId);
        throw error;
      }
      await subaccounts.commit(record, claimId);
      return { subaccount: toSubaccount(record), created: true };
    },

    /**
     * active ⇄ suspended → closed, as Twilio allows; the customer's status follows.
     *
     * A close, which is for good: a suspended account is reactivated on Twilio first (a suspended
     * account's own credentials cannot call Twilio, and its numbers are released with them) → the
     * customer is marked closed, so every change to it is refused from here on → its WhatsApp
     * senders are deleted → its numbers are released → the account is closed on Twilio → the account row and `subaccount.closed` are
     * written together. Each step can be repeated, so a close that died halfway is finished by
     * calling it again; a Twilio refusal of the reactivation (21478, 21476) changes nothing.
     */
    async setStatus(partnerId: string, customerId: string, target: SubaccountStatus): Promise<Subaccount> {
      const customer = await customers.get(partnerId, customerId);
      if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
      const record = await requireRecord(partnerId, customerId, { customer });
      if (record.status === target) return toSubaccount(record);
      if (record.status === 'closed') throw new CustomerClosedError(`Subaccount ${record.accountSid} is closed and cannot be ${target === 'active' ? 'reactivated' : 'changed'}`);
      if (target !== 'closed') requireOpen(customer);
      else {
        if (record.status === 'suspended') await changeOnTwilio(record.accountSid, 'active', true);
        if (customer.status !== 'closed') await subaccounts.markCustomerClosed(record, clock.now().toISOString());
        await deps.whatsAppSenders?.deleteAll(partnerId, customerId);
        await deps.numbers?.releaseAll(partnerId, customerId);
      }
      await changeOnTwilio(record.accountSid, target);
      const at = clock.now().toISOString();
      const written = await events.appendWith(partnerId, [statusEvent(record, target, at)], subaccounts.statusItems(record, target, target, at));
      if (!written.committed) {
        // A concurrent request changed the status first and wrote its own event; nothing was written here.
        const now = await requireRecord(partnerId, customerId);
        if (now.status === target) return toSubaccount(now);
        if (now.status === 'closed') throw new CustomerClosedError(`Subaccount ${record.accountSid} was closed meanwhile; it was not made ${target}`);
        throw new ConflictError(`Subaccount ${record.accountSid} changed to ${now.status} meanwhile; it was not made ${target}`);
      }
      return toSubaccount({ ...record, status: target, updatedAt: at });
    },

  };
}

export type SubaccountService = ReturnType<typeof subaccountService>;
