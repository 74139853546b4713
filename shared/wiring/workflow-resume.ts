import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoTaskTokenRepository } from '../store/task-tokens';
import { workflow } from '../workflow';
import { onboardingEventHook } from '../workflow/event-hook';
import { tokenResumer } from '../workflow/resume';
import { partnerEvents } from './partner-events';

/**
 * Default wiring of the resume path for the Twilio events consumer: a status event hands the
 * waiting execution its task token. Apart from the task wiring, so the consumer carries no
 * Twilio SDK (the resumed execution re-reads Twilio in its own check task).
 */
const tokens = dynamoTaskTokenRepository(documentClient, tableName);

export const resumeWaiting = tokenResumer({ tokens, workflow, clock: systemClock });

export const resumeOnboarding = onboardingEventHook({
  onboarding: dynamoOnboardingRepository(documentClient, tableName),
  events: partnerEvents,
  clock: systemClock,
  resumeWaiting,
});
