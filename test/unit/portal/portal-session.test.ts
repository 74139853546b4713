import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  checkCsrf,
  clearedCookies,
  generatePortalSecret,
  hashPortalSecret,
  parseCookies,
  portalScopeDecision,
  presentedSessionSecret,
  sessionCookies,
  PORTAL_SECRET_PATTERN,
} from '../../../shared/domain/portal-session';
import { ApiKeyRequiredError, CsrfTokenMismatchError, CsrfTokenMissingError, NotFoundError } from '../../../shared/domain/errors';
import { enforcePortalSession } from '../../../shared/http/portal-guard';
import { apiRoutes } from '../../../infra/catalog';

const OWN = 'cus_01JF3X0000000000000000AAAA';
const OTHER = 'cus_01JF3X0000000000000000BBBB';

describe('portal secrets', () => {
  it('are 32 random bytes in base64url, distinct, and stored only as their SHA-256', () => {
    const secrets = Array.from({ length: 50 }, generatePortalSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(PORTAL_SECRET_PATTERN);
      expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
      expect(hashPortalSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
      expect(hashPortalSecret(secret)).not.toContain(secret);
    }
    expect(new Set(secrets).size).toBe(50);
  });
});

describe('parseCookies', () => {
  it('reads name=value pairs across headers, trimming spaces', () => {
    expect(Object.fromEntries(parseCookies(['a=1; b = 2', 'c=3;d=']))).toEqual({ a: '1', b: '2', c: '3', d: '' });
  });

  it('drops a name given twice (which would win is a guess) and fragments without a name', () => {
    expect(Object.fromEntries(parseCookies(['sb_portal=x; other=1', 'sb_portal=y', '=z; junk']))).toEqual({ other: '1' });
  });

  it('never throws on any header', () => {
    fc.assert(fc.property(fc.array(fc.string()), (headers) => void parseCookies(headers)));
  });
});

describe('presentedSessionSecret', () => {
  const secret = generatePortalSecret();
  it('takes the sb_portal cookie of the right shape only', () => {
    expect(presentedSessionSecret([`theme=dark; sb_portal=${secret}`])).toBe(secret);
    expect(presentedSessionSecret([`sb_portal=${secret}x`])).toBeUndefined();
    expect(presentedSessionSecret(['sb_portal=short'])).toBeUndefined();
    expect(presentedSessionSecret([`sb_portal=${secret}`, `sb_portal=${secret}`])).toBeUndefined();
    expect(presentedSessionSecret([])).toBeUndefined();
  });
});

describe('checkCsrf', () => {
  it('is ok only for an equal, non-empty header', () => {
    expect(checkCsrf('abc', 'abc')).toBe('ok');
    expect(checkCsrf('abc', undefined)).toBe('missing');
    expect(checkCsrf('abc', '')).toBe('missing');
    expect(checkCsrf(undefined, 'abc')).toBe('missing');
    expect(checkCsrf('abc', 'abd')).toBe('mismatch');
    expect(checkCsrf('abc', 'abcd')).toBe('mismatch');
  });

  it('accepts exactly the equal pairs', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => (checkCsrf(a, b) === 'ok') === (a === b)));
  });
});

describe('cookies', () => {
  it('sets the session HttpOnly and the CSRF value readable, both Strict on / with the lifetime; Secure over https only', () => {
    expect(sessionCookies('S', 'C', 900, false)).toEqual(['sb_portal=S; HttpOnly; SameSite=Strict; Path=/; Max-Age=900', 'sb_csrf=C; SameSite=Strict; Path=/; Max-Age=900']);
    expect(sessionCookies('S', 'C', 900, true).every((c) => c.endsWith('; Secure'))).toBe(true);
    expect(clearedCookies(true)).toEqual(['sb_portal=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure', 'sb_csrf=; SameSite=Strict; Path=/; Max-Age=0; Secure']);
  });
});

describe('portalScopeDecision', () => {
  const customer = { scope: 'customer' as const, customerId: OWN };
  const partner = { scope: 'partner' as const };
  const at = (method: string, resource: string, id?: string) => ({ method, resource, pathParameters: id ? { id } : null });

  it('lets a customer session reach its own customer and everything below it', () => {
    expect(portalScopeDecision(customer, at('GET', '/v1/customers/{id}', OWN))).toBe('allow');
    expect(portalScopeDecision(customer, at('POST', '/v1/customers/{id}/messages', OWN))).toBe('allow');
  });

  it("answers another customer's id, and every route outside /v1/customers/{id}, as not found", () => {
    expect(portalScopeDecision(customer, at('GET', '/v1/customers/{id}', OTHER))).toBe('not-found');
    expect(portalScopeDecision(customer, at('GET', '/v1/customers'))).toBe('not-found');
    expect(portalScopeDecision(customer, at('GET', '/v1/events'))).toBe('not-found');
    expect(portalScopeDecision(customer, at('GET', '/v1/webhook-endpoints'))).toBe('not-found');
    // A resource that merely starts like one of the customer's is not one.
    expect(portalScopeDecision(customer, at('GET', '/v1/customers/{id}x', OWN))).toBe('not-found');
    expect(portalScopeDecision({ scope: 'customer' }, at('GET', '/v1/customers/{id}', OWN))).toBe('not-found');
  });

  it('lets a partner session reach every partner route but the session-minting ones', () => {
    for (const { trigger } of apiRoutes().filter((r) => r.trigger.auth === 'partner')) {
      const minting = ['/v1/portal-sessions', '/v1/customers/{id}/portal-sessions', '/v1/portal-sessions/{sessionId}'].includes(trigger.path);
      expect({ route: trigger.path, decision: portalScopeDecision(partner, at(trigger.method, trigger.path, OWN)) }).toEqual({ route: trigger.path, decision: minting ? 'api-key-required' : 'allow' });
    }
  });

  it('refuses session minting to a customer session too, and lets both scopes read the current session', () => {
    expect(portalScopeDecision(customer, at('POST', '/v1/customers/{id}/portal-sessions', OWN))).toBe('api-key-required');
    expect(portalScopeDecision(customer, at('POST', '/v1/portal-sessions'))).toBe('not-found');
    expect(portalScopeDecision(customer, at('GET', '/v1/portal-sessions/current'))).toBe('allow');
    expect(portalScopeDecision(partner, at('GET', '/v1/portal-sessions/current'))).toBe('allow');
  });
});

describe('enforcePortalSession', () => {
  const csrf = generatePortalSecret();
  function event(method: string, resource: string, id: string | undefined, authorizer: Record<string, string>, headers: Record<string, string> = {}): APIGatewayProxyEvent {
    return {
      httpMethod: method,
      resource,
      path: resource.replace('{id}', id ?? ''),
      pathParameters: id ? { id } : null,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      requestContext: { authorizer },
    } as unknown as APIGatewayProxyEvent;
  }
  const session = { partnerId: 'ptn_1', portalSessionId: 'pls_1', portalScope: 'customer', portalCustomerId: OWN };
  const cookie = `sb_portal=${generatePortalSecret()}; sb_csrf=${csrf}`;

  it('lets API-key requests through untouched, whatever they carry', () => {
    expect(() => enforcePortalSession(event('PATCH', '/v1/customers/{id}', OTHER, { partnerId: 'ptn_1', keyId: 'key_1' }, { cookie }))).not.toThrow();
    expect(() => enforcePortalSession(event('GET', '/v1/events', undefined, { partnerId: 'ptn_1', keyId: 'key_1' }))).not.toThrow();
  });

  it('answers the scope rule with the 404 a missing customer gets', () => {
    expect(() => enforcePortalSession(event('GET', '/v1/customers/{id}', OTHER, session, { cookie }))).toThrow(new NotFoundError(`Customer ${OTHER} not found`));
    expect(() => enforcePortalSession(event('GET', '/v1/events', undefined, session, { cookie }))).toThrow(NotFoundError);
  });

  it('refuses a session minting sessions', () => {
    expect(() => enforcePortalSession(event('POST', '/v1/customers/{id}/portal-sessions', OWN, session, { cookie, 'x-csrf-token': csrf }))).toThrow(ApiKeyRequiredError);
  });

  it('asks every change for X-CSRF-Token equal to the sb_csrf cookie, and no read', () => {
    expect(() => enforcePortalSession(event('GET', '/v1/customers/{id}', OWN, session, { cookie }))).not.toThrow();
    expect(() => enforcePortalSession(event('PATCH', '/v1/customers/{id}', OWN, session, { cookie }))).toThrow(CsrfTokenMissingError);
    expect(() => enforcePortalSession(event('DELETE', '/v1/customers/{id}', OWN, session, { cookie, 'X-CSRF-Token': 'x'.repeat(43) }))).toThrow(CsrfTokenMismatchError);
    expect(() => enforcePortalSession(event('PATCH', '/v1/customers/{id}', OWN, session, { cookie: `sb_portal=${generatePortalSecret()}`, 'x-csrf-token': csrf }))).toThrow(CsrfTokenMissingError);
    expect(() => enforcePortalSession(event('PATCH', '/v1/customers/{id}', OWN, session, { cookie, 'x-csrf-token': csrf }))).not.toThrow();
  });
});
