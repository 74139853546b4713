import { ConflictError, NotFoundError, PartnerSuspendedError, UnauthorizedError } from '../../../shared/domain/errors';
import { API_KEY_PATTERN, hashApiKey } from '../../../shared/domain/partner';
import { partnerService } from '../../../shared/services/partners';
import { fakePartnerRepository, fixedClock, sequentialIds } from '../../support/fakes';

function setup() {
  const repo = fakePartnerRepository();
  const service = partnerService({ partners: repo, clock: fixedClock(), ids: sequentialIds(), keyPrefix: 'sb_test_' });
  return { repo, service };
}

describe('partner service', () => {
  it('issues a random prefixed key, stores only its hash and shows the secret once', async () => {
    const { repo, service } = setup();
    const partner = await service.create('Acme');
    const issued = await service.issueKey(partner.id);
    expect(issued.secret).toMatch(API_KEY_PATTERN);
    expect(issued.secret.startsWith('sb_test_')).toBe(true);
    // 32 random bytes → 43 base64url characters after the prefix.
    expect(issued.secret.length).toBe('sb_test_'.length + 43);
    expect(issued.key.prefix).toBe(issued.secret.slice(0, 14));
    const stored = [...repo.keys.values()][0]!;
    expect(stored.hash).toBe(hashApiKey(issued.secret));
    expect(JSON.stringify(stored)).not.toContain(issued.secret);
    expect(JSON.stringify(await service.listKeys(partner.id))).not.toContain(stored.hash);
    const second = await service.issueKey(partner.id);
    expect(second.secret).not.toBe(issued.secret);
  });

  it('authenticates an active key of an active partner', async () => {
    const { service } = setup();
    const partner = await service.create('Acme');
    const { secret, key } = await service.issueKey(partner.id);
    await expect(service.authenticate(secret)).resolves.toEqual({ partnerId: partner.id, keyId: key.id });
  });

  it('refuses malformed keys without touching the table', async () => {
    const { repo, service } = setup();
    for (const bad of [undefined, '', 'Bearer', 'sb_test_short', 'x'.repeat(500)]) {
      await expect(service.authenticate(bad)).rejects.toThrow(UnauthorizedError);
    }
    expect(repo.reads).toBe(0);
  });

  it('refuses unknown and revoked keys with the same error; a valid key of a suspended partner is told it is suspended', async () => {
    const { service } = setup();
    const partner = await service.create('Acme');
    const a = await service.issueKey(partner.id);
    const b = await service.issueKey(partner.id);
    await expect(service.authenticate('sb_test_' + 'A'.repeat(43))).rejects.toThrow('Missing or invalid API key');
    await service.revokeKey(partner.id, a.key.id);
    await expect(service.authenticate(a.secret)).rejects.toThrow('Missing or invalid API key');
    await expect(service.authenticate(b.secret)).resolves.toMatchObject({ keyId: b.key.id });
    await service.setStatus(partner.id, 'suspended');
    await expect(service.authenticate(b.secret)).rejects.toBeInstanceOf(PartnerSuspendedError);
    // The revoked key stays a 401: suspension is only told to a holder of a valid key.
    await expect(service.authenticate(a.secret)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(service.issueKey(partner.id)).rejects.toThrow(`Partner ${partner.id} is suspended: reactivate it`);
    await service.setStatus(partner.id, 'active');
    await expect(service.authenticate(b.secret)).resolves.toMatchObject({ keyId: b.key.id });
  });

  it('allows two active keys for rotation and refuses a third until one is revoked', async () => {
    const { service } = setup();
    const partner = await service.create('Acme');
    const first = await service.issueKey(partner.id);
    await service.issueKey(partner.id);
    await expect(service.issueKey(partner.id)).rejects.toThrow(ConflictError);
    await service.revokeKey(partner.id, first.key.id);
    await expect(service.issueKey(partner.id)).resolves.toMatchObject({ key: { status: 'active' } });
    await expect(service.revokeKey(partner.id, first.key.id)).rejects.toThrow(ConflictError);
  });

  it("cannot revoke another partner's key", async () => {
    const { service } = setup();
    const a = await service.create('A');
    const b = await service.create('B');
    const key = await service.issueKey(a.id);
    await expect(service.revokeKey(b.id, key.key.id)).rejects.toThrow(NotFoundError);
    await expect(service.authenticate(key.secret)).resolves.toMatchObject({ partnerId: a.id });
  });

  it('refuses an empty partner name', async () => {
    const { service } = setup();
    await expect(service.create('   ')).rejects.toMatchObject({ status: 400, errors: [{ field: 'name' }] });
  });
});
