import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Portal sessions: a partner mints a single-use link (`/portal/link/<token>`); opening it trades
 * the token for a browser session held in an HttpOnly cookie. Tokens and session secrets are 32
 * random bytes (base64url, 43 characters); only their SHA-256 is ever stored.
 */
export type PortalScope = 'customer' | 'partner';

export const SESSION_COOKIE = 'sb_portal';
export const CSRF_COOKIE = 'sb_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const PORTAL_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const PORTAL_SESSION_ID_PATTERN = /^pls_[0-9A-Za-z]{26}$/;

export const generatePortalSecret = (): string => randomBytes(32).toString('base64url');
export const hashPortalSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export const EXPIRES_IN_MIN = 60;
export const EXPIRES_IN_MAX = 86_400;
export const EXPIRES_IN_DEFAULT = 3_600;

export const PortalSessionRequestSchema = z.strictObject({
  returnUrl: z.string().max(2048).optional(),
  expiresIn: z.number().int().min(EXPIRES_IN_MIN).max(EXPIRES_IN_MAX).default(EXPIRES_IN_DEFAULT),
});
export type PortalSessionRequest = z.infer<typeof PortalSessionRequestSchema>;

export const PortalSessionSchema = z.object({
  id: z.string(),
  url: z.string(),
  expiresAt: z.string(),
  scope: z.enum(['customer', 'partner']),
  customerId: z.string().optional(),
});
export type PortalSessionLink = z.infer<typeof PortalSessionSchema>;

export const CurrentPortalSessionSchema = z.object({
  id: z.string(),
  scope: z.enum(['customer', 'partner']),
  customerId: z.string().optional(),
  partnerName: z.string(),
  expiresAt: z.string(),
  returnUrl: z.string().optional(),
});
export type CurrentPortalSession = z.infer<typeof CurrentPortalSessionSchema>;

/**
 * The cookies of a `Cookie` header (or several), by name. A name given twice counts as absent:
 * which value would win is a guess a sibling subdomain could steer by planting its own cookie.
 */
export function parseCookies(headers: readonly string[]): Map<string, string> {
  const seen = new Map<string, string | null>();
  for (const header of headers) {
    for (const part of header.split(';')) {
      const at = part.indexOf('=');
      if (at <= 0) continue;
      const name = part.slice(0, at).trim();
      const value = part.slice(at + 1).trim();
      if (!name) continue;
      seen.set(name, seen.has(name) ? null : value);
    }
  }
  const cookies = new Map<string, string>();
  for (const [name, value] of seen) if (value !== null) cookies.set(name, value);
  return cookies;
}

/** The values of a header in an event's `headers`/`multiValueHeaders`, names in any case. */
export function headerValues(event: { headers?: Record<string, string | undefined> | null; multiValueHeaders?: Record<string, string[] | undefined> | null }, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  if (event.multiValueHeaders) {
    for (const [k, list] of Object.entries(event.multiValueHeaders)) if (k.toLowerCase() === wanted) values.push(...(list ?? []));
    return values;
  }
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted && v !== undefined) values.push(v);
  return values;
}

/** The session secret a request presents, or undefined when it has none of the right shape. */
export function presentedSessionSecret(cookieHeaders: readonly string[]): string | undefined {
  const value = parseCookies(cookieHeaders).get(SESSION_COOKIE);
  return value !== undefined && PORTAL_SECRET_PATTERN.test(value) ? value : undefined;
}

export type CsrfCheck = 'ok' | 'missing' | 'mismatch';

/** Double-submit check: the header must equal the CSRF cookie, compared in constant time. */
export function checkCsrf(cookieValue: string | undefined, headerValue: string | undefined): CsrfCheck {
  if (!headerValue || !cookieValue) return 'missing';
  const a = Buffer.from(cookieValue, 'utf8');
  const b = Buffer.from(headerValue, 'utf8');
  if (a.length !== b.length) return 'mismatch';
  return timingSafeEqual(a, b) ? 'ok' : 'mismatch';
}

/** `Set-Cookie` values of a new session: the secret HttpOnly, the CSRF value readable by the portal's script. */
export function sessionCookies(secret: string, csrf: string, maxAgeSeconds: number, secure: boolean): string[] {
  const tail = `SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=${secret}; HttpOnly; ${tail}`, `${CSRF_COOKIE}=${csrf}; ${tail}`];
}

/** `Set-Cookie` values that remove both cookies. */
export function clearedCookies(secure: boolean): string[] {
  const tail = `SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=; HttpOnly; ${tail}`, `${CSRF_COOKIE}=; ${tail}`];
}

/** Routes that manage portal sessions: an API key only, a session cannot mint or revoke sessions. */
export const SESSION_MINTING_RESOURCES: readonly string[] = ['/v1/portal-sessions', '/v1/customers/{id}/portal-sessions', '/v1/portal-sessions/{sessionId}'];
/** The one route both scopes reach outside their customer: the session describing itself. */
export const CURRENT_SESSION_RESOURCE = '/v1/portal-sessions/current';

export type ScopeDecision = 'allow' | 'not-found' | 'api-key-required';

/**
 * What a cookie session may reach, by the route's resource template. A customer session reaches
 * `/v1/customers/{id}` and below for its own customer only; everything else answers as a missing
 * resource would. No session reaches the session-minting routes.
 */
export function portalScopeDecision(
  session: { scope: PortalScope; customerId?: string },
  route: { resource: string; method: string; pathParameters?: Record<string, string | undefined> | null },
): ScopeDecision {
  if (route.resource === CURRENT_SESSION_RESOURCE && route.method === 'GET') return 'allow';
  if (session.scope === 'customer') {
    const underCustomer = route.resource === '/v1/customers/{id}' || route.resource.startsWith('/v1/customers/{id}/');
    if (!underCustomer || !session.customerId || route.pathParameters?.id !== session.customerId) return 'not-found';
  }
  if (SESSION_MINTING_RESOURCES.includes(route.resource)) return 'api-key-required';
  return 'allow';
}
