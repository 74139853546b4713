import { ConflictError, NotFoundError } from '../../shared/domain/errors';
import { MAX_ACTIVE_KEYS, type Partner } from '../../shared/domain/partner';
import type { Clock, IdGenerator } from '../../shared/services/support';
import type { CustomerRecord, CustomerRepository } from '../../shared/store/customers';
import type { PartnerRepository, StoredApiKey } from '../../shared/store/partners';

/** A clock that only moves when told to. */
export function fixedClock(start = '2026-01-01T00:00:00.000Z'): Clock & { advance(ms: number): void } {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

/** Sequential ids in the same shape as production (prefix + 26-char Crockford ULID). */
export function sequentialIds(): IdGenerator {
  let n = 0;
  return (prefix) => `${prefix}_${String(++n).padStart(26, '0')}`;
}

/** In-memory customer repository with the same contract as the DynamoDB one (ordering, ownership, versions). */
export function fakeCustomerRepository(): CustomerRepository & { rows: Map<string, CustomerRecord> } {
  const rows = new Map<string, CustomerRecord>();
  const key = (partnerId: string, id: string) => `${partnerId}/${id}`;
  return {
    rows,
    async create(c) {
      if (rows.has(key(c.partnerId, c.id))) throw new ConflictError('exists');
      rows.set(key(c.partnerId, c.id), structuredClone(c));
    },
    async get(partnerId, id) {
      const found = rows.get(key(partnerId, id));
      return found && structuredClone(found);
    },
    async list(partnerId, wanted, afterId) {
      const mine = [...rows.values()].filter((c) => c.partnerId === partnerId && (!afterId || c.id < afterId)).sort((a, b) => (a.id < b.id ? 1 : -1));
      return structuredClone(mine.slice(0, wanted));
    },
    async replace(c, expectedVersion) {
      const current = rows.get(key(c.partnerId, c.id));
      if (!current || current.version !== expectedVersion) throw new ConflictError('changed concurrently');
      rows.set(key(c.partnerId, c.id), structuredClone(c));
    },
  };
}

export function fakePartnerRepository(): PartnerRepository & { partners: Map<string, Partner>; keys: Map<string, StoredApiKey>; reads: number } {
  const partners = new Map<string, Partner>();
  const keys = new Map<string, StoredApiKey>();
  const repo = {
    partners,
    keys,
    reads: 0,
    async create(p: Partner) {
      partners.set(p.id, { ...p });
    },
    async get(id: string) {
      repo.reads++;
      const p = partners.get(id);
      return p && { ...p };
    },
    async setStatus(id: string, status: Partner['status'], at: string) {
      const p = partners.get(id);
      if (!p) throw new NotFoundError('missing');
      Object.assign(p, { status, updatedAt: at });
      return { ...p };
    },
    async list(wanted: number, afterId?: string) {
      return [...partners.values()]
        .filter((p) => !afterId || p.id > afterId)
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, wanted)
        .map(({ id, name, status, createdAt }) => ({ id, name, status, createdAt }));
    },
    async addKey(k: StoredApiKey) {
      const p = partners.get(k.partnerId);
      if (!p || p.activeKeyCount >= MAX_ACTIVE_KEYS) throw new ConflictError('limit');
      p.activeKeyCount++;
      keys.set(k.hash, { ...k });
    },
    async findKeyByHash(hash: string) {
      repo.reads++;
      const k = keys.get(hash);
      return k && { ...k };
    },
    async listKeys(partnerId: string) {
      return [...keys.values()].filter((k) => k.partnerId === partnerId).map((k) => ({ ...k }));
    },
    async revokeKey(k: StoredApiKey, at: string) {
      const stored = keys.get(k.hash);
      if (!stored || stored.status !== 'active') throw new ConflictError('already revoked');
      Object.assign(stored, { status: 'revoked', revokedAt: at });
      partners.get(k.partnerId)!.activeKeyCount--;
    },
  };
  return repo;
}
