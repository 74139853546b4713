import { NotFoundError, PartnerSuspendedError, PortalLinkGoneError, UnauthorizedError, ValidationError } from '../../../shared/domain/errors';
import { hashPortalSecret } from '../../../shared/domain/portal-session';
import { portalSessionService } from '../../../shared/services/portal-sessions';
import type { ExchangeOutcome, PortalSessionRepository, StoredPortalLink, StoredPortalSession } from '../../../shared/store/portal-sessions';

const PARTNER = 'ptn_01HV5Y7S8N0Q3Z6W9B2C4D6F8G';
const CUSTOMER = 'cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8C';
const START = Date.parse('2026-03-01T12:00:00Z');

/** An in-memory repository with the DynamoDB one's outcomes: single use, expiry, revocation. */
function memoryRepository() {
  const links = new Map<string, StoredPortalLink & { usedAt?: string; revokedAt?: string }>();
  const sessions = new Map<string, StoredPortalSession>();
  const repo: PortalSessionRepository = {
    async createLink(link) {
      links.set(link.tokenHash, { ...link });
    },
    async exchange(tokenHash, opened, now) {
      const link = links.get(tokenHash);
      if (!link) return { outcome: 'unknown' as ExchangeOutcome };
      if (link.usedAt || link.revokedAt) return { outcome: 'used' };
      if (Date.parse(link.linkExpiresAt) <= now.getTime()) return { outcome: 'expired' };
      link.usedAt = opened.createdAt;
      const { id, partnerId, scope, customerId, returnUrl } = link;
      const session: StoredPortalSession = { id, partnerId, scope, ...(customerId && { customerId }), ...(returnUrl && { returnUrl }), ...opened, sessionExpiresAt: new Date(now.getTime() + link.sessionSeconds * 1000).toISOString() };
      sessions.set(opened.secretHash, session);
      return { outcome: 'created', session };
    },
    async findSession(secretHash) {
      return sessions.get(secretHash);
    },
    async findOpened(partnerId, sessionId) {
      const session = [...sessions.values()].find((s) => s.partnerId === partnerId && s.id === sessionId);
      return session && { ...session };
    },
    async revoke(partnerId, sessionId, at) {
      const link = [...links.values()].find((l) => l.partnerId === partnerId && l.id === sessionId);
      if (!link) return false;
      link.revokedAt ??= at;
      for (const s of sessions.values()) if (s.partnerId === partnerId && s.id === sessionId) s.revokedAt ??= at;
      return true;
    },
  };
  return { repo, links, sessions };
}

function setup({ allowLoopback = false, partnerStatus = 'active' } = {}) {
  let now = START;
  let n = 0;
  const memory = memoryRepository();
  const partner = { id: PARTNER, name: 'Acme', status: partnerStatus };
  const service = portalSessionService({
    sessions: memory.repo,
    customers: {
      get: async (partnerId, customerId) => {
        if (partnerId !== PARTNER || customerId !== CUSTOMER) throw new NotFoundError(`Customer ${customerId} not found`);
        return { id: customerId, status: 'active' };
      },
    },
    partners: { get: async (id) => (id === PARTNER ? partner : undefined) },
    clock: { now: () => new Date(now) },
    ids: (prefix) => `${prefix}_01HV5Y7S8N0Q3Z6W9B2C4D6F${String(++n).padStart(2, '0')}`,
    allowLoopback,
  });
  const tokenOf = (url: string) => url.split('/').pop()!;
  return { service, memory, partner, tokenOf, advance: (ms: number) => (now += ms) };
}

describe('portal session service', () => {
  it('stores only the hash of the token and of the session secret', async () => {
    const { service, memory, tokenOf } = setup();
    const link = await service.createLink(PARTNER, CUSTOMER, { expiresIn: 600 }, 'https://api.example.com/dev/');
    expect(link.url).toMatch(/^https:\/\/api\.example\.com\/dev\/portal\/link\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(link.url);
    expect(JSON.stringify([...memory.links.values()])).not.toContain(token);
    expect(memory.links.has(hashPortalSecret(token))).toBe(true);
    const opened = await service.openLink(token);
    expect(opened.maxAgeSeconds).toBe(600);
    expect(JSON.stringify([...memory.sessions.values()])).not.toContain(opened.secret);
    expect(await service.authenticate(opened.secret)).toEqual({ sessionId: link.id, partnerId: PARTNER, scope: 'customer', customerId: CUSTOMER });
  });

  it.each([
    ['https://partner.example/back', false, true],
    ['http://partner.example/back', false, false],
    ['http://127.0.0.1:8080/back', false, false],
    ['http://127.0.0.1:8080/back', true, true],
    ['http://localhost/back', true, true],
    ['http://partner.example/back', true, false],
    ['https://user:pass@partner.example/back', false, false],
    ['ftp://partner.example/back', true, false],
    ['/relative', false, false],
  ])('returnUrl %s (loopback allowed: %s) accepted: %s', async (returnUrl, allowLoopback, accepted) => {
    const { service } = setup({ allowLoopback });
    const made = service.createLink(PARTNER, undefined, { expiresIn: 3600, returnUrl }, 'http://127.0.0.1:3000');
    if (accepted) await expect(made).resolves.toMatchObject({ scope: 'partner' });
    else await expect(made).rejects.toMatchObject({ constructor: ValidationError, errors: [expect.objectContaining({ field: 'body.returnUrl' })] });
  });

  it("refuses a link for another partner's customer as a missing one, storing nothing", async () => {
    const { service, memory } = setup();
    await expect(service.createLink(PARTNER, 'cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8Z', { expiresIn: 3600 }, 'http://x')).rejects.toThrow(NotFoundError);
    expect(memory.links.size).toBe(0);
  });

  it('opens a link once; unknown and malformed tokens are 404, used and expired ones 410', async () => {
    const { service, tokenOf, advance } = setup();
    const link = await service.createLink(PARTNER, CUSTOMER, { expiresIn: 60 }, 'http://x');
    await expect(service.openLink('A'.repeat(43))).rejects.toThrow(NotFoundError);
    await expect(service.openLink('not-a-token')).rejects.toThrow(NotFoundError);
    await service.openLink(tokenOf(link.url));
    await expect(service.openLink(tokenOf(link.url))).rejects.toThrow(PortalLinkGoneError);
    const late = await service.createLink(PARTNER, CUSTOMER, { expiresIn: 60 }, 'http://x');
    advance(60_000);
    await expect(service.openLink(tokenOf(late.url))).rejects.toThrow(new PortalLinkGoneError('This portal link has expired; ask for a new one'));
  });

  it('refuses an expired, revoked or logged-out session, and one of a missing partner, with the unknown-key 401', async () => {
    const { service, tokenOf, advance } = setup();
    const open = async (expiresIn = 3600) => {
      const link = await service.createLink(PARTNER, CUSTOMER, { expiresIn }, 'http://x');
      return { link, opened: await service.openLink(tokenOf(link.url)) };
    };
    const refused = new UnauthorizedError('Missing or invalid API key');
    const revoked = await open();
    await service.revoke(PARTNER, revoked.link.id);
    await expect(service.authenticate(revoked.opened.secret)).rejects.toThrow(refused);
    const loggedOut = await open();
    await service.logout(loggedOut.opened.secret);
    await expect(service.authenticate(loggedOut.opened.secret)).rejects.toThrow(refused);
    await service.logout(loggedOut.opened.secret);
    await service.logout(undefined);
    const expiring = await open(120);
    advance(119_999);
    await expect(service.authenticate(expiring.opened.secret)).resolves.toMatchObject({ partnerId: PARTNER });
    advance(1);
    await expect(service.authenticate(expiring.opened.secret)).rejects.toThrow(refused);
    await expect(service.authenticate(undefined)).rejects.toThrow(refused);
    await expect(service.authenticate('x'.repeat(43))).rejects.toThrow(refused);
  });

  it("answers a suspended partner's session 403, and revokes only the partner's own ids", async () => {
    const { service, tokenOf, partner } = setup();
    const link = await service.createLink(PARTNER, undefined, { expiresIn: 3600 }, 'http://x');
    const opened = await service.openLink(tokenOf(link.url));
    partner.status = 'suspended';
    await expect(service.authenticate(opened.secret)).rejects.toThrow(PartnerSuspendedError);
    partner.status = 'active';
    await expect(service.revoke('ptn_01HV5Y7S8N0Q3Z6W9B2C4D6F8H', link.id)).rejects.toThrow(NotFoundError);
    await expect(service.authenticate(opened.secret)).resolves.toMatchObject({ scope: 'partner' });
  });

  it('describes the current session', async () => {
    const { service, tokenOf } = setup();
    const link = await service.createLink(PARTNER, CUSTOMER, { expiresIn: 900, returnUrl: 'https://partner.example/back' }, 'http://x');
    await service.openLink(tokenOf(link.url));
    expect(await service.current(PARTNER, link.id)).toEqual({ id: link.id, scope: 'customer', customerId: CUSTOMER, partnerName: 'Acme', expiresAt: new Date(START + 900_000).toISOString(), returnUrl: 'https://partner.example/back' });
    await expect(service.current(PARTNER, 'pls_01HV5Y7S8N0Q3Z6W9B2C4D6FZZ')).rejects.toThrow(NotFoundError);
  });
});
