import { requireOpen } from '../../domain/customer';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { PageQuery } from '../../domain/page';
import {
  refreshLaneOf,
  senderIdOf,
  senderStatusOf,
  whatsAppSenderView,
  type WhatsAppSenderCreate,
  type WhatsAppSenderPatch,
  type WhatsAppSenderProfile,
  type WhatsAppSenderRecord,
  type WhatsAppSenderView,
} from '../../domain/whatsapp-sender';
import type { CustomerRepository } from '../../store/customers';
import type { OnboardingRepository } from '../../store/onboarding';
import type { SenderRef, WhatsAppSenderRepository } from '../../store/whatsapp-senders';
import { TwilioPermanentError } from '../../twilio/errors';
import type { SubaccountCredentials, TwilioGateway, WhatsAppProfile, WhatsAppSender } from '../../twilio/gateway';
import { pager, type Page } from '../page';
import type { PartnerEventInput, PartnerEventLog } from '../partner-events-contract';
import type { SubaccountReader } from '../subaccounts';
import type { Clock, IdGenerator } from '../support';

export type WhatsAppSendersTwilio = Pick<
  TwilioGateway,
  | 'createWhatsAppSender'
  | 'fetchWhatsAppSender'
  | 'updateWhatsAppSender'
  | 'deleteWhatsAppSender'
  | 'listWhatsAppSenders'
  | 'attachWhatsAppSenderToService'
  | 'detachWhatsAppSenderFromService'
>;

export interface WhatsAppSenderReaderDeps {
  senders: Pick<WhatsAppSenderRepository, 'get' | 'list'>;
  customers: Pick<CustomerRepository, 'get'>;
}

export interface WhatsAppSenderServiceDeps extends WhatsAppSenderReaderDeps {
  senders: WhatsAppSenderRepository;
  onboarding: Pick<OnboardingRepository, 'get'>;
  subaccounts: Pick<SubaccountReader, 'credentials'>;
  twilio: WhatsAppSendersTwilio;
  events: Pick<PartnerEventLog, 'appendWith'>;
  clock: Clock;
  ids: IdGenerator;
  /** Public base of the webhook receivers, resolved when a sender's webhooks are set: inbound messages go to `/inbound`, message statuses to `/status`. */
  settings: { webhookBaseUrl: () => Promise<string> };
  /** Where a refresh reports a sender it could not look at (the others go on). */
  onRefreshError?: (ref: SenderRef, error: unknown) => void;
}

/** A creator that has not finished after this long is taken to have crashed. */
const CREATE_LEASE_MS = 60_000;
/** A sender waiting for a person (the code, a fix of the cause of OFFLINE) is looked at this often. */
const WAITING_RECHECK_MS = 3600_000;
/** Senders a refresh looks at in parallel: each is a Twilio fetch and, on a change, one transaction. */
const REFRESH_CONCURRENCY = 4;
/** Twilio: the sender is already in this messaging service (an attach repeated after a crash). */
const ALREADY_IN_SERVICE = 21710;

const senderPages = pager<WhatsAppSenderView>('whatsapp-senders', /^was_[0-9A-Za-z]{26}$/, (s) => s.id);

async function requireCustomer(customers: WhatsAppSenderReaderDeps['customers'], partnerId: string, customerId: string) {
  const customer = await customers.get(partnerId, customerId);
  if (!customer) throw new NotFoundError(`Customer ${customerId} not found`);
  return customer;
}

async function requireSender(senders: WhatsAppSenderReaderDeps['senders'], partnerId: string, customerId: string, id: string): Promise<WhatsAppSenderRecord> {
  const sender = await senders.get(partnerId, customerId, id);
  if (!sender || sender.status === 'DELETED') throw new NotFoundError(`WhatsApp sender ${id} not found`);
  return sender;
}

/** The read side: the store alone, no Twilio call (so no Twilio SDK in the read routes' bundles). */
export function whatsAppSenderReader({ senders, customers }: WhatsAppSenderReaderDeps) {
  return {
    async get(partnerId: string, customerId: string, id: string): Promise<WhatsAppSenderView> {
      await requireCustomer(customers, partnerId, customerId);
      return whatsAppSenderView(await requireSender(senders, partnerId, customerId, id));
    },

    /** `GET …/whatsapp/senders`: the customer's senders, oldest first (a customer has a handful: the partition is read whole). */
    async list(partnerId: string, customerId: string, { limit, cursor }: PageQuery): Promise<Page<WhatsAppSenderView>> {
      const scope = [partnerId, customerId];
      const after = senderPages.after(cursor, scope);
      await requireCustomer(customers, partnerId, customerId);
      const all = (await senders.list(partnerId, customerId)).filter((s) => s.status !== 'DELETED').map(whatsAppSenderView);
      const { items, nextCursor } = senderPages.pageOfAll(all, limit, after, scope);
      return { data: items, nextCursor };
    },
  };
}

function toTwilioProfile(profile: Partial<WhatsAppSenderProfile>): Partial<WhatsAppProfile> {
  const { websites, emails, ...rest } = profile;
  return {
    ...rest,
    ...(websites ? { websites: websites.map((website) => ({ website })) } : {}),
    ...(emails ? { emails: emails.map((email) => ({ email })) } : {}),
  };
}

/** What the partner is told about: status, its reasons, quality, limit and the messaging service. */
const told = (r: WhatsAppSenderRecord) =>
  JSON.stringify([r.sid ?? null, r.status, r.offlineReasons, r.qualityRating ?? null, r.messagingLimit ?? null, r.attached]);

function updatedEvent(before: WhatsAppSenderRecord | undefined, after: WhatsAppSenderRecord, at: string): PartnerEventInput {
  return {
    type: 'whatsapp_sender.updated',
    customerId: after.customerId,
    data: {
      senderId: after.id,
      phoneNumber: after.phoneNumber,
      ...(after.sid ? { sid: after.sid } : {}),
      status: after.status,
      ...(before ? { previousStatus: before.status } : {}),
      offlineReasons: after.offlineReasons,
      qualityRating: after.qualityRating ?? null,
      messagingLimit: after.messagingLimit ?? null,
      attached: after.attached,
      changedAt: at,
    },
  };
}

/**
 * WhatsApp senders of a customer: registered through the Senders API with the customer's own
 * subaccount credentials and WABA, followed through their lifecycle, attached to the customer's
 * messaging service once ONLINE (one send API for SMS and WhatsApp), deleted on request or when
 * the customer closes. Every change of what a partner sees commits with its
 * `whatsapp_sender.updated` event, against the version it read, so nothing is told twice.
 */
export function whatsAppSenderService(deps: WhatsAppSenderServiceDeps) {
  const { senders, customers, onboarding, subaccounts, twilio, events, clock, ids, settings } = deps;
  const reader = whatsAppSenderReader(deps);
  const webhookUrls = async () => {
    const base = (await settings.webhookBaseUrl()).replace(/\/+$/, '');
    return { callbackUrl: `${base}/inbound`, statusCallbackUrl: `${base}/status` };
  };
  const ignoreMissing = (error: unknown) => {
    if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
  };

  /**
   * Writes `after` with its event when anything the partner sees changed (a profile change alone
   * is written without one). A lost race (another writer moved the sender first) writes nothing
   * and returns what is stored now.
   */
  async function write(before: WhatsAppSenderRecord, after: WhatsAppSenderRecord, at: Date, tellAsNew = false, dueFrom = at): Promise<WhatsAppSenderRecord> {
    const iso = at.toISOString();
    const next: WhatsAppSenderRecord = { ...after, updatedAt: iso, version: before.version + 1 };
    const changed = tellAsNew || told(before) !== told(next);
    const dueAt = new Date(dueFrom.getTime() + WAITING_RECHECK_MS).toISOString();
    const result = await events.appendWith(before.partnerId, changed ? [updatedEvent(tellAsNew ? undefined : before, next, iso)] : [], senders.changeItems(before, next, dueAt));
    if (result.committed) return next;
    return (await senders.get(before.partnerId, before.customerId, before.id)) ?? before;
  }

  /** Twilio's view of the sender laid over ours; an ONLINE sender joins the messaging service first. */
  async function settle(creds: SubaccountCredentials, record: WhatsAppSenderRecord, fetched: WhatsAppSender, at: Date, extra: Partial<WhatsAppSenderRecord> = {}, dueFrom = at): Promise<WhatsAppSenderRecord> {
    const status = senderStatusOf(fetched.status);
    let attached = record.attached;
    if (!attached && (status === 'ONLINE' || status === 'ONLINE:UPDATING')) {
      try {
        await twilio.attachWhatsAppSenderToService(creds, record.messagingServiceSid, fetched.sid);
      } catch (error) {
        if (!(error instanceof TwilioPermanentError && error.code === ALREADY_IN_SERVICE)) throw error;
      }
      attached = true;
    }
    const { creatingSince: _lease, ...rest } = record;
    const after: WhatsAppSenderRecord = {
      ...rest,
      ...extra,
      sid: fetched.sid,
      status,
      offlineReasons: status === 'OFFLINE' ? fetched.offlineReasons : [],
      qualityRating: fetched.qualityRating ?? undefined,
      messagingLimit: fetched.messagingLimit ?? undefined,
      attached,
    };
    const isNew = record.sid === undefined;
    // Nothing new: no write, unless a waiting sender is to be looked at again an hour from now.
    if (!isNew && told(after) === told(record) && Object.keys(extra).length === 0 && refreshLaneOf(after.status, after.attached) !== 'waiting') return record;
    return write(record, after, at, isNew, dueFrom);
  }

  /** A sender that has no SID yet: the one an earlier attempt created (its answer lost), if Twilio has it. */
  async function findAtTwilio(creds: SubaccountCredentials, record: WhatsAppSenderRecord): Promise<WhatsAppSender | undefined> {
    return (await twilio.listWhatsAppSenders(creds)).find((s) => s.senderId === senderIdOf(record.phoneNumber));
  }

  /** Creates (or adopts) the sender at Twilio as the holder of its creation lease. */
  async function createAtTwilio(creds: SubaccountCredentials, record: WhatsAppSenderRecord, adopt: boolean): Promise<WhatsAppSenderRecord> {
    // Before the try: a base URL that cannot be read is our failure, not a possibly created sender.
    const webhook = await webhookUrls();
    let created: WhatsAppSender | undefined;
    try {
      created = adopt ? await findAtTwilio(creds, record) : undefined;
      created ??= await twilio.createWhatsAppSender(creds, {
        senderId: senderIdOf(record.phoneNumber),
        wabaId: record.wabaId,
        verificationMethod: record.verificationMethod,
        profile: toTwilioProfile(record.profile) as WhatsAppProfile,
        webhook,
      });
    } catch (error) {
      // Refused: nothing exists at Twilio, so the number is free again and a fixed request starts over.
      if (error instanceof TwilioPermanentError) await senders.abandon(record);
      // Otherwise Twilio may have created it: the retry looks it up before creating.
      else await senders.stopCreating(record);
      throw error;
    }
    return settle(creds, record, created, clock.now());
  }

  /** Detaches and deletes at Twilio (each step that finds nothing is done), then marks it deleted and frees the number. */
  async function removeSender(record: WhatsAppSenderRecord, creds: SubaccountCredentials): Promise<void> {
    const sid = record.sid ?? (await findAtTwilio(creds, record))?.sid;
    if (sid && record.attached) await twilio.detachWhatsAppSenderFromService(creds, record.messagingServiceSid, sid).catch(ignoreMissing);
    if (sid) await twilio.deleteWhatsAppSender(creds, sid).catch(ignoreMissing);
    const { creatingSince: _lease, ...rest } = record;
    await write(record, { ...rest, ...(sid ? { sid } : {}), status: 'DELETED', attached: false, offlineReasons: [] }, clock.now());
  }

  /** `now` is the run's scheduled time: what is due, and when a waiting sender is due next, follow the scheduler's clock. */
  async function refreshOne(ref: SenderRef, now: Date): Promise<boolean> {
    const record = await senders.get(ref.partnerId, ref.customerId, ref.id);
    if (!record || refreshLaneOf(record.status, record.attached) === 'none') return false;
    if (!record.sid) {
      // A creation in progress is left to its request; one that died is adopted or given up.
      if (record.creatingSince && record.creatingSince >= new Date(clock.now().getTime() - CREATE_LEASE_MS).toISOString()) return false;
      const creds = await subaccounts.credentials(ref.partnerId, ref.customerId);
      const found = await findAtTwilio(creds, record);
      if (found) return told(await settle(creds, record, found, clock.now(), {}, now)) !== told(record);
      await senders.abandon(record);
      return false;
    }
    const creds = await subaccounts.credentials(ref.partnerId, ref.customerId);
    let fetched: WhatsAppSender;
    try {
      fetched = await twilio.fetchWhatsAppSender(creds, record.sid);
    } catch (error) {
      if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
      // Deleted at Twilio, outside Switchboard.
      await removeSender(record, creds);
      return true;
    }
    // A waiting sender that did not move is written all the same: it is looked at again an hour from this run.
    return told(await settle(creds, record, fetched, clock.now(), {}, now)) !== told(record);
  }

  return {
    ...reader,

    /**
     * Primary course: the customer is open, onboarded to its messaging service → the number is
     * claimed platform-wide with the sender row (before Twilio is called) → the sender is created
     * with the customer's subaccount credentials and our webhook URLs → its SID and status are
     * stored with a `whatsapp_sender.updated` event. A retry of the same registration finds the
     * claimed row: it returns the sender, or adopts the one Twilio has (the answer was lost), or
     * creates it — never a second one.
     */
    async register(partnerId: string, customerId: string, input: WhatsAppSenderCreate): Promise<{ sender: WhatsAppSenderView; created: boolean }> {
      const customer = requireOpen(await requireCustomer(customers, partnerId, customerId));
      const messagingServiceSid = (await onboarding.get(partnerId, customerId))?.sids.messagingServiceSid;
      if (!customer.accountSid || !messagingServiceSid) {
        throw new ConflictError(
          `Customer ${customerId} has no messaging service yet: a WhatsApp sender is registered in its subaccount and joins its messaging service. Start the onboarding (POST /v1/customers/${customerId}/onboarding), which creates both`,
        );
      }
      const at = clock.now().toISOString();
      const fresh: WhatsAppSenderRecord = {
        partnerId, customerId, id: ids('was'), phoneNumber: input.phoneNumber, status: 'CREATING', wabaId: input.wabaId,
        verificationMethod: input.verificationMethod, profile: input.profile, offlineReasons: [], messagingServiceSid, attached: false,
        version: 1, creatingSince: at, createdAt: at, updatedAt: at,
      };
      const claim = await senders.claim(fresh);
      if (claim.outcome === 'taken') throw new ConflictError(`${input.phoneNumber} is already registered as a WhatsApp sender`);
      const creds = await subaccounts.credentials(partnerId, customerId, { customer });
      if (claim.outcome === 'claimed') return { sender: whatsAppSenderView(await createAtTwilio(creds, fresh, false)), created: true };

      const existing = claim.existing;
      if (existing.wabaId !== input.wabaId) {
        throw new ConflictError(`${input.phoneNumber} is already registered for this customer with WABA ${existing.wabaId}; delete that sender first to register it under another`);
      }
      if (existing.sid) return { sender: whatsAppSenderView(existing), created: false };
      const now = clock.now();
      if (!(await senders.startCreating(existing, now.toISOString(), new Date(now.getTime() - CREATE_LEASE_MS).toISOString()))) {
        throw new ConflictError(`The WhatsApp sender for ${input.phoneNumber} is being registered by another request; retry shortly`);
      }
      const leased = (await senders.get(partnerId, customerId, existing.id)) ?? existing;
      return { sender: whatsAppSenderView(await createAtTwilio(creds, leased, true)), created: true };
    },

    /** The code Meta sent the number: taken only while the sender is PENDING_VERIFICATION (Twilio is asked first when ours is behind). */
    async verify(partnerId: string, customerId: string, id: string, code: string): Promise<WhatsAppSenderView> {
      requireOpen(await requireCustomer(customers, partnerId, customerId));
      let record = await requireSender(senders, partnerId, customerId, id);
      if (!record.sid) throw new ConflictError(`WhatsApp sender ${id} is not registered with Twilio yet; retry its registration`);
      const creds = await subaccounts.credentials(partnerId, customerId);
      const sid = record.sid;
      if (record.status !== 'PENDING_VERIFICATION') record = await settle(creds, record, await twilio.fetchWhatsAppSender(creds, sid), clock.now());
      if (record.status !== 'PENDING_VERIFICATION') {
        throw new ConflictError(`WhatsApp sender ${id} is ${record.status}; a verification code is taken only while it is PENDING_VERIFICATION`);
      }
      const answered = await twilio.updateWhatsAppSender(creds, sid, { verificationCode: code });
      return whatsAppSenderView(await settle(creds, record, answered, clock.now()));
    },

    /** Profile fields (merged over the stored ones) and/or the webhooks pointed at our receivers again. */
    async update(partnerId: string, customerId: string, id: string, patch: WhatsAppSenderPatch): Promise<WhatsAppSenderView> {
      requireOpen(await requireCustomer(customers, partnerId, customerId));
      const record = await requireSender(senders, partnerId, customerId, id);
      if (!record.sid) throw new ConflictError(`WhatsApp sender ${id} is not registered with Twilio yet; retry its registration`);
      const creds = await subaccounts.credentials(partnerId, customerId);
      const profile = patch.profile ? ({ ...record.profile, ...Object.fromEntries(Object.entries(patch.profile).filter(([, v]) => v !== undefined)) } as WhatsAppSenderProfile) : record.profile;
      const answered = await twilio.updateWhatsAppSender(creds, record.sid, {
        ...(patch.profile ? { profile: toTwilioProfile(patch.profile) } : {}),
        ...(patch.webhook ? { webhook: { ...(await webhookUrls()), fallbackUrl: patch.webhook.fallbackUrl } } : {}),
      });
      return whatsAppSenderView(await settle(creds, record, answered, clock.now(), { profile }));
    },

    async remove(partnerId: string, customerId: string, id: string): Promise<void> {
      requireOpen(await requireCustomer(customers, partnerId, customerId));
      const record = await requireSender(senders, partnerId, customerId, id);
      await removeSender(record, await subaccounts.credentials(partnerId, customerId));
    },

    /**
     * Every sender of the customer, deleted at Twilio before the account closes (a close has
     * already marked the customer closed, so this is not refused). Returns how many.
     */
    async deleteAll(partnerId: string, customerId: string): Promise<number> {
      const held = (await senders.list(partnerId, customerId)).filter((s) => s.status !== 'DELETED');
      if (held.length === 0) return 0;
      const creds = await subaccounts.credentials(partnerId, customerId);
      for (const record of held) await removeSender(record, creds);
      return held.length;
    },

    /**
     * The scheduled refresh (Twilio pushes no sender status): every sender Twilio or Meta is
     * working on, and the waiting ones due by `now`, fetched and settled. One that fails is
     * reported and looked at again next run; the others go on.
     */
    async refresh(now: Date): Promise<{ checked: number; changed: number; failed: number }> {
      const due = await senders.dueForRefresh(now.toISOString());
      let changed = 0;
      let failed = 0;
      for (let i = 0; i < due.length; i += REFRESH_CONCURRENCY) {
        await Promise.all(
          due.slice(i, i + REFRESH_CONCURRENCY).map(async (ref) => {
            try {
              if (await refreshOne(ref, now)) changed++;
            } catch (error) {
              failed++;
              deps.onRefreshError?.(ref, error);
            }
          }),
        );
      }
      return { checked: due.length, changed, failed };
    },
  };
}

export type WhatsAppSenderService = ReturnType<typeof whatsAppSenderService>;
