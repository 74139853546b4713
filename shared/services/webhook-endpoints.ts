import { ConflictError, NotFoundError, WebhookUrlRefusedError } from '../domain/errors';
import {
  WEBHOOK_TEST_EVENT_TYPE,
  type WebhookEndpoint,
  type WebhookEndpointCreate,
  type WebhookEndpointPatch,
} from '../domain/webhook-endpoint';
import { subscribes, webhookSecretContext, type DeliveryTask, type StoredWebhookEndpoint, type WebhookEndpointStore, type WebhookSecretContext } from '../partner-webhooks/contract';
import type { DeliveryQueues } from '../partner-webhooks/enqueue';
import { newSigningSecret } from '../partner-webhooks/signing';
import type { GuardResult } from '../partner-webhooks/url-guard';
import type { PartnerEventService } from './partner-events';
import { pager, type Page } from './page';
import { DELIVERY_LOG_POSITION } from '../store/webhook-endpoints';
import type { Clock, IdGenerator } from './support';

export interface WebhookEndpointServiceDeps {
  endpoints: WebhookEndpointStore;
  encrypt(plaintext: string, context: WebhookSecretContext): Promise<string>;
  events: Pick<PartnerEventService, 'get' | 'headCursor' | 'checkCursor'>;
  queues: Pick<DeliveryQueues, 'deliveries' | 'replay'>;
  /** The SSRF guard with the deployment's loopback setting (url-guard.ts). */
  guard(url: string): Promise<GuardResult>;
  clock: Clock;
  ids: IdGenerator;
  newSecret?: () => string;
}

/** Optimistic writes retried this often before a 409: deliveries mark the row too (disabling bumps its version). */
const WRITE_TRIES = 3;

/** The partner's view: no owner, no lock version, no ciphertext; a rotation shows only when the old secret stops signing. */
export function toWebhookEndpoint(endpoint: StoredWebhookEndpoint, now: Date): WebhookEndpoint {
  const { partnerId: _owner, version: _version, secrets, ...view } = endpoint;
  const previous = secrets.length > 1 ? secrets[0]!.expiresAt : undefined;
  return { ...view, ...(previous && Date.parse(previous) > now.getTime() ? { previousSecretExpiresAt: previous } : {}) };
}

const endpointPages = pager<StoredWebhookEndpoint>('webhook-endpoints', /^we_[0-9A-HJKMNP-TV-Z]{26}$/, (e) => e.id);
const deliveryPages = pager<string>('webhook-deliveries', DELIVERY_LOG_POSITION, (position) => position);

const disabledDetail = (endpoint: StoredWebhookEndpoint) =>
  `Webhook endpoint ${endpoint.id} is disabled (${endpoint.disabledReason ?? 'partner'}); enable it first with PATCH /v1/webhook-endpoints/${endpoint.id} {"enabled": true}`;

/**
 * Partner webhook endpoints: registration (URL through the SSRF guard, secret created and
 * encrypted under its own context, shown once), changes, rotation with an overlap window, and the
 * partner's delivery tools (test, redeliver, replay), which only queue work for the delivery
 * consumers: the API never calls a partner URL itself.
 */
export function webhookEndpointService(deps: WebhookEndpointServiceDeps) {
  const { endpoints, clock, ids, newSecret = newSigningSecret } = deps;

  async function require(partnerId: string, endpointId: string): Promise<StoredWebhookEndpoint> {
    const found = await endpoints.get(partnerId, endpointId);
    if (!found) throw new NotFoundError(`Webhook endpoint ${endpointId} not found`);
    return found;
  }
  async function requireEnabled(partnerId: string, endpointId: string): Promise<StoredWebhookEndpoint> {
    const endpoint = await require(partnerId, endpointId);
    if (!endpoint.enabled) throw new ConflictError(disabledDetail(endpoint));
    return endpoint;
  }

  async function requireAllowedUrl(url: string): Promise<void> {
    const verdict = await deps.guard(url);
    if (!verdict.ok) throw new WebhookUrlRefusedError(`The URL is refused (${verdict.rule}): ${verdict.detail}`, [{ field: 'body.url', message: verdict.detail }]);
  }

  /** Reads, changes and writes the row if nobody changed it meanwhile, a few times before giving up. */
  async function update(partnerId: string, endpointId: string, change: (current: StoredWebhookEndpoint, now: Date) => StoredWebhookEndpoint): Promise<StoredWebhookEndpoint> {
    for (let tries = 1; ; tries++) {
      const current = await require(partnerId, endpointId);
      const now = clock.now();
      const next = { ...change(current, now), updatedAt: now.toISOString(), version: current.version + 1 };
      if (await endpoints.replace(next, current.version)) return next;
      if (tries === WRITE_TRIES) throw new ConflictError(`Webhook endpoint ${endpointId} was changed concurrently; fetch it and retry`);
    }
  }

  const queueTo = (event: DeliveryTask['event'], origin: DeliveryTask['origin'], targets: StoredWebhookEndpoint[]) =>
    deps.queues.deliveries(targets.map((endpoint) => ({ task: { partnerId: endpoint.partnerId, endpointId: endpoint.id, event, attempt: 1, origin }, endpoint })));

  return {
    async create(partnerId: string, input: WebhookEndpointCreate): Promise<WebhookEndpoint & { secret: string }> {
      await requireAllowedUrl(input.url);
      const id = ids('we');
      const secret = newSecret();
      const now = clock.now().toISOString();
      const endpoint: StoredWebhookEndpoint = {
        partnerId,
        id,
        url: input.url,
        eventTypes: input.eventTypes,
        ...(input.description ? { description: input.description } : {}),
        enabled: input.enabled,
        ...(input.enabled ? {} : { disabledReason: 'partner' as const, disabledAt: now }),
        secrets: [{ ciphertext: await deps.encrypt(secret, webhookSecretContext(partnerId, id)), createdAt: now }],
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      try {
        await endpoints.create(endpoint);
      } catch (error) {
        if (error instanceof RangeError) throw new ConflictError(`${error.message}; delete one first`);
        throw error;
      }
      return { ...toWebhookEndpoint(endpoint, clock.now()), secret };
    },

    async get(partnerId: string, endpointId: string): Promise<WebhookEndpoint> {
      return toWebhookEndpoint(await require(partnerId, endpointId), clock.now());
    },

    /** Oldest first. A partner has at most 20 endpoints (one Query reads them all); the page is cut here. */
    async list(partnerId: string, limit: number, cursor?: string): Promise<Page<WebhookEndpoint>> {
      const scope = [partnerId];
      const after = endpointPages.after(cursor, scope);
      const all = (await endpoints.all(partnerId)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const { items, nextCursor } = endpointPages.pageOfAll(all, limit, after, scope);
      const now = clock.now();
      return { data: items.map((e) => toWebhookEndpoint(e, now)), nextCursor };
    },

    /**
     * A new URL is checked again. `enabled: true` re-enables an endpoint whatever disabled it and
     * starts its failure run afresh; `enabled: false` is the partner's own pause.
     */
    async patch(partnerId: string, endpointId: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
      if (patch.url !== undefined) await requireAllowedUrl(patch.url);
      const next = await update(partnerId, endpointId, (current, now) => {
        const { description: _d, disabledReason: _r, disabledAt: _a, failingSince: _f, ...rest } = current;
        const description = patch.description === null ? undefined : (patch.description ?? current.description);
        const enabled = patch.enabled ?? current.enabled;
        const disabled =
          enabled ? {} : current.enabled ? { disabledReason: 'partner' as const, disabledAt: now.toISOString() } : { disabledReason: current.disabledReason, disabledAt: current.disabledAt };
        const stillFailing = enabled && current.enabled && current.failingSince ? { failingSince: current.failingSince } : {};
        return {
          ...rest,
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.eventTypes !== undefined ? { eventTypes: patch.eventTypes } : {}),
          ...(description ? { description } : {}),
          enabled,
          ...disabled,
          ...stillFailing,
        };
      });
      return toWebhookEndpoint(next, clock.now());
    },

    /** Nothing more is delivered to it: queued and scheduled deliveries find it gone and are dropped. */
    async delete(partnerId: string, endpointId: string): Promise<void> {
      if (!(await endpoints.delete(partnerId, endpointId))) throw new NotFoundError(`Webhook endpoint ${endpointId} not found`);
    },

    /**
     * A new secret signs from now on; the current one keeps signing beside it for `overlapSeconds`.
     * At most two secrets live: a rotation during another's overlap ends the older secret's window.
     * (Delivery functions reuse an endpoint read for up to a second, so the very next deliveries may
     * still carry only the secrets from before.)
     */
    async rotateSecret(partnerId: string, endpointId: string, overlapSeconds: number): Promise<{ secret: string; previousSecretExpiresAt: string }> {
      const secret = newSecret();
      const ciphertext = await deps.encrypt(secret, webhookSecretContext(partnerId, endpointId));
      let previousSecretExpiresAt = '';
      await update(partnerId, endpointId, (current, now) => {
        previousSecretExpiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString();
        const { expiresAt: _e, ...signing } = current.secrets.at(-1)!;
        return { ...current, secrets: [{ ...signing, expiresAt: previousSecretExpiresAt }, { ciphertext, createdAt: now.toISOString() }] };
      });
      return { secret, previousSecretExpiresAt };
    },

    /** A `webhook_endpoint.test` event to this endpoint only, queued at once (its retries are a normal delivery's). */
    async sendTest(partnerId: string, endpointId: string): Promise<{ eventId: string }> {
      const endpoint = await requireEnabled(partnerId, endpointId);
      const event = {
        id: ids('evt_test'),
        type: WEBHOOK_TEST_EVENT_TYPE,
        occurredAt: clock.now().toISOString(),
        data: { endpointId, message: 'A test delivery from Switchboard: this endpoint receives and verifies webhooks.' },
      };
      await queueTo(event, 'test', [endpoint]);
      return { eventId: event.id };
    },

    /** One event of the log again, to one endpoint or to every enabled endpoint that takes its type. */
    async redeliver(partnerId: string, eventId: string, endpointId?: string): Promise<{ eventId: string; endpointIds: string[] }> {
      const event = await deps.events.get(partnerId, eventId);
      if (!event) throw new NotFoundError(`Event ${eventId} not found`);
      let targets: StoredWebhookEndpoint[];
      if (endpointId !== undefined) {
        const endpoint = await requireEnabled(partnerId, endpointId);
        if (!subscribes(endpoint, event.type)) throw new ConflictError(`Webhook endpoint ${endpointId} does not take ${event.type} events; add the type to its eventTypes first`);
        targets = [endpoint];
      } else {
        targets = (await endpoints.all(partnerId)).filter((e) => e.enabled && subscribes(e, event.type));
        if (targets.length === 0) throw new ConflictError(`No enabled webhook endpoint takes ${event.type} events`);
      }
      await queueTo(event, 'redeliver', targets);
      return { eventId, endpointIds: targets.map((e) => e.id) };
    },

    /** Every event after `after` up to the log's head now, in order, paced by the replay consumer (replay.ts). */
    async replay(partnerId: string, endpointId: string, after: string): Promise<{ replayId: string; after: string; until: string }> {
      deps.events.checkCursor(after, 'body.after');
      await requireEnabled(partnerId, endpointId);
      const until = await deps.events.headCursor(partnerId);
      const replayId = ids('rpl');
      await deps.queues.replay({ partnerId, endpointId, replayId, after, until, sent: 0 });
      return { replayId, after, until };
    },

    /** Newest first; the store reads one row more than the page could need and says where the next page starts. */
    async deliveries(partnerId: string, endpointId: string, limit: number, cursor?: string) {
      const scope = [partnerId, endpointId];
      const after = deliveryPages.after(cursor, scope);
      await require(partnerId, endpointId);
      const page = await endpoints.attempts(partnerId, endpointId, after, limit);
      return { data: page.data.map(({ partnerId: _p, endpointId: _e, ...attempt }) => attempt), nextCursor: deliveryPages.continueAfter(page.next ?? undefined, scope) };
    },
  };
}

export type WebhookEndpointService = ReturnType<typeof webhookEndpointService>;
