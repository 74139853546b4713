import { NotFoundError, PartnerSuspendedError, PortalLinkGoneError, UnauthorizedError, ValidationError } from '../domain/errors';
import {
  PORTAL_SECRET_PATTERN,
  generatePortalSecret,
  hashPortalSecret,
  type CurrentPortalSession,
  type PortalScope,
  type PortalSessionLink,
  type PortalSessionRequest,
} from '../domain/portal-session';
import type { PortalSessionRepository } from '../store/portal-sessions';
import type { Clock, IdGenerator } from './support';

export interface PortalSessionDeps {
  sessions: PortalSessionRepository;
  /** The partner's customer, or NotFoundError for a foreign or missing one. */
  customers: { get(partnerId: string, customerId: string): Promise<{ id: string; status: string }> };
  partners: { get(partnerId: string): Promise<{ id: string; name: string; status: string } | undefined> };
  clock: Clock;
  ids: IdGenerator;
  /** Local development only, as for partner webhooks: `returnUrl` may be http to a loopback host. */
  allowLoopback: boolean;
}

/** The session a cookie resolved to, as the authorizer hands it on. */
export interface AuthenticatedPortalSession {
  sessionId: string;
  partnerId: string;
  scope: PortalScope;
  customerId?: string;
}

/** A freshly opened session: the secret and CSRF value go into cookies and nowhere else. */
export interface OpenedPortalSession {
  secret: string;
  csrf: string;
  maxAgeSeconds: number;
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

function checkReturnUrl(raw: string | undefined, allowLoopback: boolean): string | undefined {
  if (raw === undefined) return undefined;
  const refuse = (message: string) => new ValidationError('returnUrl is not acceptable', [{ field: 'body.returnUrl', message }]);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute URL');
  }
  if (url.username || url.password) throw refuse('must not carry credentials');
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && allowLoopback && LOOPBACK_HOSTS.test(url.hostname)) return url.toString();
  throw refuse(allowLoopback ? 'must be https (http only to a loopback host)' : 'must be https');
}

/**
 * Portal links and sessions. Primary course: a partner mints a link for itself or one of its
 * customers; the browser opens it once and receives a session; every API request with the session
 * cookie is resolved here by the authorizer.
 */
export function portalSessionService({ sessions, customers, partners, clock, ids, allowLoopback }: PortalSessionDeps) {
  return {
    /**
     * A single-use link. A closed customer still gets one: its portal can read, and every mutating
     * route already refuses a closed customer with 409 `customer-closed`.
     */
    async createLink(partnerId: string, customerId: string | undefined, request: PortalSessionRequest, publicBase: string): Promise<PortalSessionLink> {
      const returnUrl = checkReturnUrl(request.returnUrl, allowLoopback);
      if (customerId !== undefined) await customers.get(partnerId, customerId);
      const token = generatePortalSecret();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + request.expiresIn * 1000).toISOString();
      const id = ids('pls');
      const scope: PortalScope = customerId === undefined ? 'partner' : 'customer';
      await sessions.createLink({
        id,
        partnerId,
        scope,
        ...(customerId !== undefined && { customerId }),
        ...(returnUrl !== undefined && { returnUrl }),
        tokenHash: hashPortalSecret(token),
        createdAt: now.toISOString(),
        linkExpiresAt: expiresAt,
        sessionSeconds: request.expiresIn,
      });
      return { id, url: `${publicBase.replace(/\/+$/, '')}/portal/link/${token}`, expiresAt, scope, ...(customerId !== undefined && { customerId }) };
    },

    /** Trades a link token for a session: unknown → 404, used or expired → 410, nothing created either way. */
    async openLink(token: string): Promise<OpenedPortalSession> {
      if (!PORTAL_SECRET_PATTERN.test(token)) throw new NotFoundError('No portal link has that token');
      const secret = generatePortalSecret();
      const now = clock.now();
      const { outcome, session } = await sessions.exchange(hashPortalSecret(token), { secretHash: hashPortalSecret(secret), createdAt: now.toISOString() }, now);
      if (outcome === 'unknown') throw new NotFoundError('No portal link has that token');
      if (outcome !== 'created' || !session) throw new PortalLinkGoneError(outcome === 'used' ? 'This portal link was already used; ask for a new one' : 'This portal link has expired; ask for a new one');
      const maxAgeSeconds = Math.max(0, Math.floor((Date.parse(session.sessionExpiresAt) - now.getTime()) / 1000));
      return { secret, csrf: generatePortalSecret(), maxAgeSeconds };
    },

    /** Every failure of the secret is the same 401 as an unknown API key. */
    async authenticate(secret: string | undefined): Promise<AuthenticatedPortalSession> {
      const refused = new UnauthorizedError('Missing or invalid API key');
      if (!secret || !PORTAL_SECRET_PATTERN.test(secret)) throw refused;
      const session = await sessions.findSession(hashPortalSecret(secret));
      if (!session || session.revokedAt || Date.parse(session.sessionExpiresAt) <= clock.now().getTime()) throw refused;
      const partner = await partners.get(session.partnerId);
      if (!partner) throw refused;
      if (partner.status === 'suspended') throw new PartnerSuspendedError(`Partner ${partner.id} is suspended; contact the platform operator`);
      if (partner.status !== 'active') throw refused;
      return { sessionId: session.id, partnerId: session.partnerId, scope: session.scope, ...(session.customerId !== undefined && { customerId: session.customerId }) };
    },

    async current(partnerId: string, sessionId: string): Promise<CurrentPortalSession> {
      const [record, partner] = await Promise.all([sessions.findOpened(partnerId, sessionId), partners.get(partnerId)]);
      if (!record || !partner) throw new NotFoundError('No current portal session');
      return {
        id: record.id,
        scope: record.scope,
        ...(record.customerId !== undefined && { customerId: record.customerId }),
        partnerName: partner.name,
        expiresAt: record.sessionExpiresAt,
        ...(record.returnUrl !== undefined && { returnUrl: record.returnUrl }),
      };
    },

    /** The partner's own links and sessions only: a foreign or unknown id is a 404. */
    async revoke(partnerId: string, sessionId: string): Promise<void> {
      if (!(await sessions.revoke(partnerId, sessionId, clock.now().toISOString()))) throw new NotFoundError('No portal session has that id');
    },

    /** Ends the session a cookie names, if it still works; logging out twice is not an error. */
    async logout(secret: string | undefined): Promise<void> {
      if (!secret || !PORTAL_SECRET_PATTERN.test(secret)) return;
      const session = await sessions.findSession(hashPortalSecret(secret));
      if (session && !session.revokedAt) await sessions.revoke(session.partnerId, session.id, clock.now().toISOString());
    },
  };
}

export type PortalSessionService = ReturnType<typeof portalSessionService>;
