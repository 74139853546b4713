import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRunRepository } from '../store/onboarding-runs';
import { dynamoTaskTokenRepository } from '../store/task-tokens';
import { workflow } from '../workflow';
import { bookkeepingTasks } from '../workflow/tasks';
import { partnerEvents } from './partner-events';

/** Default wiring of Wait<Step> and MarkFailed: the store and the workflow port only, no Twilio. */
export const bookkeeping = bookkeepingTasks({
  runs: dynamoOnboardingRunRepository(documentClient, tableName),
  tokens: dynamoTaskTokenRepository(documentClient, tableName),
  workflow,
  clock: systemClock,
  events: partnerEvents,
});
