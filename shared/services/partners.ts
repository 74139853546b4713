import { ConflictError, NotFoundError, PartnerSuspendedError, UnauthorizedError, ValidationError } from '../domain/errors';
import {
  API_KEY_PATTERN,
  normalizePartnerName,
  generateApiKey,
  hashApiKey,
  sameHash,
  type ApiKey,
  type Partner,
  type PartnerStatus,
  type PartnerSummary,
} from '../domain/partner';
import type { PartnerRepository, StoredApiKey } from '../store/partners';
import { pager, type Page } from './page';
import type { Clock, IdGenerator } from './support';

export interface PartnerServiceDeps {
  partners: PartnerRepository;
  clock: Clock;
  ids: IdGenerator;
  keyPrefix: string;
}

/** The secret is returned here and nowhere else: it is shown to the operator exactly once. */
export interface IssuedKey {
  key: ApiKey;
  secret: string;
}

export interface AuthenticatedPartner {
  partnerId: string;
  keyId: string;
}

const publicKey = ({ hash: _hash, ...key }: StoredApiKey): ApiKey => key;

/** The operator's partner list, oldest first (ids are ULIDs); one list for the whole platform. */
const partnerPages = pager<PartnerSummary>('partners', /^ptn_[0-9A-HJKMNP-TV-Z]{26}$/, (p) => p.id);
const PLATFORM: readonly string[] = [];

export function partnerService({ partners, clock, ids, keyPrefix }: PartnerServiceDeps) {
  async function requirePartner(partnerId: string): Promise<Partner> {
    const partner = await partners.get(partnerId);
    if (!partner) throw new NotFoundError(`Partner ${partnerId} not found`);
    return partner;
  }

  return {
    async create(name: string): Promise<Partner> {
      const validName = normalizePartnerName(name);
      if (!validName) throw new ValidationError('Partner name is not valid', [{ field: 'name', message: 'must be 1–100 characters' }]);
      const now = clock.now().toISOString();
      const partner: Partner = { id: ids('ptn'), name: validName, status: 'active', activeKeyCount: 0, createdAt: now, updatedAt: now };
      await partners.create(partner);
      return partner;
    },

    get: requirePartner,

    async setStatus(partnerId: string, status: PartnerStatus): Promise<Partner> {
      return partners.setStatus(partnerId, status, clock.now().toISOString());
    },

    /** A page of every partner (id, name, status, createdAt); `cursor` is the `nextCursor` of the previous page. */
    async list(limit: number, cursor?: string): Promise<Page<PartnerSummary>> {
      const read = await partners.list(limit + 1, partnerPages.after(cursor, PLATFORM));
      const { items, nextCursor } = partnerPages.page(read, limit, PLATFORM);
      return { data: items, nextCursor };
    },

    async issueKey(partnerId: string): Promise<IssuedKey> {
      const partner = await requirePartner(partnerId);
      if (partner.status !== 'active') throw new ConflictError(`Partner ${partnerId} is ${partner.status}: reactivate it (partners reactivate --id ${partnerId}) before issuing keys`);
      const { key: secret, hash, displayPrefix } = generateApiKey(keyPrefix);
      const stored: StoredApiKey = {
        id: ids('key'),
        partnerId,
        prefix: displayPrefix,
        status: 'active',
        createdAt: clock.now().toISOString(),
        hash,
      };
      await partners.addKey(stored);
      return { key: publicKey(stored), secret };
    },

    async listKeys(partnerId: string): Promise<ApiKey[]> {
      await requirePartner(partnerId);
      return (await partners.listKeys(partnerId)).map(publicKey);
    },

    async revokeKey(partnerId: string, keyId: string): Promise<ApiKey> {
      const key = (await partners.listKeys(partnerId)).find((k) => k.id === keyId);
      if (!key) throw new NotFoundError(`API key ${keyId} not found for partner ${partnerId}`);
      const at = clock.now().toISOString();
      await partners.revokeKey(key, at);
      return publicKey({ ...key, status: 'revoked', revokedAt: at });
    },

    /**
     * Primary course: shape check (no I/O for garbage), hash lookup, constant-time hash check,
     * key active, partner active. Every failure of the key is the same 401 so callers learn
     * nothing; a valid, active key of a suspended partner is told so (403), since its holder is
     * the partner itself.
     */
    async authenticate(presented: string | undefined): Promise<AuthenticatedPartner> {
      const refused = new UnauthorizedError('Missing or invalid API key');
      if (!presented || !API_KEY_PATTERN.test(presented)) throw refused;
      const hash = hashApiKey(presented);
      const key = await partners.findKeyByHash(hash);
      if (!key || !sameHash(key.hash, hash) || key.status !== 'active') throw refused;
      const partner = await partners.get(key.partnerId);
      if (!partner) throw refused;
      if (partner.status === 'suspended') throw new PartnerSuspendedError(`Partner ${partner.id} is suspended; contact the platform operator`);
      if (partner.status !== 'active') throw refused;
      return { partnerId: partner.id, keyId: key.id };
    },
  };
}

export type PartnerService = ReturnType<typeof partnerService>;
