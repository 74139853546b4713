/**
 * The Twilio sandbox: a stateful local stand-in for every Twilio endpoint the platform calls,
 * served as `http://127.0.0.1:<port>/<twilio host>/<path>`.
 */
export { startTwilioSandbox } from './sandbox';
export type { TwilioSandbox, TwilioSandboxOptions, SandboxAccount } from './sandbox';
export type { SandboxRule, StoredRule, LifecycleStep, WebhookKind } from './core/rules';
export type { RecordedRequest, RequestFilter } from './core/recorder';
export type { WebhookDelivery, WebhookDispatch, WebhookRequest } from './webhooks/dispatcher';
export type { InboundMessage, InboundResult } from './resources/inbound';
export type { RegistrationError } from './core/state';
export { POLICY } from './resources/trusthub-policies';
export { observeSandboxResponses } from './observers';
export type { SandboxExchange, SandboxObserver } from './observers';
