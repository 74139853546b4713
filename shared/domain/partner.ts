import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A partner is a tenant of the platform: an integration of the ISV that calls the REST API. */
export const PARTNER_STATUSES = ['active', 'suspended'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** Two keys may be active at once so a partner can rotate without downtime. */
export const MAX_ACTIVE_KEYS = 2;

export interface Partner {
  id: string;
  name: string;
  status: PartnerStatus;
  activeKeyCount: number;
  createdAt: string;
  updatedAt: string;
}

/** What the operator's partner list shows of each partner. */
export type PartnerSummary = Pick<Partner, 'id' | 'name' | 'status' | 'createdAt'>;

export interface ApiKey {
  id: string;
  partnerId: string;
  /** The readable start of the key (e.g. `sb_live_a1B2c3`), enough to tell keys apart; never the secret part. */
  prefix: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt?: string;
}

/**
 * A partner name, trimmed, 1–100 characters; undefined when not valid. Plain code rather than a
 * schema: the authorizer loads this module and must not carry a validation library it never uses.
 */
export function normalizePartnerName(name: string): string | undefined {
  const trimmed = name.trim();
  return trimmed.length >= 1 && trimmed.length <= 100 ? trimmed : undefined;
}

const KEY_BYTES = 32;
const VISIBLE_SECRET_CHARS = 6;

/** A new API key: 256 bits from the CSPRNG, base64url, after a readable prefix. */
export function generateApiKey(prefix: string): { key: string; hash: string; displayPrefix: string } {
  const key = prefix + randomBytes(KEY_BYTES).toString('base64url');
  return { key, hash: hashApiKey(key), displayPrefix: key.slice(0, prefix.length + VISIBLE_SECRET_CHARS) };
}

/** Keys are stored and looked up only as their SHA-256; a leaked table does not leak usable keys. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests (defence in depth behind the hash lookup). */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Cheap shape check before any I/O: a string that cannot be a key is rejected without a table read. */
export const API_KEY_PATTERN = /^[a-z]+_[a-z]+_[A-Za-z0-9_-]{43}$/;
