import type { WebhookRefusalStore } from '../store/webhook-refusals';
import type { WebhookKind } from './envelope';
import type { RejectReason } from './receiver';
import type { WebhookTenant } from './tenants';

export interface RefusalRecorderOptions {
  readonly store: Pick<WebhookRefusalStore, 'add'>;
  readonly kind: WebhookKind;
  /** A tenant's refusals are written at most this often per warm receiver; those in between are added to the next write. */
  readonly flushMs?: number;
  /** Tenants remembered at most (the oldest is forgotten first, with any count not written yet). */
  readonly maxTenants?: number;
  readonly now?: () => number;
  /** A failed write is reported, never thrown: the refusal's answer does not depend on it. */
  readonly failed: (error: unknown) => void;
}

interface Pending {
  writtenAt: number;
  unwritten: number;
}

/**
 * Records refusals of requests that name a known subaccount, so that its partner can see them.
 * Only such requests reach it (the receiver calls it after the tenant lookup), so junk naming no
 * tenant costs no write; and a flood naming one costs one write per tenant per `flushMs` per
 * warm receiver, the rest counted in memory and added to the next write. The first refusal of a
 * quiet tenant is written at once, so one forged request is visible right away (counts held in
 * memory go to the hour of the write that carries them). What is written
 * is a count, the reason and the time: never the request, its signature or any token.
 */
export function createRefusalRecorder({ store, kind, flushMs = 60_000, maxTenants = 1000, now = Date.now, failed }: RefusalRecorderOptions) {
  const pending = new Map<string, Pending>();
  return async function refused(tenant: WebhookTenant, reason: RejectReason): Promise<void> {
    const at = now();
    const entry = pending.get(tenant.accountSid);
    if (entry && at - entry.writtenAt < flushMs) {
      entry.unwritten++;
      return;
    }
    const count = (entry?.unwritten ?? 0) + 1;
    pending.delete(tenant.accountSid);
    pending.set(tenant.accountSid, { writtenAt: at, unwritten: 0 });
    if (pending.size > maxTenants) pending.delete(pending.keys().next().value as string);
    try {
      await store.add({ partnerId: tenant.partnerId, customerId: tenant.customerId, webhook: kind, reason, at: new Date(at).toISOString(), count });
    } catch (error) {
      failed(error);
    }
  };
}
