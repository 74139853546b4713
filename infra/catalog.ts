/**
 * THE list of functions. The CDK platform stack and the local runtime are both generated from
 * it: adding an endpoint is one handler file plus one entry here. Keep this module pure data
 * (no imports of handlers or of CDK) so both sides — and handlers such as the route fallback —
 * can read it cheaply.
 */

import type { QueueName } from '../shared/queue/queues';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A REST API route on API Gateway (locally: the HTTP server on PORT). */
export interface ApiTrigger {
  kind: 'api';
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/customers/{id}`. */
  path: string;
  /** `partner` routes go through the API-key authorizer; `none` are public (docs only). */
  auth: 'partner' | 'none';
}

/** The API-key authorizer of the REST API. */
export interface AuthorizerTrigger {
  kind: 'authorizer';
}

/** Answers every method a resource does not define, and unknown paths: 404 / 405 problem+json. */
export interface RouteFallbackTrigger {
  kind: 'routeFallback';
}

/** A Twilio webhook receiver on its own Lambda function URL (locally: `/webhooks/<name>`). */
export interface FunctionUrlTrigger {
  kind: 'functionUrl';
  /** Path segment of the canonical webhook URL `<base>/<name>`: under `/webhooks` locally, the webhook distribution's path in AWS. */
  name: string;
}

/** An SQS consumer (locally: an in-process queue with the same semantics). */
export interface QueueTrigger {
  kind: 'queue';
  queue: QueueName;
  batchSize: number;
  /**
   * The event source's maximum concurrency (2–1000): how many batches run at once at most.
   * Unset, Lambda scales the pollers with the backlog, and the local runtime runs 5.
   */
  maxConcurrency?: number;
}

/** A Step Functions task (locally: the workflow runner invokes it by ASL state name). */
export interface WorkflowTaskTrigger {
  kind: 'workflowTask';
  /** `${FunctionArn_<id>}`-style substitution name used in the ASL document. */
  substitution: string;
}

/**
 * A consumer of the table's change stream (DynamoDB Streams, new images; locally: a poller on
 * DynamoDB Local's stream). Only records matching `filter` reach the function — in AWS as the
 * event source mapping's filter criteria, locally by the poller — so the function is not invoked
 * for the table's other writes. A batch that fails is retried from the first failed record
 * (`batchItemFailures` with the record's sequence number), bisected, and after `retryAttempts`
 * sent to the stream's dead-letter queue.
 */
export interface TableStreamTrigger {
  kind: 'tableStream';
  /** Records whose new image has one of these `entity` values, for these change kinds. */
  filter: { entity: readonly string[]; eventName: readonly ('INSERT' | 'MODIFY' | 'REMOVE')[] };
  batchSize: number;
  /** Times a failing batch is retried before its records go to the stream's DLQ. */
  retryAttempts: number;
}

/** A function run on a fixed rate (EventBridge Scheduler; locally: a timer on the platform's clock). */
export interface ScheduleTrigger {
  kind: 'schedule';
  rateMinutes: number;
}

export type Trigger =
  | ApiTrigger
  | AuthorizerTrigger
  | RouteFallbackTrigger
  | FunctionUrlTrigger
  | QueueTrigger
  | WorkflowTaskTrigger
  | TableStreamTrigger
  | ScheduleTrigger;

/** What a function may touch. The CDK stack turns this into one least-privilege role per function. */
export interface Access {
  table?: 'read' | 'readwrite';
  /** Key-service operations on the customer-managed key (always with the tenant encryption context). */
  keys?: ('encrypt' | 'decrypt')[];
  /** Queues this function sends to. */
  sendTo?: QueueName[];
  /** Reads the Twilio master credentials secret. */
  twilioMaster?: boolean;
  /** Starts onboarding executions / reports task tokens. */
  workflow?: ('start' | 'callback')[];
  /**
   * Key-service operations for partner webhook signing secrets: the same key as the tokens, under
   * an encryption context of their own, so a function granted one kind cannot open the other.
   */
  webhookSecrets?: ('encrypt' | 'decrypt')[];
  /**
   * Makes outbound HTTPS calls to partner-registered URLs (the webhook delivery functions). In AWS
   * these functions run outside any VPC with no other access to our resources than `access` lists;
   * locally nothing changes. Marks the function for the stack's and the runbooks' inventories.
   */
  partnerEgress?: boolean;
  /**
   * Reads the depth of every work queue and its DLQ (GetQueueAttributes on exactly those, and
   * CloudWatch's GetMetricData for the oldest message's age); never receives or sends.
   */
  queueDepth?: boolean;
  /**
   * Counts refused webhooks for the tenant they named: UpdateItem on the refusal counters only
   * (their partition prefix, through `dynamodb:LeadingKeys`), beside `table: 'read'`.
   */
  webhookRefusals?: boolean;
  /**
   * Mints portal links: reads the portal distribution's URL (an SSM parameter the stack writes) to
   * build them on. Locally links are built on the platform's own origin.
   */
  portalLinks?: boolean;
  /** Tells front ends how to run WhatsApp Embedded Signup: gets the platform's Meta app id and configuration id (when the stack has them). */
  metaApp?: boolean;
  /** Object operations on the supporting documents' bucket (their bytes; the metadata is in the table). */
  documents?: ('put' | 'get' | 'delete')[];
}

export interface FunctionSpec {
  /** Stable kebab-case id; the CDK construct id and the local function name derive from it. */
  id: string;
  /** Handler module relative to the project root; it exports `handler`. */
  entry: string;
  description: string;
  trigger: Trigger;
  access: Access;
  memoryMb?: number;
  timeoutSeconds?: number;
}

/**
 * How long API Gateway reuses an authorizer's Allow for the same API key (the deployed stack and
 * the local platform both use it). A revoked key or a suspended partner stops working within it.
 */
export const AUTHORIZER_CACHE_SECONDS = 60;

/** Queues with their DLQ policy. Consumers are idempotent, so redelivery is safe. */
export { QUEUES, type QueueName } from '../shared/queue/queues';

export const catalog: readonly FunctionSpec[] = [
  {
    id: 'authorizer',
    entry: 'functions/authorizer/index.ts',
    description: 'Validates partner API keys',
    trigger: { kind: 'authorizer' },
    access: { table: 'read' },
  },
  {
    id: 'route-fallback',
    entry: 'functions/http/fallback.ts',
    description: 'Unknown routes (404) and undefined methods (405) as problem+json',
    trigger: { kind: 'routeFallback' },
    access: {},
  },
  {
    id: 'openapi-get',
    entry: 'functions/http/openapi/get.ts',
    description: 'Serves the OpenAPI 3.1 document',
    trigger: { kind: 'api', method: 'GET', path: '/openapi.json', auth: 'none' },
    access: {},
  },
  {
    id: 'customers-create',
    entry: 'functions/http/customers/create.ts',
    description: 'Creates a customer (Idempotency-Key aware)',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers', auth: 'partner' },
    access: { table: 'readwrite' },
  },
  {
    id: 'customers-list',
    entry: 'functions/http/customers/list.ts',
    description: "Lists the partner's customers, newest first",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'customers-get',
    entry: 'functions/http/customers/get.ts',
    description: 'Fetches one customer',
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'customers-usage',
    entry: 'functions/http/customers/usage.ts',
    description: "A customer's usage in a calendar month: our message counts and numbers beside Twilio's usage records",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/usage', auth: 'partner' },
    // Twilio's usage records are read with the master credentials on the subaccount's path: no token decrypt.
    access: { table: 'read', twilioMaster: true },
    timeoutSeconds: 29,
  },
  {
    id: 'customers-portal-sessions-create',
    entry: 'functions/http/customers/portal-sessions.ts',
    description: 'Creates a single-use portal link for one customer (customer-scope session)',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/portal-sessions', auth: 'partner' },
    access: { table: 'readwrite', portalLinks: true },
  },
  {
    id: 'portal-sessions-create',
    entry: 'functions/http/portal-sessions/create.ts',
    description: 'Creates a single-use portal link for the partner (partner-scope session)',
    trigger: { kind: 'api', method: 'POST', path: '/v1/portal-sessions', auth: 'partner' },
    access: { table: 'readwrite', portalLinks: true },
  },
  {
    id: 'portal-sessions-current',
    entry: 'functions/http/portal-sessions/current.ts',
    description: 'Describes the portal session of the calling cookie',
    trigger: { kind: 'api', method: 'GET', path: '/v1/portal-sessions/current', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'portal-sessions-delete',
    entry: 'functions/http/portal-sessions/delete.ts',
    description: "Revokes one of the partner's portal links and the session it opened",
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/portal-sessions/{sessionId}', auth: 'partner' },
    access: { table: 'readwrite' },
  },
  {
    id: 'portal-link-open',
    entry: 'functions/http/portal/open-link.ts',
    description: 'Opens a single-use portal link: session cookies, then a redirect to the portal',
    trigger: { kind: 'api', method: 'GET', path: '/portal/link/{token}', auth: 'none' },
    access: { table: 'readwrite' },
  },
  {
    id: 'portal-logout',
    entry: 'functions/http/portal/logout.ts',
    description: 'Ends the portal session of the calling cookie and clears the cookies',
    trigger: { kind: 'api', method: 'POST', path: '/portal/logout', auth: 'none' },
    access: { table: 'readwrite' },
  },
  {
    id: 'customers-patch',
    entry: 'functions/http/customers/patch.ts',
    description: "Updates a customer's mutable fields",
    trigger: { kind: 'api', method: 'PATCH', path: '/v1/customers/{id}', auth: 'partner' },
    access: { table: 'readwrite' },
  },
  {
    id: 'customers-delete',
    entry: 'functions/http/customers/delete.ts',
    description: "Erases a closed customer's personal data, keeping its contacts' consent ledger",
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/customers/{id}', auth: 'partner' },
    // Supporting documents' bytes are erased with the customer.
    access: { table: 'readwrite', documents: ['delete'] },
    timeoutSeconds: 29,
  },
  {
    id: 'events-list',
    entry: 'functions/http/events/list.ts',
    description: "Reads the partner's ordered event log",
    trigger: { kind: 'api', method: 'GET', path: '/v1/events', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'subaccount-create',
    entry: 'functions/http/subaccounts/create.ts',
    description: "Creates the customer's Twilio subaccount (idempotent)",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/subaccount', auth: 'partner' },
    access: { table: 'readwrite', keys: ['encrypt'], twilioMaster: true },
    timeoutSeconds: 29,
  },
  {
    id: 'subaccount-get',
    entry: 'functions/http/subaccounts/get.ts',
    description: "Fetches the customer's subaccount (no secrets)",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/subaccount', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'subaccount-suspend',
    entry: 'functions/http/subaccounts/suspend.ts',
    description: 'Suspends the subaccount on Twilio',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/subaccount/suspend', auth: 'partner' },
    access: { table: 'readwrite', twilioMaster: true },
    timeoutSeconds: 29,
  },
  {
    id: 'subaccount-reactivate',
    entry: 'functions/http/subaccounts/reactivate.ts',
    description: 'Reactivates a suspended subaccount on Twilio',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/subaccount/reactivate', auth: 'partner' },
    access: { table: 'readwrite', twilioMaster: true },
    timeoutSeconds: 29,
  },
  {
    id: 'subaccount-close',
    entry: 'functions/http/subaccounts/close.ts',
    description: "Closes the customer for good: releases its numbers, then closes the subaccount on Twilio",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/subaccount/close', auth: 'partner' },
    // The numbers are released with the subaccount's own (decrypted) token.
    access: { table: 'readwrite', keys: ['decrypt'], twilioMaster: true },
    timeoutSeconds: 29,
  },
  {
    id: 'brands-create',
    entry: 'functions/http/brands/create.ts',
    description: "Registers the customer's A2P brand (profiles, trust product, brand)",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/brands', auth: 'partner' },
    access: { table: 'readwrite', keys: ['encrypt', 'decrypt'], twilioMaster: true },
    timeoutSeconds: 29,
  },
  {
    id: 'brands-list',
    entry: 'functions/http/brands/list.ts',
    description: "Lists the customer's brand with its registration state",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/brands', auth: 'partner' },
    // Reading a brand under review asks Twilio for its status and stores what changed.
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'brands-resubmit',
    entry: 'functions/http/brands/resubmit.ts',
    description: "Resubmits a failed brand after the customer was fixed",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/brands/{brandId}/resubmit', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'campaigns-create',
    entry: 'functions/http/campaigns/create.ts',
    description: "Submits the customer's A2P campaign (replaces a failed one)",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/campaigns', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'campaigns-list',
    entry: 'functions/http/campaigns/list.ts',
    description: "Lists the customer's campaign with its vetting state",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/campaigns', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'numbers-create',
    entry: 'functions/http/numbers/create.ts',
    description: "Buys numbers for the customer (unique platform-wide)",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/numbers', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'numbers-list',
    entry: 'functions/http/numbers/list.ts',
    description: "Lists the customer's numbers",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/numbers', auth: 'partner' },
    // The store alone: no Twilio call, so no token to decrypt and nothing to write.
    access: { table: 'read' },
  },
  {
    id: 'numbers-delete',
    entry: 'functions/http/numbers/delete.ts',
    description: "Detaches and releases one number",
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/customers/{id}/numbers/{numberId}', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'messages-create',
    entry: 'functions/http/messages/create.ts',
    description: 'Sends a message for the customer (consent and readiness checked first; Idempotency-Key aware)',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/messages', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'messages-list',
    entry: 'functions/http/messages/list.ts',
    description: "Lists the customer's messages, newest first, filtered",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/messages', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'messages-get',
    entry: 'functions/http/messages/get.ts',
    description: 'Fetches one message with its status timeline',
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/messages/{messageId}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'messages-cancel',
    entry: 'functions/http/messages/cancel.ts',
    description: 'Cancels a scheduled message',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/messages/{messageId}/cancel', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'opt-outs-list',
    entry: 'functions/http/opt-outs/list.ts',
    description: "Lists the customer's contacts that are opted out, newest first",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/opt-outs', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'consent-get',
    entry: 'functions/http/consent/get.ts',
    description: "A contact's consent per channel with its whole ledger",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/contacts/{phone}/consent', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'consent-record',
    entry: 'functions/http/consent/record.ts',
    description: 'Records a consent (opt-in or opt-out) the partner captured, with its evidence; an opt-out cancels what is still scheduled to the contact',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/contacts/{phone}/consent', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'webhooks-inbound',
    entry: 'functions/webhooks/inbound.ts',
    description: 'Twilio inbound message webhook: verify signature, enqueue',
    trigger: { kind: 'functionUrl', name: 'inbound' },
    access: { table: 'read', keys: ['decrypt'], webhookRefusals: true, sendTo: ['inbound-messages'] },
  },
  {
    id: 'webhooks-status',
    entry: 'functions/webhooks/status.ts',
    description: 'Twilio message status callback: verify signature, enqueue',
    trigger: { kind: 'functionUrl', name: 'status' },
    access: { table: 'read', keys: ['decrypt'], webhookRefusals: true, sendTo: ['status-callbacks'] },
  },
  {
    id: 'webhooks-events',
    entry: 'functions/webhooks/events.ts',
    description: 'Twilio Event Streams webhook sink: verify signature and body hash, enqueue',
    trigger: { kind: 'functionUrl', name: 'events' },
    access: { table: 'read', keys: ['decrypt'], webhookRefusals: true, sendTo: ['twilio-events'] },
  },
  {
    id: 'webhooks-trusthub',
    entry: 'functions/webhooks/trusthub.ts',
    description: 'Twilio TrustHub status callback: verify signature, enqueue',
    trigger: { kind: 'functionUrl', name: 'trusthub' },
    access: { table: 'read', keys: ['decrypt'], webhookRefusals: true, sendTo: ['twilio-events'] },
  },
  {
    id: 'queues-inbound',
    entry: 'functions/queues/inbound.ts',
    description: 'Stores inbound messages and applies opt-out keywords',
    trigger: { kind: 'queue', queue: 'inbound-messages', batchSize: 10 },
    access: { table: 'readwrite' },
    timeoutSeconds: 30,
  },
  {
    id: 'queues-status',
    entry: 'functions/queues/status.ts',
    description: 'Folds message status callbacks (status only moves forward)',
    trigger: { kind: 'queue', queue: 'status-callbacks', batchSize: 10 },
    access: { table: 'readwrite' },
    timeoutSeconds: 30,
  },
  {
    id: 'queues-events',
    entry: 'functions/queues/events.ts',
    description: 'Records Event Streams and TrustHub events per customer; resumes the onboarding step waiting on them',
    trigger: { kind: 'queue', queue: 'twilio-events', batchSize: 10 },
    access: { table: 'readwrite', workflow: ['callback'] },
    timeoutSeconds: 30,
  },
  {
    id: 'templates-create',
    entry: 'functions/http/templates/create.ts',
    description: "Lints a WhatsApp template, creates it in the customer's subaccount (Content API) and submits it for approval",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/templates', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'templates-lint',
    entry: 'functions/http/templates/lint.ts',
    description: 'Lints a WhatsApp template against the review rules of Meta, creating nothing',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/templates/lint', auth: 'partner' },
    // The name-uniqueness check reads the customer's name claims; nothing is written or sent.
    access: { table: 'read' },
  },
  {
    id: 'templates-list',
    entry: 'functions/http/templates/list.ts',
    description: "Lists the customer's WhatsApp templates with their approval state",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/templates', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'templates-get',
    entry: 'functions/http/templates/get.ts',
    description: 'Fetches one WhatsApp template: approval status, rejection reason, category changes, versions',
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/templates/{templateId}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'templates-delete',
    entry: 'functions/http/templates/delete.ts',
    description: 'Deletes a WhatsApp template (its Content resource at Twilio, then the row)',
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/customers/{id}/templates/{templateId}', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'templates-resubmit',
    entry: 'functions/http/templates/resubmit.ts',
    description: 'Resubmits a rejected WhatsApp template as a new version under a new name, linked to the old one',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/templates/{templateId}/resubmit', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'schedules-template-refresh',
    entry: 'functions/schedules/template-refresh.ts',
    description: 'Asks Twilio about WhatsApp templates still in review (least recently checked first) and records what changed',
    trigger: { kind: 'schedule', rateMinutes: 1 },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 60,
  },
  {
    id: 'documents-create',
    entry: 'functions/http/documents/create.ts',
    description: "Stores a customer's supporting document (sniffed PDF/PNG/JPEG, up to 4 MB) and hands it to Twilio where the registration takes documents",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/documents', auth: 'partner' },
    // Put the bytes, and delete them again when the metadata write fails; decrypt the subaccount token for TrustHub.
    access: { table: 'readwrite', keys: ['decrypt'], documents: ['put', 'delete'] },
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  {
    id: 'documents-list',
    entry: 'functions/http/documents/list.ts',
    description: "Lists the customer's supporting documents, newest first",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/documents', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'documents-get',
    entry: 'functions/http/documents/get.ts',
    description: "Fetches one supporting document's metadata and its Twilio hand-off",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/documents/{documentId}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'documents-content',
    entry: 'functions/http/documents/content.ts',
    description: "Downloads a supporting document's bytes (as an attachment, nosniff)",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/documents/{documentId}/content', auth: 'partner' },
    access: { table: 'read', documents: ['get'] },
    memoryMb: 512,
  },
  {
    id: 'documents-delete',
    entry: 'functions/http/documents/delete.ts',
    description: 'Deletes a supporting document: its metadata, then its bytes',
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/customers/{id}/documents/{documentId}', auth: 'partner' },
    access: { table: 'readwrite', documents: ['delete'] },
  },
  {
    id: 'webhook-endpoints-create',
    entry: 'functions/http/webhook-endpoints/create.ts',
    description: 'Registers a partner webhook endpoint (SSRF-checked URL); returns its signing secret once',
    trigger: { kind: 'api', method: 'POST', path: '/v1/webhook-endpoints', auth: 'partner' },
    access: { table: 'readwrite', webhookSecrets: ['encrypt'] },
  },
  {
    id: 'webhook-endpoints-list',
    entry: 'functions/http/webhook-endpoints/list.ts',
    description: "Lists the partner's webhook endpoints",
    trigger: { kind: 'api', method: 'GET', path: '/v1/webhook-endpoints', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'webhook-endpoints-get',
    entry: 'functions/http/webhook-endpoints/get.ts',
    description: 'Fetches one webhook endpoint (never its secret)',
    trigger: { kind: 'api', method: 'GET', path: '/v1/webhook-endpoints/{endpointId}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'webhook-endpoints-patch',
    entry: 'functions/http/webhook-endpoints/patch.ts',
    description: 'Changes a webhook endpoint (URL, event types, description, enabled)',
    trigger: { kind: 'api', method: 'PATCH', path: '/v1/webhook-endpoints/{endpointId}', auth: 'partner' },
    access: { table: 'readwrite' },
  },
  {
    id: 'webhook-endpoints-delete',
    entry: 'functions/http/webhook-endpoints/delete.ts',
    description: 'Deletes a webhook endpoint; nothing more is delivered to it',
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/webhook-endpoints/{endpointId}', auth: 'partner' },
    access: { table: 'readwrite' },
  },
  {
    id: 'webhook-endpoints-rotate-secret',
    entry: 'functions/http/webhook-endpoints/rotate-secret.ts',
    description: 'Rotates the signing secret; both sign deliveries during the overlap window',
    trigger: { kind: 'api', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/rotate-secret', auth: 'partner' },
    access: { table: 'readwrite', webhookSecrets: ['encrypt'] },
  },
  {
    id: 'webhook-endpoints-test',
    entry: 'functions/http/webhook-endpoints/test.ts',
    description: 'Sends a webhook_endpoint.test event to the endpoint at once',
    trigger: { kind: 'api', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/test', auth: 'partner' },
    access: { table: 'read', sendTo: ['partner-deliveries', 'partner-deliveries-retry'] },
  },
  {
    id: 'webhook-endpoints-deliveries',
    entry: 'functions/http/webhook-endpoints/deliveries.ts',
    description: 'Every delivery attempt to the endpoint, newest first',
    trigger: { kind: 'api', method: 'GET', path: '/v1/webhook-endpoints/{endpointId}/deliveries', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'webhook-endpoints-replay',
    entry: 'functions/http/webhook-endpoints/replay.ts',
    description: 'Re-sends every event after a cursor to the endpoint, in order, rate-limited',
    trigger: { kind: 'api', method: 'POST', path: '/v1/webhook-endpoints/{endpointId}/replay', auth: 'partner' },
    access: { table: 'read', sendTo: ['partner-replays'] },
  },
  {
    id: 'status-get',
    entry: 'functions/http/status/get.ts',
    description: "The partner's operational status: onboardings in flight and failed, queue and DLQ depths, refused webhooks of its customers",
    trigger: { kind: 'api', method: 'GET', path: '/v1/status', auth: 'partner' },
    access: { table: 'read', queueDepth: true },
  },
  {
    id: 'events-redeliver',
    entry: 'functions/http/events/redeliver.ts',
    description: 'Delivers one event again to every matching endpoint, or to one',
    trigger: { kind: 'api', method: 'POST', path: '/v1/events/{eventId}/redeliver', auth: 'partner' },
    access: { table: 'read', sendTo: ['partner-deliveries', 'partner-deliveries-retry'] },
  },
  {
    id: 'streams-partner-events',
    entry: 'functions/streams/partner-events.ts',
    description: "Fans each new partner event out to the partner's matching webhook endpoints (one delivery message each)",
    trigger: { kind: 'tableStream', filter: { entity: ['PartnerEvent'], eventName: ['INSERT'] }, batchSize: 100, retryAttempts: 10 },
    access: { table: 'read', sendTo: ['partner-deliveries', 'partner-deliveries-retry'] },
    timeoutSeconds: 30,
  },
  {
    id: 'queues-deliveries',
    entry: 'functions/queues/deliveries.ts',
    description: 'Delivers partner events to healthy webhook endpoints: one signed attempt per message',
    // Enough batches that an endpoint holding some of them (up to the healthy lane's 2 s) leaves
    // the rest to everyone else's deliveries; capped so a storm cannot take the account's concurrency.
    trigger: { kind: 'queue', queue: 'partner-deliveries', batchSize: 10, maxConcurrency: 50 },
    access: { table: 'readwrite', webhookSecrets: ['decrypt'], sendTo: ['partner-deliveries-retry'], partnerEgress: true },
    timeoutSeconds: 30,
  },
  {
    id: 'queues-delivery-retries',
    entry: 'functions/queues/deliveries.ts',
    description: 'Retries partner webhook deliveries, and serves endpoints that are failing',
    trigger: { kind: 'queue', queue: 'partner-deliveries-retry', batchSize: 10, maxConcurrency: 50 },
    access: { table: 'readwrite', webhookSecrets: ['decrypt'], sendTo: ['partner-deliveries-retry'], partnerEgress: true },
    timeoutSeconds: 30,
  },
  {
    id: 'queues-replays',
    entry: 'functions/queues/replays.ts',
    description: "Replays a partner's event log to one endpoint, a page per step, in order",
    trigger: { kind: 'queue', queue: 'partner-replays', batchSize: 1 },
    access: { table: 'readwrite', webhookSecrets: ['decrypt'], sendTo: ['partner-replays', 'partner-deliveries-retry'], partnerEgress: true },
    timeoutSeconds: 60,
  },
  {
    id: 'whatsapp-senders-create',
    entry: 'functions/http/whatsapp-senders/create.ts',
    description: "Registers one of the customer's numbers as a WhatsApp sender under its WABA (Senders API, the subaccount's credentials)",
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/whatsapp/senders', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'whatsapp-senders-list',
    entry: 'functions/http/whatsapp-senders/list.ts',
    description: "Lists the customer's WhatsApp senders",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/whatsapp/senders', auth: 'partner' },
    // The store alone: the scheduled refresh keeps it current.
    access: { table: 'read' },
  },
  {
    id: 'whatsapp-senders-embedded-signup',
    entry: 'functions/http/whatsapp-senders/embedded-signup.ts',
    description: "How a front end runs WhatsApp Embedded Signup (the platform's Meta app, or a simulated hand-off) to get the customer's WABA id",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/whatsapp/embedded-signup', auth: 'partner' },
    access: { table: 'read', metaApp: true },
  },
  {
    id: 'whatsapp-senders-get',
    entry: 'functions/http/whatsapp-senders/get.ts',
    description: 'One WhatsApp sender with its status, offline reasons, quality rating and messaging limit',
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/whatsapp/senders/{senderId}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'whatsapp-senders-verify',
    entry: 'functions/http/whatsapp-senders/verify.ts',
    description: 'Submits the verification code Meta sent the WhatsApp sender number',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/whatsapp/senders/{senderId}/verification', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'whatsapp-senders-patch',
    entry: 'functions/http/whatsapp-senders/patch.ts',
    description: "Changes a WhatsApp sender's business profile or webhooks",
    trigger: { kind: 'api', method: 'PATCH', path: '/v1/customers/{id}/whatsapp/senders/{senderId}', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'whatsapp-senders-delete',
    entry: 'functions/http/whatsapp-senders/delete.ts',
    description: 'Detaches a WhatsApp sender from the messaging service and deletes it at Twilio',
    trigger: { kind: 'api', method: 'DELETE', path: '/v1/customers/{id}/whatsapp/senders/{senderId}', auth: 'partner' },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 29,
  },
  {
    id: 'schedules-whatsapp-senders',
    entry: 'functions/schedules/whatsapp-senders.ts',
    description: 'Follows WhatsApp senders through their lifecycle (Twilio pushes no sender status): fetches the ones in progress, and the waiting ones due',
    trigger: { kind: 'schedule', rateMinutes: 1 },
    access: { table: 'readwrite', keys: ['decrypt'] },
    timeoutSeconds: 60,
  },
  {
    id: 'schedules-delivery-retries',
    entry: 'functions/schedules/delivery-retries.ts',
    description: 'Moves partner webhook retries due within 15 minutes from the table to the retry queue (SQS delays stop at 15 minutes)',
    trigger: { kind: 'schedule', rateMinutes: 1 },
    access: { table: 'readwrite', sendTo: ['partner-deliveries-retry'] },
    timeoutSeconds: 60,
  },
  {
    id: 'schedules-reconcile',
    entry: 'functions/schedules/reconcile.ts',
    description: 'Finds brands, campaigns, numbers and messages waiting on Twilio past the threshold, asks Twilio and repairs them as the missed event would have',
    trigger: { kind: 'schedule', rateMinutes: 5 },
    // Subaccount tokens to ask Twilio; task tokens to resume a waiting onboarding.
    access: { table: 'readwrite', keys: ['decrypt'], workflow: ['callback'] },
    timeoutSeconds: 120,
  },
  {
    id: 'onboarding-preflight',
    entry: 'functions/http/onboarding/preflight.ts',
    description: 'Checks a customer and onboarding options for everything that would fail, creating nothing',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/onboarding/preflight', auth: 'partner' },
    // The number search runs on the ISV's account: the master secret, read only.
    access: { table: 'read', twilioMaster: true },
  },
  {
    id: 'onboarding-start',
    entry: 'functions/http/onboarding/start.ts',
    description: 'Starts the onboarding workflow after its preflight, or resumes it from the failed step',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/onboarding', auth: 'partner' },
    access: { table: 'readwrite', workflow: ['start'], twilioMaster: true },
  },
  {
    id: 'onboarding-get',
    entry: 'functions/http/onboarding/get.ts',
    description: "The customer's onboarding timeline",
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}/onboarding', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'workflow-run-step',
    entry: 'functions/workflow/run-step.ts',
    description: 'Onboarding task: runs one step against Twilio',
    trigger: { kind: 'workflowTask', substitution: 'RunStepFunctionArn' },
    access: { table: 'readwrite', keys: ['encrypt', 'decrypt'], twilioMaster: true },
    timeoutSeconds: 60,
  },
  {
    id: 'workflow-wait-step',
    entry: 'functions/workflow/wait-step.ts',
    description: 'Onboarding task: parks the task token of a step waiting for Twilio review',
    trigger: { kind: 'workflowTask', substitution: 'WaitStepFunctionArn' },
    access: { table: 'readwrite', workflow: ['callback'] },
  },
  {
    id: 'workflow-check-step',
    entry: 'functions/workflow/check-step.ts',
    description: 'Onboarding task: re-reads Twilio for a waiting step',
    trigger: { kind: 'workflowTask', substitution: 'CheckStepFunctionArn' },
    access: { table: 'readwrite', keys: ['decrypt'], twilioMaster: true },
    timeoutSeconds: 60,
  },
  {
    id: 'workflow-mark-failed',
    entry: 'functions/workflow/mark-failed.ts',
    description: 'Onboarding task: records the failed step with the errors to fix',
    trigger: { kind: 'workflowTask', substitution: 'MarkFailedFunctionArn' },
    access: { table: 'readwrite' },
  },
];
export type ApiFunctionSpec = FunctionSpec & { trigger: ApiTrigger };

export const apiRoutes = (): ApiFunctionSpec[] => catalog.filter((f): f is ApiFunctionSpec => f.trigger.kind === 'api');

/** Methods defined per API path template, e.g. `/v1/customers` → [GET, POST]. */
export function methodsByPath(): Map<string, HttpMethod[]> {
  const byPath = new Map<string, HttpMethod[]>();
  for (const { trigger } of apiRoutes()) byPath.set(trigger.path, [...(byPath.get(trigger.path) ?? []), trigger.method]);
  return byPath;
}

/** Matches a concrete path against the catalog's templates: `{name}` matches one non-empty segment. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith('{') && w.endsWith('}')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1, -1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}
