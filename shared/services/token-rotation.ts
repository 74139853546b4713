import type { KeyService } from '../crypto/key-service';
import { ConflictError, UpstreamError } from '../domain/errors';
import type { SubaccountRecord, TokenRotation, TokenRotationStage } from '../domain/subaccount';
import type { TokenRotationWrites } from '../store/subaccounts';
import { TwilioPermanentError } from '../twilio/errors';
import type { SubaccountCredentials, TwilioGateway } from '../twilio/gateway';
import type { Clock, IdGenerator } from './support';

/**
 * How long webhooks signed with the replaced token stay acceptable after the promote. Twilio
 * documents about a minute before its signing follows a promote, and it retries a failed callback
 * (connection overrides `#rc`/`#rt` and Event Streams redeliveries) for minutes after the first
 * attempt, each signed when first built. An hour covers both with a wide margin, while keeping a
 * leaked old token useful for forging webhooks no longer than that; the API refuses it at once.
 */
export const PREVIOUS_TOKEN_GRACE_MS = 60 * 60 * 1000;

/**
 * How long a run holds the rotation between two stage writes: longer than one Twilio call with its
 * retries, so a live run is never taken over, and short enough that a rerun after a crash soon
 * finishes what the crashed run began.
 */
export const ROTATION_LEASE_MS = 2 * 60 * 1000;

export type RotationStep = 'created' | 'switched' | 'promoted' | 'finished';

export interface TokenRotationResult {
  accountSid: string;
  /** The stages this run completed, in order; a resumed run lists only what was left. */
  stages: RotationStep[];
  /** The stage a crashed run had reached when this run took over; absent for a fresh rotation. */
  resumedFrom?: TokenRotationStage;
  /** Twilio had already promoted the secondary (a run crashed after the promote, before recording it). */
  alreadyPromoted: boolean;
  /** Webhooks signed with the replaced token are accepted until then. */
  previousTokenValidUntil: string;
}

export interface TokenRotationDeps {
  /** The subaccount row of a tenant (404 for a foreign or missing one). */
  requireRecord(partnerId: string, customerId: string): Promise<SubaccountRecord>;
  subaccounts: TokenRotationWrites;
  keys: Pick<KeyService, 'encrypt' | 'decrypt'>;
  twilio: Pick<TwilioGateway, 'createSecondaryAuthToken' | 'promoteSecondaryAuthToken' | 'credentialsWork'>;
  clock: Clock;
  ids: IdGenerator;
}

const isAuthFailure = (error: unknown) => error instanceof TwilioPermanentError && (error.status === 401 || error.code === 20003);
const isNoSecondary = (error: unknown) => error instanceof TwilioPermanentError && error.notFound;

/**
 * Rotates a customer's subaccount auth token with no webhook left unverifiable.
 *
 * Primary course: claim the rotation on the row → (created) Twilio makes a secondary token, stored
 * encrypted with the primary's context as the next token → (switched) our API calls use it (Twilio
 * accepts a secondary) and the old one becomes `previous`, which the receivers accept too → (promoted)
 * Twilio makes it the primary and starts signing with it → (finished) `previous` is accepted until
 * promote + {@link PREVIOUS_TOKEN_GRACE_MS}. Each stage is one conditional write naming the run and
 * the stage it read, so a crash at any point leaves a state that running the rotation again (once the
 * lease has lapsed) finishes; a second run while one holds the lease is refused. No token is logged
 * or returned.
 */
export function tokenRotationService({ requireRecord, subaccounts, keys, twilio, clock, ids }: TokenRotationDeps) {
  const leaseFrom = (now: Date) => new Date(now.getTime() + ROTATION_LEASE_MS).toISOString();

  /** Claims a fresh rotation or takes over a lapsed one; refuses while another run holds it. */
  async function claim(record: SubaccountRecord): Promise<{ rotation: TokenRotation; resumedFrom?: TokenRotationStage }> {
    const now = clock.now();
    const at = now.toISOString();
    const held = record.tokenRotation;
    if (held === undefined) {
      if (record.status !== 'active') throw new ConflictError(`Subaccount ${record.accountSid} is ${record.status}; only an active account's token can be rotated`);
      if (record.previousTokenValidUntil !== undefined && record.previousTokenValidUntil > at) {
        // Another rotation now would drop the token Twilio may still be retrying webhooks with.
        throw new ConflictError(`The previous token of ${record.accountSid} is still accepted until ${record.previousTokenValidUntil}; rotate again after that`);
      }
      const rotation: TokenRotation = { id: ids('rot'), stage: 'started', startedAt: at, leaseUntil: leaseFrom(now) };
      await subaccounts.startTokenRotation(record.accountSid, record.encryptedAuthToken, rotation, at);
      return { rotation };
    }
    if (held.leaseUntil > at) {
      throw new ConflictError(`A token rotation of ${record.accountSid} is in progress (stage ${held.stage}); if its run stopped, run again after ${held.leaseUntil}`);
    }
    const rotation: TokenRotation = { ...held, id: ids('rot'), leaseUntil: leaseFrom(now) };
    await subaccounts.takeOverTokenRotation(record.accountSid, held, rotation.id, rotation.leaseUntil, at);
    return { rotation, resumedFrom: held.stage };
  }

  /** Promotes at Twilio; a promote that already happened (no secondary left, yet the new token works) counts as done. */
  async function promote(record: SubaccountRecord, rotation: TokenRotation, creds: SubaccountCredentials): Promise<boolean> {
    try {
      await twilio.promoteSecondaryAuthToken(creds);
      return false;
    } catch (error) {
      if (!isNoSecondary(error) && !isAuthFailure(error)) throw error;
      if (await twilio.credentialsWork(creds)) return true;
      // The secondary is gone at Twilio (deleted or replaced by hand) and never became the primary:
      // the old token is still Twilio's primary, so it goes back in use and the rotation ends.
      await subaccounts.abandonTokenRotation(record.accountSid, rotation.id, 'switched', clock.now().toISOString());
      throw new UpstreamError(`Twilio no longer knows the new token of ${record.accountSid} (its secondary was removed); the old token is in use again; run the rotation again`);
    }
  }

  return {
    async rotate(partnerId: string, customerId: string): Promise<TokenRotationResult> {
      const record = await requireRecord(partnerId, customerId);
      const { accountSid } = record;
      const context = { partnerId, customerId, accountSid };
      const { rotation, resumedFrom } = await claim(record);
      const stages: RotationStep[] = [];

      let stage = rotation.stage;
      let next = rotation.nextEncryptedAuthToken;
      if (stage === 'started') {
        const current = await keys.decrypt(record.encryptedAuthToken, context);
        // A crashed run may have made a secondary already: creating another replaces it on Twilio.
        const secondary = await twilio.createSecondaryAuthToken({ accountSid, authToken: current });
        next = await keys.encrypt(secondary, context);
        await subaccounts.storeNextToken(accountSid, rotation.id, next, leaseFrom(clock.now()));
        stage = 'created';
        stages.push('created');
      }
      if (stage === 'created') {
        await subaccounts.switchToken(accountSid, rotation.id, record.encryptedAuthToken, next!, leaseFrom(clock.now()), clock.now().toISOString());
        stage = 'switched';
        stages.push('switched');
      }
      // From `switched` on, the token in use is the new one: the row's, or the one just switched to.
      const inUse = resumedFrom === 'switched' ? record.encryptedAuthToken : next!;
      const alreadyPromoted = await promote(record, rotation, { accountSid, authToken: await keys.decrypt(inUse, context) });
      stages.push('promoted');

      const promotedAt = clock.now();
      const previousTokenValidUntil = new Date(promotedAt.getTime() + PREVIOUS_TOKEN_GRACE_MS).toISOString();
      await subaccounts.finishTokenRotation(accountSid, rotation.id, previousTokenValidUntil, promotedAt.toISOString());
      stages.push('finished');
      return { accountSid, stages, ...(resumedFrom ? { resumedFrom } : {}), alreadyPromoted, previousTokenValidUntil };
    },
  };
}

export type TokenRotationService = ReturnType<typeof tokenRotationService>;
