import { recordNumberRegistration, registrationEventTarget } from '../services/registration/events';
import type { OnboardingRepository } from '../store/onboarding';
import type { PartnerEventLog } from '../services/partner-events-contract';
import type { Clock } from '../services/support';
import type { ResumeResult } from './resume';

export interface EventHookDeps {
  onboarding: OnboardingRepository;
  events: PartnerEventLog;
  clock: Clock;
  resumeWaiting(waitingFor: string, hint?: Record<string, unknown>): Promise<ResumeResult>;
}

/**
 * What the Twilio events consumer calls after recording an event: a brand, campaign (by its
 * messaging service) or number registration event resumes the onboarding step waiting on it. A
 * number-registration outcome is stored first, because Twilio has no GET the step's check could
 * read it from. Anything else is not for the workflow.
 */
export function onboardingEventHook(deps: EventHookDeps) {
  return async function resumeOnboarding(tenant: { partnerId: string; customerId: string }, event: { type: string; data: unknown }): Promise<ResumeResult[]> {
    const target = registrationEventTarget({ type: event.type, data: event.data });
    if (!target) return [];
    if (target.number) await recordNumberRegistration(deps, tenant, target);
    const results: ResumeResult[] = [];
    // A step waits on one key at a time (a brand waits for its review or for the OTP reply), so
    // the keys after the one that resumed it need no write.
    for (const key of target.waitingKeys) {
      const result = await deps.resumeWaiting(key, { type: event.type });
      results.push(result);
      if (result === 'resumed') break;
    }
    return results;
  };
}
