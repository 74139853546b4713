import type { PortalSessionLink } from '../../shared/domain/portal-session';
import type { ApiKey, Partner, PartnerSummary } from '../../shared/domain/partner';
import type { UsageView } from '../../shared/domain/usage';
import type { TokenRotationResult } from '../../shared/services/token-rotation';

/**
 * What the CLI prints of partners and keys, field by field. Projections list what is shown rather
 * than strip what is not, so a field added to the stored shape later (a hash, a token) stays out
 * of the operator's terminal and scrollback unless someone decides to print it.
 */
export interface PartnerView {
  id: string;
  name: string;
  status: Partner['status'];
  activeKeyCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface KeyView {
  id: string;
  prefix: string;
  status: ApiKey['status'];
  createdAt: string;
  revokedAt?: string;
}

export function partnerView(partner: Partner): PartnerView {
  const { id, name, status, activeKeyCount, createdAt, updatedAt } = partner;
  return { id, name, status, activeKeyCount, createdAt, updatedAt };
}

/** A row of `partners list`. */
export interface PartnerListView {
  id: string;
  name: string;
  status: Partner['status'];
  createdAt: string;
}

export function partnerListView(partner: PartnerSummary): PartnerListView {
  const { id, name, status, createdAt } = partner;
  return { id, name, status, createdAt };
}

export function keyView(key: ApiKey): KeyView {
  const { id, prefix, status, createdAt, revokedAt } = key;
  return { id, prefix, status, createdAt, ...(revokedAt ? { revokedAt } : {}) };
}

export const SECRET_WARNING =
  'This is the only time the secret is shown. Store it now: Switchboard keeps only its SHA-256 hash and cannot show it again.';

/** A portal link as the API answers it: the url carries its single-use token. */
export function portalLinkView(link: PortalSessionLink): PortalSessionLink {
  const { id, url, expiresAt, scope, customerId } = link;
  return { id, url, expiresAt, scope, ...(customerId !== undefined ? { customerId } : {}) };
}

export const PORTAL_LINK_WARNING = 'The url opens a session once, for whoever opens it first: hand it only to the person it is for.';

/** A month of usage, field by field as the API shows it (figures only: it holds no secrets). */
export function usageView(usage: UsageView): UsageView {
  const { customerId, month, period, messages, numbers, registrationFees, twilio } = usage;
  return { customerId, month, period, messages, numbers, registrationFees, twilio };
}

/** What `subaccounts rotate-token` prints: where the rotation stands, never a token. */
export interface TokenRotationView {
  accountSid: string;
  stages: TokenRotationResult['stages'];
  resumedFrom?: TokenRotationResult['resumedFrom'];
  alreadyPromoted: boolean;
  previousTokenValidUntil: string;
}

export function tokenRotationView(result: TokenRotationResult): TokenRotationView {
  const { accountSid, stages, resumedFrom, alreadyPromoted, previousTokenValidUntil } = result;
  return { accountSid, stages, ...(resumedFrom ? { resumedFrom } : {}), alreadyPromoted, previousTokenValidUntil };
}
