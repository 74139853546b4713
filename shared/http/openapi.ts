import { z } from 'zod';
import {
  CustomerCreateSchema,
  CustomerListSchema,
  CustomerPatchSchema,
  CustomerSchema,
  ListQuerySchema,
} from '../domain/customer';
import { BrandOptionsSchema, CampaignOptionsSchema, NumberOptionsSchema, OnboardingOptionsSchema } from '../domain/onboarding';
import { BrandViewSchema, CampaignViewSchema, NumberViewSchema, listOf } from '../domain/registration';
import { PageQuerySchema } from '../domain/page';
import { MessageCreateSchema, MessageListQuerySchema, MessageListSchema, MessageSchema } from '../domain/message';
import { SubaccountSchema } from '../domain/subaccount';
import { UsageQuerySchema, UsageSchema } from '../domain/usage';
import { OnboardingTimelineSchema } from '../workflow/timeline';
import { PreflightReportSchema } from '../services/registration/preflight';
import { EventsQuerySchema, PartnerEventPageSchema } from '../domain/partner-event';
import { PARTNER_EVENT_COMPONENTS } from '../domain/event-types';
import {
  DeliveryAttemptListSchema,
  RedeliverResultSchema,
  RedeliverSchema,
  ReplayResultSchema,
  ReplaySchema,
  RotateSecretSchema,
  RotatedSecretSchema,
  TestDeliverySchema,
  WEBHOOK_TEST_EVENT_TYPE,
  WebhookEndpointCreateSchema,
  WebhookEndpointCreatedSchema,
  WebhookEndpointListSchema,
  WebhookEndpointPatchSchema,
  WebhookEndpointSchema,
  WebhookEndpointTestDataSchema,
  WebhookListQuerySchema,
} from '../domain/webhook-endpoint';
import { EVENT_DATA_SCHEMAS, PARTNER_EVENT_TYPES } from '../domain/event-types';
import { LintReportSchema, TemplateCreateSchema, TemplateListQuerySchema, TemplateListSchema, TemplateResubmitSchema, TemplateSchema } from '../domain/template';
import {
  WhatsAppSenderCreateSchema,
  WhatsAppSenderListSchema,
  WhatsAppSenderPatchSchema,
  WhatsAppSenderSchema,
  WhatsAppVerificationSchema,
} from '../domain/whatsapp-sender';
import { EmbeddedSignupConfigSchema } from '../domain/whatsapp-embedded-signup';
import { PartnerStatusSchema } from '../domain/partner-status';
import { CurrentPortalSessionSchema, PortalSessionRequestSchema, PortalSessionSchema } from '../domain/portal-session';
import { DocumentListQuerySchema, DocumentListSchema, DocumentSchema, DocumentUploadSchema, MAX_DOCUMENT_BYTES } from '../domain/document';
import { ConsentRecordInputSchema, ConsentRecordResultSchema, ConsentViewSchema, OptOutListSchema, OptOutsQuerySchema } from '../domain/consent';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with and from
 * the catalog's routes, so the document cannot drift from what the API accepts. Each catalog
 * API route needs an entry in ROUTE_DOCS (a test enforces it).
 */

export const ProblemSchema = z
  .object({
    type: z.string().describe('Stable URI of the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional().describe('Request id'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('Fields at fault'),
  })
  .describe('RFC 9457 problem details');

interface RouteDoc {
  summary: string;
  body?: z.ZodType;
  /** A `multipart/form-data` body instead of JSON: its text fields and its file part (`file`). */
  multipart?: z.ZodType;
  query?: z.ZodObject;
  idempotent?: boolean;
  /** Further problem responses of the route, by status. */
  problems?: Record<number, string>;
  response: { status: number; schema: z.ZodType; description: string; binary?: readonly string[] };
}

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'onboarding-preflight': {
    summary:
      'Check a customer and onboarding options for everything that would make the onboarding fail, before anything is created or billed: customer data for the brand type, EIN, postal code, phone and website, campaign content (brand named, opt-out language, consent in the message flow, declared links and phones, no link shorteners, privacy policy and terms, use case) and number availability. Same body as the start; on a resume, the previous options with these over them. Call it first',
    body: OnboardingOptionsSchema,
    response: { status: 200, schema: PreflightReportSchema, description: 'The findings, errors first' },
  },
  'onboarding-start': {
    summary:
      'Start the onboarding (A2P 10DLC registration) of a customer after the same checks as the preflight: any error finding → 422 onboarding-preflight-failed with every one, and nothing is created. A failed onboarding resumes from the failed step with the previous options, the given ones laid over them (campaign and numbers field by field). 200 when it runs or is done and no options are given; options for a running or completed onboarding → 409 naming what to call instead. Defaults: brandType STANDARD, mock false (a real, billed brand), one US number',
    body: OnboardingOptionsSchema,
    response: { status: 202, schema: OnboardingTimelineSchema, description: 'The onboarding timeline' },
  },
  'onboarding-get': {
    summary: "The customer's onboarding timeline: every step, its status, timestamps, SIDs, what it waits for and the errors to fix",
    response: { status: 200, schema: OnboardingTimelineSchema, description: 'The onboarding timeline' },
  },
  'messages-create': {
    summary:
      "Send an SMS/MMS or a WhatsApp message for the customer through its subaccount and messaging service (201; 202 when Twilio's answer was lost and the status callback will settle it). WhatsApp (`channel: whatsapp` or a `whatsapp:` address): free-form body/media only within 24 hours of the contact's last WhatsApp message, else an approved template (`templateId` or `contentSid`, with `contentVariables`). Refused before Twilio is called: customer-not-ready, recipient-opted-out, template-not-approved (409), too-many-segments, send-at-out-of-range, template-required, template-mismatch (422)",
    body: MessageCreateSchema,
    idempotent: true,
    response: { status: 201, schema: MessageSchema, description: 'The stored message' },
  },
  'messages-list': {
    summary: "The customer's messages, newest first, filtered by contact, direction, status, channel and creation time",
    query: MessageListQuerySchema,
    response: { status: 200, schema: MessageListSchema, description: 'A page of messages' },
  },
  'messages-get': {
    summary: 'One message with its status timeline, error reason and price',
    response: { status: 200, schema: MessageSchema, description: 'The message' },
  },
  'messages-cancel': {
    summary: 'Cancel a scheduled message before its send time (409 message-not-cancelable once it is on its way)',
    response: { status: 200, schema: MessageSchema, description: 'The canceled message' },
  },
  'opt-outs-list': {
    summary: 'Contacts of the customer opted out now (of any channel, or of `channel`) with since and source, newest opt-out first',
    query: OptOutsQuerySchema,
    response: { status: 200, schema: OptOutListSchema, description: 'A page of opted-out contacts' },
  },
  'consent-get': {
    summary: "A contact's consent: the state enforced per channel and every ledger record (keywords, Twilio 21610 refusals, partner records with evidence), oldest first. `{phone}` is E.164, URL-encoded (`%2B14155550123`); a contact never seen is `unknown`",
    response: { status: 200, schema: ConsentViewSchema, description: "The contact's consent" },
  },
  'consent-record': {
    summary: 'Record a consent the partner captured (opt-in or opt-out, with evidence). Ordered by `evidence.capturedAt`; an opt-in after a handset STOP or a Twilio 21610 re-opens sending only with url, formText or ip. The same request twice is one record',
    body: ConsentRecordInputSchema,
    response: { status: 201, schema: ConsentRecordResultSchema, description: 'The contact as it stands, the record, and whether it decides the state (`applied`, else `reason`)' },
  },
  'templates-create': {
    summary:
      "Create a WhatsApp template in the customer's subaccount (Content API) and submit it for WhatsApp approval. The lint runs first: any error finding → 422 template-lint-failed with every one, and nothing reaches Twilio. The same request again returns (or finishes) the same template and never creates a second Content resource; the name is unique per customer and language (a taken name is a lint error). Needs the customer's subaccount (409 customer-not-ready)",
    body: TemplateCreateSchema,
    problems: { 422: 'template-lint-failed: the lint found errors (`errors` lists each with its field); nothing was sent to Twilio. unprocessable: Twilio refused the content' },
    response: { status: 201, schema: TemplateSchema, description: 'The template, submitted (status received) or as far as it got' },
  },
  'templates-lint': {
    summary:
      "Lint a WhatsApp template against Meta's review rules, creating nothing: name (lowercase, digits, underscores; not taken), variables ({{1}}… without gaps, not at the start or end of the body, not adjacent, not too dense, each with a sample), lengths (body 1024, header 60, footer 60, button text 25, URL 2000), buttons, media, link shorteners, category hints (promotional wording in UTILITY). Each finding names its field",
    body: TemplateCreateSchema,
    response: { status: 200, schema: LintReportSchema, description: 'The findings, errors first' },
  },
  'templates-list': {
    summary: "The customer's WhatsApp templates, newest first, filtered by status, category and language",
    query: TemplateListQuerySchema,
    response: { status: 200, schema: TemplateListSchema, description: 'A page of templates' },
  },
  'templates-get': {
    summary: 'One WhatsApp template: approval status, rejection reason, the category Meta bills it as (and whether Meta changed it), its versions. Kept current by a scheduled refresh and Twilio template events',
    response: { status: 200, schema: TemplateSchema, description: 'The template' },
  },
  'templates-delete': {
    summary: 'Delete a WhatsApp template: its Content resource at Twilio (one already gone counts as deleted), then the template and its name',
    response: { status: 204, schema: z.null(), description: 'Deleted' },
  },
  'templates-resubmit': {
    summary:
      'Resubmit a rejected template as a new version under a new name (a rejected name cannot be reused) with the fixed content; category, variables and content default to the rejected version’s. Linted like a create; the versions link both ways (previousVersionId, nextVersionId). 409 when it is not rejected or was already resubmitted with other content',
    body: TemplateResubmitSchema,
    problems: { 422: 'template-lint-failed: the lint found errors (`errors` lists each with its field); nothing was sent to Twilio. unprocessable: Twilio refused the content' },
    response: { status: 201, schema: TemplateSchema, description: 'The new version, submitted' },
  },
  'documents-create': {
    summary: `Upload a supporting document as multipart/form-data: \`file\` (PDF, PNG or JPEG, sniffed from its bytes; the declared type must agree; 1 byte to ${MAX_DOCUMENT_BYTES} bytes, 4 MB), \`type\`, optional \`purpose\` and \`registration\` (the customer's customer-profile, trust-product, brand or campaign, which must exist). A customer-profile or trust-product document is created at Twilio as a TrustHub SupportingDocument in the customer's subaccount and assigned to that bundle (\`twilio.status\` sent, with its RD… SID; failed with Twilio's reason when it refuses); brands and campaigns take no document at Twilio (not-required). TrustHub's API takes the document's record, not its bytes: the file stays here`,
    multipart: DocumentUploadSchema,
    problems: {
      413: 'document-too-large: the file is over 4 MB (`errors` names body.file)',
      415: 'unsupported-document-type: the bytes are not a PDF, PNG or JPEG, or not the type the part declared (`errors` names body.file); unsupported-media-type: the body is not multipart/form-data',
      422: 'empty-document: the file has no bytes (body.file); unprocessable: the customer has no such registration yet (body.registration)',
    },
    response: { status: 201, schema: DocumentSchema, description: 'The document with its Twilio hand-off' },
  },
  'documents-list': {
    summary: "The customer's supporting documents, newest first",
    query: DocumentListQuerySchema,
    response: { status: 200, schema: DocumentListSchema, description: 'A page of documents' },
  },
  'documents-get': {
    summary: "One supporting document's metadata: sniffed type, size, SHA-256, linked registration and Twilio hand-off",
    response: { status: 200, schema: DocumentSchema, description: 'The document' },
  },
  'documents-content': {
    summary: 'The document\'s bytes, as an attachment (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`) with the type sniffed at upload',
    response: { status: 200, schema: z.string(), description: 'The file', binary: ['application/pdf', 'image/png', 'image/jpeg'] },
  },
  'documents-delete': {
    summary: 'Delete a supporting document: its metadata, then its bytes (a copy handed to Twilio stays in its TrustHub bundle)',
    response: { status: 204, schema: z.null(), description: 'Deleted' },
  },
  'webhook-endpoints-create': {
    summary:
      'Register a webhook endpoint: every event of the partner log whose type it takes is POSTed to it, signed per Standard Webhooks. The URL must pass the SSRF guard (422 webhook-url-refused names the rule); the signing secret is in this response only. At most 20 per partner (409)',
    body: WebhookEndpointCreateSchema,
    response: { status: 201, schema: WebhookEndpointCreatedSchema, description: 'The endpoint and its signing secret (shown once)' },
  },
  'webhook-endpoints-list': {
    summary: "The partner's webhook endpoints with their health, oldest first",
    query: WebhookListQuerySchema,
    response: { status: 200, schema: WebhookEndpointListSchema, description: 'A page of endpoints' },
  },
  'webhook-endpoints-get': {
    summary: 'One webhook endpoint: what it takes, whether it is enabled (and why not), its failure run and rotation window; never its secret',
    response: { status: 200, schema: WebhookEndpointSchema, description: 'The endpoint' },
  },
  'webhook-endpoints-patch': {
    summary: 'Change the URL (checked again), event types, description or enabled. `enabled: true` re-enables an endpoint disabled by 410 Gone or 5 days of failures',
    body: WebhookEndpointPatchSchema,
    response: { status: 200, schema: WebhookEndpointSchema, description: 'The endpoint' },
  },
  'webhook-endpoints-delete': {
    summary: 'Delete a webhook endpoint; deliveries queued for it are dropped',
    response: { status: 204, schema: z.null(), description: 'Deleted' },
  },
  'webhook-endpoints-rotate-secret': {
    summary: 'A new signing secret (in this response only). Until `previousSecretExpiresAt` deliveries carry both signatures (`v1,<old> v1,<new>`), so receivers can switch without losing an event',
    body: RotateSecretSchema,
    response: { status: 200, schema: RotatedSecretSchema, description: 'The new secret and the end of the overlap' },
  },
  'webhook-endpoints-test': {
    summary: 'Send a `webhook_endpoint.test` delivery to this endpoint now (retried like any delivery; see its deliveries). 409 when the endpoint is disabled',
    response: { status: 202, schema: TestDeliverySchema, description: 'Queued' },
  },
  'webhook-endpoints-deliveries': {
    summary: 'Every delivery attempt to the endpoint, newest first: event, attempt number, origin, response status, duration, error and the next attempt',
    query: WebhookListQuerySchema,
    response: { status: 200, schema: DeliveryAttemptListSchema, description: 'A page of attempts' },
  },
  'webhook-endpoints-replay': {
    summary: 'Re-send every event after `after` (a cursor of GET /v1/events) up to the newest now, in log order, at most 50 a second; the recovery after an outage. 409 when the endpoint is disabled',
    body: ReplaySchema,
    response: { status: 202, schema: ReplayResultSchema, description: 'The replay is running' },
  },
  'status-get': {
    summary:
      "The partner's operational status: onboarding counts with the most recent runs in flight (the step they are at, since when) and failed (the step they stopped at); the depth and oldest message's age of the platform's queues and dead-letter queues (no contents); refused Twilio webhooks of the last 24 hours that named a subaccount of one of its customers, by customer with the last reason. 404 for a customer's portal session",
    response: { status: 200, schema: PartnerStatusSchema, description: 'The status now' },
  },
  'events-redeliver': {
    summary: 'Deliver one event of the log again: to `endpointId`, or to every enabled endpoint that takes its type (409 when none does)',
    body: RedeliverSchema,
    response: { status: 202, schema: RedeliverResultSchema, description: 'Queued for these endpoints' },
  },
  'openapi-get': {
    summary: 'This OpenAPI document',
    response: { status: 200, schema: z.object({}).loose(), description: 'OpenAPI 3.1 document' },
  },
  'customers-create': {
    summary: 'Create a customer',
    body: CustomerCreateSchema,
    idempotent: true,
    response: { status: 201, schema: CustomerSchema, description: 'The created customer' },
  },
  'customers-list': {
    summary: 'List customers, newest first',
    query: ListQuerySchema,
    response: { status: 200, schema: CustomerListSchema, description: 'A page of customers' },
  },
  'customers-get': {
    summary: 'Get a customer',
    response: { status: 200, schema: CustomerSchema, description: 'The customer' },
  },
  'customers-usage': {
    summary: "The customer's usage in a calendar month (UTC): messages and segments by channel and direction, numbers held, A2P registration fees and Twilio's own usage records of its subaccount, side by side",
    query: UsageQuerySchema,
    response: { status: 200, schema: UsageSchema, description: 'The month of usage' },
  },
  'customers-portal-sessions-create': {
    summary:
      'Create a single-use portal link for the customer (scope customer): `url` opens a browser session confined to this customer, shown only in this answer. `expiresIn` (60 to 86400 s, default 3600) is how long the link can be opened and how long the session it opens lasts. A closed customer gets a link too: its portal reads, and every change is refused as for the API. API key only (403 api-key-required for a portal session)',
    body: PortalSessionRequestSchema,
    problems: { 403: 'Called with a portal session (api-key-required)' },
    response: { status: 201, schema: PortalSessionSchema, description: 'The link, with its token (shown once)' },
  },
  'portal-sessions-create': {
    summary: "Create a single-use portal link for the partner itself (scope partner): the session it opens reaches everything the partner's API key does, except creating and revoking portal sessions. Same body as the customer's",
    body: PortalSessionRequestSchema,
    problems: { 403: 'Called with a portal session (api-key-required)' },
    response: { status: 201, schema: PortalSessionSchema, description: 'The link, with its token (shown once)' },
  },
  'portal-sessions-current': {
    summary: 'The portal session of the calling cookie: scope, customer, partner name, expiry and return URL (404 with an API key)',
    response: { status: 200, schema: CurrentPortalSessionSchema, description: 'The current session' },
  },
  'portal-sessions-delete': {
    summary: "Revoke one of the partner's portal links and the session it opened (a link not yet opened can no longer be); 204, a foreign or unknown id is 404",
    problems: { 403: 'Called with a portal session (api-key-required)' },
    response: { status: 204, schema: z.null(), description: 'Revoked' },
  },
  'portal-link-open': {
    summary:
      'Open a portal link (no API key): 303 to /portal/ with the HttpOnly session cookie sb_portal and the CSRF cookie sb_csrf (Secure over https). An unknown token is 404; a used or expired one 410 portal-link-gone, and nothing is created. A browser (Accept preferring text/html) gets the 410 as a page saying to ask for a new link',
    problems: { 410: 'The link was used or has expired (portal-link-gone; a text/html page when Accept prefers it)' },
    response: { status: 303, schema: z.null(), description: 'Redirect to the portal with the session cookies' },
  },
  'portal-logout': {
    summary: 'End the portal session of the calling cookie (if it still works) and clear both cookies; 204 in every case',
    response: { status: 204, schema: z.null(), description: 'Logged out' },
  },
  'customers-patch': {
    summary: 'Update mutable fields of a customer (top-level fields are replaced whole)',
    body: CustomerPatchSchema,
    response: { status: 200, schema: CustomerSchema, description: 'The updated customer' },
  },
  'customers-delete': {
    summary:
      "Erase a customer after its subaccount's close (409 customer-not-closed before): its record, registration, numbers, messages, WhatsApp senders and templates, Twilio's registration events and its encrypted subaccount token are deleted; its contacts' consent ledger (each opt-in and opt-out with its evidence) is kept, as the law asks a business to keep proof of consent. 204 when done, with a customer.deleted event; 202 with status erasing when a large customer needs more time (call again: each call continues where the last stopped)",
    response: { status: 204, schema: z.null(), description: 'Erased' },
  },
  'events-list': {
    summary: 'Read the partner event log in order (page with `after` = `nextCursor`; poll later with `after` = `pollCursor`)',
    query: EventsQuerySchema,
    response: { status: 200, schema: PartnerEventPageSchema, description: 'Events after the cursor, oldest first' },
  },
  'subaccount-create': {
    summary: "Create the customer's Twilio subaccount (201; a repeat call returns the same one with 200)",
    response: { status: 201, schema: SubaccountSchema, description: 'The subaccount, without secrets' },
  },
  'subaccount-get': {
    summary: "Get the customer's Twilio subaccount",
    response: { status: 200, schema: SubaccountSchema, description: 'The subaccount, without secrets' },
  },
  'subaccount-suspend': {
    summary: 'Suspend the subaccount on Twilio (the customer becomes suspended)',
    response: { status: 200, schema: SubaccountSchema, description: 'The suspended subaccount' },
  },
  'subaccount-reactivate': {
    summary: 'Reactivate a suspended subaccount',
    response: { status: 200, schema: SubaccountSchema, description: 'The active subaccount' },
  },
  'subaccount-close': {
    summary:
      "Close the customer for good: it is marked closed (every change to it answers 409 customer-closed from then on; reads keep working), its WhatsApp senders are deleted at Twilio (a whatsapp_sender.updated event each), its numbers are detached from the messaging service and released with Twilio (a number.updated event each), then the subaccount is closed on Twilio (subaccount.closed); a suspended one is reactivated on Twilio first, only to release its numbers. A close that failed halfway is finished by calling it again; a running onboarding ends with its step failed (customer-closed) and the timeline shows closed",
    response: { status: 200, schema: SubaccountSchema, description: 'The closed subaccount' },
  },
  'whatsapp-senders-create': {
    summary:
      "Register one of the customer's numbers (a Twilio number of its subaccount, or its own number that can receive an SMS or a voice call) as a WhatsApp sender under the WABA the customer created in Meta's Embedded Signup (`wabaId`). Switchboard calls Twilio's Senders API with the customer's subaccount credentials and its own inbound and status webhooks. 202 with the sender (CREATING, then PENDING_VERIFICATION for a number that gets a code, VERIFYING, TWILIO_REVIEW, ONLINE); the same registration again answers 200 with it and never creates a second one. 409 when the customer has no messaging service yet (onboard it first), or the number is a sender already (another WABA, or another customer)",
    body: WhatsAppSenderCreateSchema,
    response: { status: 202, schema: WhatsAppSenderSchema, description: 'The sender and where its registration stands' },
  },
  'whatsapp-senders-list': {
    summary: "The customer's WhatsApp senders, oldest first, with their status (kept current by a refresh every minute)",
    query: PageQuerySchema,
    response: { status: 200, schema: WhatsAppSenderListSchema, description: 'A page of senders' },
  },
  'whatsapp-senders-embedded-signup': {
    summary:
      "How to get the customer's WABA id for a sender: with the platform's Meta app configured (META_APP_ID, META_EMBEDDED_SIGNUP_CONFIG_ID), the ids to run Meta's Embedded Signup with (FB.init, then FB.login with config_id; the WA_EMBEDDED_SIGNUP FINISH message carries waba_id and phone_number_id); without one, `simulated`: the Twilio sandbox accepts any numeric WABA id",
    response: { status: 200, schema: EmbeddedSignupConfigSchema, description: 'Meta or simulated' },
  },
  'whatsapp-senders-get': {
    summary: 'One WhatsApp sender: status, offline reasons (e.g. 63020: the business has not accepted the WABA invitation), quality rating, messaging limit and whether it is in the messaging service',
    response: { status: 200, schema: WhatsAppSenderSchema, description: 'The sender' },
  },
  'whatsapp-senders-verify': {
    summary: 'Submit the code Meta sent the number by SMS or voice call; only while the sender is PENDING_VERIFICATION (409 otherwise). A wrong code is Twilio\'s refusal (422 twilio-rejected) and the sender keeps waiting',
    body: WhatsAppVerificationSchema,
    response: { status: 200, schema: WhatsAppSenderSchema, description: 'The sender, VERIFYING' },
  },
  'whatsapp-senders-patch': {
    summary: 'Change business profile fields (an ONLINE sender goes ONLINE:UPDATING until Meta has them) and/or point its webhooks at the receivers again, with an optional fallback URL',
    body: WhatsAppSenderPatchSchema,
    response: { status: 200, schema: WhatsAppSenderSchema, description: 'The sender' },
  },
  'whatsapp-senders-delete': {
    summary: 'Delete a WhatsApp sender: detached from the messaging service, deleted at Twilio, its number free to register again (a whatsapp_sender.updated event with DELETED)',
    response: { status: 204, schema: z.null(), description: 'Deleted' },
  },
  'brands-create': {
    summary: "Register the customer's A2P brand: subaccount, customer profile, trust product, brand (202; usually waiting for review)",
    body: BrandOptionsSchema,
    response: { status: 202, schema: BrandViewSchema, description: 'The brand and where its registration stands; `errors` name the customer fields to fix' },
  },
  'brands-list': {
    summary: "The customer's brand (at most one) with its registration state",
    query: PageQuerySchema,
    response: { status: 200, schema: listOf(BrandViewSchema), description: 'The brand, if registration has started' },
  },
  'brands-resubmit': {
    summary: 'Resubmit a FAILED brand after fixing the customer (PATCH /v1/customers/{id}); the same brand is reviewed again',
    response: { status: 202, schema: BrandViewSchema, description: 'The brand, waiting for review again' },
  },
  'campaigns-create': {
    summary: "Submit the customer's A2P campaign once the brand is approved; content is checked against Twilio's limits first. A failed campaign is replaced by posting again",
    body: CampaignOptionsSchema,
    response: { status: 202, schema: CampaignViewSchema, description: 'The campaign, usually waiting for vetting' },
  },
  'campaigns-list': {
    summary: "The customer's campaign with its vetting state",
    query: PageQuerySchema,
    response: { status: 200, schema: listOf(CampaignViewSchema), description: 'The campaign, if submitted' },
  },
  'numbers-create': {
    summary: 'Buy numbers until the customer holds `count`; each number belongs to one customer platform-wide. Numbers join the messaging service once the campaign is verified',
    body: NumberOptionsSchema,
    response: { status: 200, schema: z.object({ data: z.array(NumberViewSchema) }), description: "All the customer's numbers" },
  },
  'numbers-list': {
    summary: "The customer's numbers and their carrier registration state",
    query: PageQuerySchema,
    response: { status: 200, schema: listOf(NumberViewSchema), description: "The customer's numbers" },
  },
  'numbers-delete': {
    summary: 'Release a number (its PN… id from the list): detached from the messaging service, released on Twilio, freed platform-wide',
    response: { status: 204, schema: z.null(), description: 'Released' },
  },
};

type JsonSchema = Record<string, unknown>;

/** What a receiver gets for an event of `type`: the Standard Webhooks payload (the log's `occurredAt` is `timestamp`). */
const deliveryBodySchema = (type: string, data: z.ZodType) =>
  z.object({
    type: z.literal(type),
    timestamp: z.iso.datetime({ offset: true }).describe('When the event happened'),
    customerId: z.string().optional().describe('The customer the event is about, when there is one'),
    data,
  });

const WEBHOOK_HEADERS = [
  { name: 'webhook-id', description: 'The event id: the same on every attempt and redelivery (deduplicate on it)' },
  { name: 'webhook-timestamp', description: 'Unix seconds of this attempt; refuse a delivery more than 5 minutes off your clock' },
  { name: 'webhook-signature', description: '`v1,<base64 HMAC-SHA256 of id.timestamp.body>` per live secret, space-separated (two during a rotation)' },
].map(({ name, description }) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } }));

/** OpenAPI 3.1 `webhooks`: one per event type, and the test event, as POSTed to a partner endpoint. */
function webhooksSection(): Record<string, JsonSchema> {
  const types: Array<[string, z.ZodType]> = [...PARTNER_EVENT_TYPES.map((type) => [type, EVENT_DATA_SCHEMAS[type]] as [string, z.ZodType]), [WEBHOOK_TEST_EVENT_TYPE, WebhookEndpointTestDataSchema]];
  return Object.fromEntries(
    types.map(([type, data]) => [
      type,
      {
        post: {
          summary: data.description ?? type,
          parameters: WEBHOOK_HEADERS,
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(deliveryBodySchema(type, data), 'output') } } },
          responses: {
            '2XX': { description: 'Received. Any other answer is retried (5xx, 429 with Retry-After, timeouts after 10 s, other 4xx); 410 Gone disables the endpoint' },
          },
        },
      },
    ]),
  );
}

/** Components referenced wherever they appear inside another schema: the partner event and each of its types. */
const REFERENCED = new Map<unknown, string>(Object.entries(PARTNER_EVENT_COMPONENTS).map(([name, schema]) => [schema, name]));

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) straight from zod; requests as input, responses as output. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const override = ({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
    const name = zodSchema === schema ? undefined : REFERENCED.get(zodSchema);
    if (!name) return;
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    jsonSchema.$ref = `#/components/schemas/${name}`;
  };
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', override }) as JsonSchema;
  return json;
}

const NAMED: Record<string, z.ZodType> = { Customer: CustomerSchema, Subaccount: SubaccountSchema, Problem: ProblemSchema, ...PARTNER_EVENT_COMPONENTS };
const ref = (name: keyof typeof NAMED) => ({ $ref: `#/components/schemas/${name}` });

function responseSchema(schema: z.ZodType): JsonSchema {
  for (const [name, named] of Object.entries(NAMED)) if (named === schema) return ref(name);
  return schemaOf(schema, 'output');
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

function pathParamsOf(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

function queryParameters(query: z.ZodObject): JsonSchema[] {
  const json = schemaOf(query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema,
  }));
}

/**
 * What the document needs of a route: the catalog's API entries have this shape. The routes are
 * handed in, so this service-layer module does not depend on the infrastructure's catalog.
 */
export interface DocumentedRoute {
  id: string;
  trigger: { method: string; path: string; auth: 'partner' | 'none' };
}

/** A route that changes a customer, which a closed customer refuses (409 customer-closed). */
const changesCustomer = ({ trigger }: DocumentedRoute) => trigger.method !== 'GET' && trigger.path.startsWith('/v1/customers/{id}');

function operation(route: DocumentedRoute, doc: RouteDoc): JsonSchema {
  const { path, auth } = route.trigger;
  const responses: Record<string, unknown> = {
    [doc.response.status]: {
      description: doc.response.description,
      content: doc.response.binary
        ? Object.fromEntries(doc.response.binary.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }]))
        : { 'application/json': { schema: responseSchema(doc.response.schema) } },
    },
    400: problem('Invalid request; `errors` names each field at fault'),
    404: problem('Not found (also for ids of other partners)'),
    405: problem('Method not allowed on this path'),
    409: problem(
      changesCustomer(route)
        ? 'customer-closed: the customer is closed and cannot change any more; or another conflict with the current state (e.g. a concurrent change)'
        : 'Conflicts with the current state (e.g. a concurrent change)',
    ),
    429: problem('Too many requests for this partner'),
    503: problem('A service the platform depends on is unavailable (service-unavailable, twilio-unavailable); retry after `Retry-After`'),
  };
  if (auth === 'partner') {
    responses[401] = problem('Missing, invalid or revoked API key');
    responses[403] = problem('partner-suspended: the key is valid, its partner is suspended');
  }
  if (doc.body) {
    responses[413] = problem('Body over 256 KB');
    responses[415] = problem('Content-Type is not application/json');
  }
  if (doc.multipart) responses[415] = problem('Content-Type is not multipart/form-data');
  if (doc.idempotent) responses[422] = problem('Idempotency-Key reused with a different body');
  for (const [status, description] of Object.entries(doc.problems ?? {})) responses[status] = problem(description);
  const parameters: JsonSchema[] = [
    ...pathParamsOf(path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(doc.query ? queryParameters(doc.query) : []),
    ...(doc.idempotent
      ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Replays return the first response for 24 h', schema: { type: 'string', maxLength: 255 } }]
      : []),
  ];
  return {
    operationId: route.id,
    summary: doc.summary,
    security: auth === 'partner' ? [{ apiKey: [] }] : [],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(doc.body, 'input') } } } } : {}),
    ...(doc.multipart
      ? {
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: { ...schemaOf(doc.multipart, 'input'), properties: { ...(schemaOf(doc.multipart, 'input').properties as object), file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file: PDF, PNG or JPEG' } } },
                encoding: { file: { contentType: 'application/pdf, image/png, image/jpeg' } },
              },
            },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: readonly DocumentedRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const doc = ROUTE_DOCS[route.id];
    if (!doc) throw new Error(`No OpenAPI documentation for catalog route ${route.id}`);
    (paths[route.trigger.path] ??= {})[route.trigger.method.toLowerCase()] = operation(route, doc);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: '1.0.0',
      description: 'Put business customers on SMS and WhatsApp: subaccounts, A2P 10DLC registration, numbers, messaging.',
    },
    servers: [{ url: '/' }],
    paths,
    webhooks: webhooksSection(),
    components: {
      schemas: Object.fromEntries(Object.entries(NAMED).map(([name, schema]) => [name, schemaOf(schema, 'output')])),
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Partner API key: `Authorization: Bearer sb_live_…`' },
      },
    },
  };
}
