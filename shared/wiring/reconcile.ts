import { consumers } from '../messaging/default';
import { reconciler, type Reconciler } from '../services/reconcile';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { messageStore } from '../store/messages';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { reconcileStore } from '../store/reconcile';
import { messagesAdapter } from '../twilio/sdk/messages';
import { messagingAdapter } from '../twilio/sdk/messaging';
import { registrationSteps } from './registration-steps';
import { subaccounts } from './subaccounts';
import { twilio } from './twilio';
import { resumeWaiting } from './workflow-resume';

/**
 * Default wiring of the reconciliation sweep, over the very code Twilio's events and callbacks
 * run: the events consumer's resume, the steps' check and the status consumer. Built on first use.
 */
let service: Reconciler | undefined;
export function reconcile(): Reconciler {
  return (service ??= reconciler({
    store: reconcileStore(documentClient, tableName),
    onboarding: dynamoOnboardingRepository(documentClient, tableName),
    messages: messageStore(documentClient, tableName),
    // Brand and campaign reads (messaging) and message reads (messages).
    twilio: twilio.gateway(messagingAdapter, messagesAdapter),
    credentials: (partnerId, customerId) => subaccounts.credentials(partnerId, customerId),
    resumeWaiting,
    checkStep: (step, input) => registrationSteps().check(step, input),
    applyStatus: (envelope) => consumers.applyStatus(envelope),
    clock: systemClock,
  }));
}
