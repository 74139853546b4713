import type { NumberRecord } from '../../domain/registration';
import type { OnboardingRepository } from '../../store/onboarding';
import { TwilioPermanentError } from '../../twilio/errors';
import type { SubaccountCredentials, TwilioGateway } from '../../twilio/gateway';
import type { PartnerEventLog } from '../partner-events-contract';
import type { Clock } from '../support';

export interface NumberReleaseDeps {
  twilio: Pick<TwilioGateway, 'detachNumberFromService' | 'releaseNumber'>;
  onboarding: Pick<OnboardingRepository, 'listNumbers' | 'releaseNumberItems'>;
  events: Pick<PartnerEventLog, 'appendWith'>;
  clock: Clock;
}

/** Numbers released at once by a close: each is two Twilio calls, and Twilio's per-account concurrency is far above this. */
const RELEASE_CONCURRENCY = 4;

/**
 * Giving numbers back to Twilio, on their own so that the close endpoint carries the numbers and
 * messaging calls only, not the registration steps.
 *
 * One number: leave the messaging service first (Twilio refuses to delete a number still in
 * one), then delete it (404 = already gone, which is what we want), then mark it released, free
 * it platform-wide and tell the partner in one transaction. A repeat finds it released and tells
 * nothing twice.
 */
export function numberRelease({ twilio, onboarding, events, clock }: NumberReleaseDeps) {
  const ignoreMissing = (error: unknown) => {
    if (!(error instanceof TwilioPermanentError && error.notFound)) throw error;
  };

  async function release(creds: SubaccountCredentials, partnerId: string, customerId: string, n: NumberRecord): Promise<void> {
    if (n.sid && n.messagingServiceSid) await twilio.detachNumberFromService(creds, n.messagingServiceSid, n.sid).catch(ignoreMissing);
    if (n.sid) await twilio.releaseNumber(creds, n.sid).catch(ignoreMissing);
    const event = { type: 'number.updated' as const, customerId, data: { phoneNumber: n.phoneNumber, ...(n.sid ? { numberSid: n.sid } : {}), status: 'released' as const } };
    await events.appendWith(partnerId, [event], onboarding.releaseNumberItems(partnerId, customerId, n.phoneNumber, clock.now().toISOString()));
  }

  return {
    release,

    /**
     * Every number the customer holds, a few at a time. One that dies halfway is finished by
     * calling again: released numbers are skipped. Returns how many were released.
     */
    async releaseAll(creds: () => Promise<SubaccountCredentials>, partnerId: string, customerId: string): Promise<number> {
      const held = (await onboarding.listNumbers(partnerId, customerId)).filter((n) => n.status !== 'released');
      if (held.length === 0) return 0;
      const credentials = await creds();
      for (let i = 0; i < held.length; i += RELEASE_CONCURRENCY) {
        await Promise.all(held.slice(i, i + RELEASE_CONCURRENCY).map((n) => release(credentials, partnerId, customerId, n)));
      }
      return held.length;
    },
  };
}

export type NumberRelease = ReturnType<typeof numberRelease>;
