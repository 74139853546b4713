import { ConflictError, NotFoundError, ValidationError } from '../../../shared/domain/errors';
import type { ApiKey, Partner, PartnerStatus } from '../../../shared/domain/partner';
import type { PartnerAdmin, UsageReader } from '../../../infra/cli/commands';
import type { ErrorBody } from '../../../infra/cli/errors';
import type { Output } from '../../../infra/cli/output';

export const PARTNER_ID = 'ptn_01HV5Y7S8N0Q3Z6W9B2C4D6F8G';
export const OTHER_KEY_ID = 'key_01HV5Y7S8N0Q3Z6W9B2C4D6F8X';
export const NOW = '2025-01-02T03:04:05.000Z';

/** Distinctive values so a leak is found by a plain substring search of everything printed. */
export const secretFor = (n: number) => `sb_test_SECRET${String(n).padStart(2, '0')}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`;
export const hashFor = (n: number) => `HASH${String(n).padStart(2, '0')}`.padEnd(64, 'f');

interface FakeKey extends ApiKey {
  hash: string;
}

/**
 * An in-memory partner service with the real one's observable behaviour (404 for unknown ids,
 * conflict on a second revoke). Its keys carry their hash on purpose, as the stored shape does,
 * so the tests prove the CLI prints by projection rather than by trusting its input.
 */
export function fakePartners(seed: Partner[] = []) {
  const partners = new Map(seed.map((p) => [p.id, { ...p }]));
  const keys: FakeKey[] = [];
  const calls: string[] = [];
  let issued = 0;

  function requirePartner(partnerId: string): Partner {
    const partner = partners.get(partnerId);
    if (!partner) throw new NotFoundError(`Partner ${partnerId} not found`);
    return partner;
  }

  const service: PartnerAdmin = {
    async create(name) {
      calls.push(`create ${name}`);
      const partner: Partner = { id: PARTNER_ID, name, status: 'active', activeKeyCount: 0, createdAt: NOW, updatedAt: NOW };
      partners.set(partner.id, partner);
      return { ...partner };
    },
    async get(partnerId) {
      calls.push(`get ${partnerId}`);
      return { ...requirePartner(partnerId) };
    },
    /** Pages in id order; its cursors are `after:<id>`, and anything else is refused as the real one refuses a foreign cursor. */
    async list(limit, cursor) {
      calls.push(`list ${limit}${cursor ? ` ${cursor}` : ''}`);
      if (cursor !== undefined && !/^after:ptn_/.test(cursor)) throw new ValidationError('cursor is not valid', [{ field: 'query.cursor', message: 'use the nextCursor of a previous page' }]);
      const after = cursor?.slice('after:'.length);
      const rest = [...partners.values()].filter((p) => !after || p.id > after).sort((a, b) => (a.id < b.id ? -1 : 1));
      const data = rest.slice(0, limit).map((p) => ({ ...p }));
      return { data, nextCursor: rest.length > limit ? `after:${data.at(-1)!.id}` : null };
    },
    async setStatus(partnerId, status: PartnerStatus) {
      calls.push(`setStatus ${partnerId} ${status}`);
      const partner = requirePartner(partnerId);
      partner.status = status;
      return { ...partner };
    },
    async issueKey(partnerId) {
      calls.push(`issueKey ${partnerId}`);
      const partner = requirePartner(partnerId);
      issued += 1;
      const key: FakeKey = {
        id: `key_01HV5Y7S8N0Q3Z6W9B2C4D6F${String(issued).padStart(2, '0')}`,
        partnerId,
        prefix: secretFor(issued).slice(0, 14),
        status: 'active',
        createdAt: NOW,
        hash: hashFor(issued),
      };
      keys.push(key);
      partner.activeKeyCount += 1;
      return { key: { ...key }, secret: secretFor(issued) };
    },
    async listKeys(partnerId) {
      calls.push(`listKeys ${partnerId}`);
      requirePartner(partnerId);
      return keys.filter((k) => k.partnerId === partnerId).map((k) => ({ ...k }));
    },
    async revokeKey(partnerId, keyId) {
      calls.push(`revokeKey ${partnerId} ${keyId}`);
      const key = keys.find((k) => k.id === keyId && k.partnerId === partnerId);
      if (!key) throw new NotFoundError(`API key ${keyId} not found for partner ${partnerId}`);
      if (key.status === 'revoked') throw new ConflictError(`API key ${keyId} is already revoked`);
      key.status = 'revoked';
      key.revokedAt = NOW;
      return { ...key };
    },
  };
  return { service, calls, keys };
}

export function activePartner(overrides: Partial<Partner> = {}): Partner {
  return { id: PARTNER_ID, name: 'Acme', status: 'active', activeKeyCount: 0, createdAt: NOW, updatedAt: NOW, ...overrides };
}

/** Captures what the CLI would write, as parsed JSON, plus everything as raw text for leak checks. */
export function recordingOutput() {
  const results: any[] = [];
  const errors: ErrorBody[] = [];
  const texts: string[] = [];
  const out: Output = {
    result: (value) => results.push(JSON.parse(JSON.stringify(value))),
    error: (body) => errors.push(body),
    text: (value) => texts.push(value),
  };
  const everything = () => JSON.stringify({ results, errors, texts });
  return { out, results, errors, texts, everything };
}

/** For runs of partner commands only: the dlq, onboarding and events commands must not connect. */
export const noOperations = async (): Promise<never> => {
  throw new Error('connectOperations was called for a partner command');
};

export const CUSTOMER_ID = 'cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8C';

/** The usage reads with the real service's refusals: a customer other than CUSTOMER_ID is 404, a month after March 2026 is 400. */
export function fakeUsage() {
  const calls: string[] = [];
  const service: UsageReader = {
    async monthly(partnerId, customerId, month) {
      calls.push(`monthly ${partnerId} ${customerId} ${month ?? '-'}`);
      if (customerId !== CUSTOMER_ID) throw new NotFoundError(`Customer ${customerId} not found`);
      const chosen = month ?? '2026-03';
      if (chosen > '2026-03') throw new ValidationError(`month ${chosen} is in the future`, [{ field: 'query.month', message: 'must be 2026-03 or earlier' }]);
      const zero = { messages: 0, segments: 0 };
      return {
        customerId, month: chosen, period: { start: `${chosen}-01T00:00:00.000Z`, end: '2026-04-01T00:00:00.000Z' },
        messages: { sms: { outbound: { messages: 3, segments: 6 }, inbound: zero }, whatsapp: { outbound: zero, inbound: zero } },
        numbers: { held: 0, items: [] }, registrationFees: { records: [], total: null, priceUnit: null }, twilio: { available: false, records: [] },
      };
    },
  };
  return { service, calls };
}
