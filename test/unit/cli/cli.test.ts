import { NotFoundError } from '../../../shared/domain/errors';
import { portalSessionService } from '../../../shared/services/portal-sessions';
import type { PortalSessionRepository, StoredPortalLink } from '../../../shared/store/portal-sessions';
import type { TargetFlags } from '../../../infra/cli/args';
import { runCli, type Connection } from '../../../infra/cli/cli';
import { TargetError, UsageError } from '../../../infra/cli/errors';
import type { GatewayKey, UsagePlanPort } from '../../../infra/cli/usage-plan';
import { SECRET_WARNING } from '../../../infra/cli/views';
import { CUSTOMER_ID, NOW, OTHER_KEY_ID, PARTNER_ID, activePartner, fakePartners, fakeUsage, hashFor, noOperations, recordingOutput, secretFor } from './fakes';

const gatewayKey = (enabled: boolean): GatewayKey => ({ apiKeyId: 'k1abc', usagePlanId: 'up1', enabled });

function fakeUsagePlan(overrides: Partial<UsagePlanPort> = {}) {
  const calls: string[] = [];
  const port: UsagePlanPort = {
    admit: async (partner) => {
      calls.push(`admit ${partner.id}`);
      return gatewayKey(true);
    },
    suspend: async (partnerId) => {
      calls.push(`suspend ${partnerId}`);
      return gatewayKey(false);
    },
    ...overrides,
  };
  return { port, calls };
}

/** Runs the CLI as `switchboard <line>` against fakes; a `usagePlan` stands for a deployed target. */
async function run(line: string, { seed = [activePartner()], usagePlan }: { seed?: ReturnType<typeof activePartner>[]; usagePlan?: UsagePlanPort } = {}) {
  const partners = fakePartners(seed);
  const usage = fakeUsage();
  const output = recordingOutput();
  const connects: Array<{ flags: TargetFlags; needsUsagePlan: boolean }> = [];
  const connect = async (flags: TargetFlags, needsUsagePlan: boolean): Promise<Connection> => {
    connects.push({ flags, needsUsagePlan });
    return { partners: partners.service, usage: usage.service, usagePlan };
  };
  const exitCode = await runCli(line.split(' ').filter(Boolean), { out: output.out, connectOperations: noOperations, connect });
  return { exitCode, ...output, partners, usage, connects };
}

describe('switchboard CLI', () => {
  describe('usage errors', () => {
    it('exits 2 with the missing option and the command synopsis, without connecting', async () => {
      // Act
      const { exitCode, errors, results, connects } = await run('partners suspend');

      // Assess
      expect(exitCode).toBe(2);
      expect(results).toEqual([]);
      expect(connects).toEqual([]);
      expect(errors).toEqual([
        {
          error: 'usage',
          detail: 'Missing required option --id for "partners suspend"',
          usage: expect.stringMatching(/^switchboard partners suspend --id <ptn_…> \[--stack/),
        },
      ]);
    });

    it('exits 2 for an unknown command', async () => {
      const { exitCode, errors } = await run('customers list');

      expect(exitCode).toBe(2);
      expect(errors[0]).toMatchObject({ error: 'usage', detail: 'Unknown command "customers list"' });
    });

    it('prints the reference for --help and exits 0', async () => {
      const { exitCode, texts, errors } = await run('--help');

      expect(exitCode).toBe(0);
      expect(errors).toEqual([]);
      expect(texts[0]).toContain('partners create --name <name> [--with-key]');
    });

    it('gives a target usage problem the synopsis of the command', async () => {
      // Prepare: the target resolver refuses, as it does for --table without --usage-plan.
      const output = recordingOutput();
      const connect = async (): Promise<Connection> => {
        throw new UsageError('give --usage-plan');
      };

      // Act
      const exitCode = await runCli(['partners', 'create', '--name', 'Acme', '--table', 't'], { out: output.out, connectOperations: noOperations, connect });

      // Assess
      expect(exitCode).toBe(2);
      expect(output.errors[0]).toEqual({ error: 'usage', detail: 'give --usage-plan', usage: expect.stringContaining('partners create --name') });
    });
  });

  describe('failures', () => {
    it('reports a missing partner as not-found with exit code 1', async () => {
      const { exitCode, errors, results } = await run(`partners get --id ${PARTNER_ID}`, { seed: [] });

      expect(exitCode).toBe(1);
      expect(results).toEqual([]);
      expect(errors).toEqual([{ error: 'not-found', detail: `Partner ${PARTNER_ID} not found` }]);
    });

    it('reports an unreachable target with exit code 1', async () => {
      const output = recordingOutput();
      const connect = async (): Promise<Connection> => {
        throw new TargetError('The local platform is not running');
      };

      const exitCode = await runCli(['keys', 'list', '--partner', PARTNER_ID], { out: output.out, connectOperations: noOperations, connect });

      expect(exitCode).toBe(1);
      expect(output.errors).toEqual([{ error: 'target', detail: 'The local platform is not running' }]);
    });

    it('reports AWS errors by their exception name', async () => {
      const output = recordingOutput();
      const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), { name: 'AccessDeniedException' });
      const connect = async (): Promise<Connection> => ({ usage: fakeUsage().service, partners: { ...fakePartners().service, get: async () => Promise.reject(denied) } });

      const exitCode = await runCli(['partners', 'get', '--id', PARTNER_ID], { out: output.out, connectOperations: noOperations, connect });

      expect(exitCode).toBe(1);
      expect(output.errors).toEqual([{ error: 'failed', detail: 'AccessDeniedException: User is not authorized to perform: dynamodb:GetItem' }]);
    });
  });

  describe('partners', () => {
    it('create prints the partner (locally, with no usage plan to join)', async () => {
      const { exitCode, results, partners, connects } = await run('partners create --name Acme', { seed: [] });

      expect(exitCode).toBe(0);
      expect(connects).toEqual([{ flags: {}, needsUsagePlan: true }]);
      expect(partners.calls).toEqual(['create Acme']);
      expect(results).toEqual([{ partner: activePartner() }]);
    });

    it('create --with-key prints the partner, the key, its secret once and the warning', async () => {
      const { exitCode, results, partners } = await run('partners create --name Acme --with-key', { seed: [] });

      expect(exitCode).toBe(0);
      expect(partners.calls).toEqual(['create Acme', `issueKey ${PARTNER_ID}`]);
      expect(results).toEqual([
        {
          partner: activePartner({ activeKeyCount: 1 }),
          key: { id: expect.stringMatching(/^key_/), prefix: secretFor(1).slice(0, 14), status: 'active', createdAt: NOW },
          secret: secretFor(1),
          warning: SECRET_WARNING,
        },
      ]);
    });

    it('create in a deployed stack admits the partner to the usage plan before issuing its key', async () => {
      const usagePlan = fakeUsagePlan();

      const { exitCode, results, partners } = await run('partners create --name Acme --with-key --stack S', { seed: [], usagePlan: usagePlan.port });

      expect(exitCode).toBe(0);
      expect(usagePlan.calls).toEqual([`admit ${PARTNER_ID}`]);
      expect(partners.calls).toEqual(['create Acme', `issueKey ${PARTNER_ID}`]);
      expect(results[0]).toMatchObject({ partner: { id: PARTNER_ID }, apiGatewayKey: gatewayKey(true), secret: secretFor(1) });
    });

    it('create says how to finish when the API Gateway step fails after the partner exists', async () => {
      const usagePlan = fakeUsagePlan({
        admit: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' })),
      });

      const { exitCode, results, errors, partners } = await run('partners create --name Acme --with-key', { seed: [], usagePlan: usagePlan.port });

      expect(exitCode).toBe(1);
      expect(results).toEqual([]);
      // No key is issued for a partner API Gateway would refuse anyway.
      expect(partners.calls).toEqual(['create Acme']);
      expect(errors).toEqual([
        {
          error: 'incomplete',
          detail: `Partner ${PARTNER_ID} was created but its API Gateway key was not (TooManyRequestsException: Rate exceeded). Finish with: switchboard partners reactivate --id ${PARTNER_ID} (same target)`,
        },
      ]);
    });

    it('get prints the partner', async () => {
      const { exitCode, results } = await run(`partners get --id ${PARTNER_ID}`);

      expect(exitCode).toBe(0);
      expect(results).toEqual([{ partner: activePartner() }]);
    });

    describe('list', () => {
      const partnerNo = (n: number, overrides: Parameters<typeof activePartner>[0] = {}) =>
        activePartner({ id: `ptn_01HV5Y7S8N0Q3Z6W9B2C4D6${String(n).padStart(3, '0')}`, name: `Partner ${n}`, activeKeyCount: 1, ...overrides });
      const row = (n: number, status = 'active') => ({ id: partnerNo(n).id, name: `Partner ${n}`, status, createdAt: NOW });
      const seed = [partnerNo(3), partnerNo(1, { status: 'suspended' }), partnerNo(2)];

      it('pages through every partner and prints id, name, status and createdAt of each, oldest first', async () => {
        // Prepare: more partners than one page holds
        const many = Array.from({ length: 120 }, (_, i) => partnerNo(i + 1));

        // Act
        const { exitCode, results, partners } = await run('partners list', { seed: many });

        // Assess
        expect(exitCode).toBe(0);
        expect(partners.calls).toEqual(['list 100', `list 100 after:${many[99]!.id}`]);
        expect(results).toEqual([{ partners: many.map((_, i) => row(i + 1)) }]);
      });

      it('prints the statuses as stored, and nothing beyond the four fields', async () => {
        const { results } = await run('partners list', { seed });

        expect(results).toEqual([{ partners: [row(1, 'suspended'), row(2), row(3)] }]);
      });

      it('with --limit prints one page and its nextCursor, and the cursor the rest', async () => {
        const first = await run('partners list --limit 2', { seed });
        expect(first.results).toEqual([{ partners: [row(1, 'suspended'), row(2)], nextCursor: `after:${partnerNo(2).id}` }]);

        const last = await run(`partners list --limit 2 --cursor after:${partnerNo(2).id}`, { seed });
        expect(last.results).toEqual([{ partners: [row(3)], nextCursor: null }]);
      });

      it('with only --cursor reads a page of the default size', async () => {
        const { partners } = await run(`partners list --cursor after:${partnerNo(1).id}`, { seed });

        expect(partners.calls).toEqual([`list 25 after:${partnerNo(1).id}`]);
      });

      it('answers a cursor it did not make with a usage error naming --cursor', async () => {
        const { exitCode, errors, results } = await run('partners list --cursor bogus', { seed });

        expect(exitCode).toBe(2);
        expect(results).toEqual([]);
        expect(errors).toEqual([{ error: 'usage', detail: '--cursor is not a nextCursor of partners list', usage: expect.stringMatching(/^switchboard partners list /) }]);
      });
    });

    it('suspend sets the status; locally there is no API Gateway key to disable', async () => {
      const { exitCode, results, partners } = await run(`partners suspend --id ${PARTNER_ID}`);

      expect(exitCode).toBe(0);
      expect(partners.calls).toEqual([`setStatus ${PARTNER_ID} suspended`]);
      expect(results).toEqual([{ partner: activePartner({ status: 'suspended' }) }]);
    });

    it('suspend in a deployed stack also disables the API Gateway key', async () => {
      const usagePlan = fakeUsagePlan();

      const { results } = await run(`partners suspend --id ${PARTNER_ID}`, { usagePlan: usagePlan.port });

      expect(usagePlan.calls).toEqual([`suspend ${PARTNER_ID}`]);
      expect(results).toEqual([{ partner: activePartner({ status: 'suspended' }), apiGatewayKey: gatewayKey(false) }]);
    });

    it('suspend reports null when the partner never had an API Gateway key', async () => {
      const usagePlan = fakeUsagePlan({ suspend: async () => undefined });

      const { exitCode, results } = await run(`partners suspend --id ${PARTNER_ID}`, { usagePlan: usagePlan.port });

      expect(exitCode).toBe(0);
      expect(results[0].apiGatewayKey).toBeNull();
    });

    it('suspend of an unknown partner touches no API Gateway key', async () => {
      const usagePlan = fakeUsagePlan();

      const { exitCode } = await run(`partners suspend --id ${PARTNER_ID}`, { seed: [], usagePlan: usagePlan.port });

      expect(exitCode).toBe(1);
      expect(usagePlan.calls).toEqual([]);
    });

    it('reactivate sets the status and, deployed, re-admits the partner', async () => {
      const usagePlan = fakeUsagePlan();

      const { results, partners } = await run(`partners reactivate --id ${PARTNER_ID}`, {
        seed: [activePartner({ status: 'suspended' })],
        usagePlan: usagePlan.port,
      });

      expect(partners.calls).toEqual([`setStatus ${PARTNER_ID} active`]);
      expect(usagePlan.calls).toEqual([`admit ${PARTNER_ID}`]);
      expect(results).toEqual([{ partner: activePartner(), apiGatewayKey: gatewayKey(true) }]);
    });
  });

  describe('customers usage', () => {
    it("prints the month's usage as the API answers it, for the partner's customer and the month asked", async () => {
      const { exitCode, results, errors, usage, connects } = await run(`customers usage --partner ${PARTNER_ID} --customer ${CUSTOMER_ID} --month 2026-02`);

      expect({ exitCode, errors }).toEqual({ exitCode: 0, errors: [] });
      expect(connects[0].needsUsagePlan).toBe(false);
      expect(usage.calls).toEqual([`monthly ${PARTNER_ID} ${CUSTOMER_ID} 2026-02`]);
      expect(results).toEqual([{ usage: expect.objectContaining({ customerId: CUSTOMER_ID, month: '2026-02', messages: expect.objectContaining({ sms: expect.objectContaining({ outbound: { messages: 3, segments: 6 } }) }) }) }]);
    });

    it('defaults to the current month', async () => {
      const { exitCode, results, usage } = await run(`customers usage --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`);
      expect(exitCode).toBe(0);
      expect(usage.calls).toEqual([`monthly ${PARTNER_ID} ${CUSTOMER_ID} -`]);
      expect(results[0].usage.month).toBe('2026-03');
    });

    it.each([
      [`--partner ${PARTNER_ID}`, 'Missing required option --customer'],
      [`--customer ${CUSTOMER_ID}`, 'Missing required option --partner'],
      [`--partner ${PARTNER_ID} --customer ${PARTNER_ID}`, '--customer must be an id like cus_'],
      [`--partner ${PARTNER_ID} --customer ${CUSTOMER_ID} --month 2026-3`, '--month must be a calendar month, YYYY-MM'],
      [`--partner ${PARTNER_ID} --customer ${CUSTOMER_ID} --month 2026-13`, '--month must be a calendar month, YYYY-MM'],
    ])('exits 2 for %s, without connecting', async (flags, detail) => {
      const { exitCode, errors, connects } = await run(`customers usage ${flags}`);
      expect({ exitCode, connects }).toEqual({ exitCode: 2, connects: [] });
      expect(errors).toEqual([{ error: 'usage', detail: expect.stringContaining(detail), usage: expect.stringMatching(/^switchboard customers usage --partner <ptn_…> --customer <cus_…> \[--month YYYY-MM\]/) }]);
    });

    it('exits 2 for a month after the current one, and 1 with not-found for a customer the partner does not have', async () => {
      const future = await run(`customers usage --partner ${PARTNER_ID} --customer ${CUSTOMER_ID} --month 2026-04`);
      expect(future.exitCode).toBe(2);
      expect(future.errors).toEqual([expect.objectContaining({ error: 'usage', detail: '--month 2026-04 is in the future' })]);
      const missing = await run(`customers usage --partner ${PARTNER_ID} --customer cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8Z`);
      expect({ exitCode: missing.exitCode, errors: missing.errors, results: missing.results }).toEqual({ exitCode: 1, errors: [expect.objectContaining({ error: 'not-found' })], results: [] });
    });
  });

  describe('keys', () => {
    it('issue prints the key, its secret and the warning', async () => {
      const { exitCode, results, connects } = await run(`keys issue --partner ${PARTNER_ID}`);

      expect(exitCode).toBe(0);
      expect(connects[0].needsUsagePlan).toBe(false);
      expect(results).toEqual([
        {
          key: { id: expect.stringMatching(/^key_/), prefix: secretFor(1).slice(0, 14), status: 'active', createdAt: NOW },
          secret: secretFor(1),
          warning: SECRET_WARNING,
        },
      ]);
    });

    it('list prints prefixes and states only', async () => {
      // Prepare
      const partners = fakePartners([activePartner()]);
      await partners.service.issueKey(PARTNER_ID);
      await partners.service.issueKey(PARTNER_ID);
      const output = recordingOutput();

      // Act
      const exitCode = await runCli(['keys', 'list', '--partner', PARTNER_ID], { out: output.out, connectOperations: noOperations, connect: async () => ({ usage: fakeUsage().service, partners: partners.service }) });

      // Assess
      expect(exitCode).toBe(0);
      expect(output.results).toEqual([
        {
          partnerId: PARTNER_ID,
          keys: [1, 2].map((n) => ({ id: expect.stringMatching(/^key_/), prefix: secretFor(n).slice(0, 14), status: 'active', createdAt: NOW })),
        },
      ]);
    });

    it('revoke prints the revoked key; a second revoke is a conflict', async () => {
      const partners = fakePartners([activePartner()]);
      const { key } = await partners.service.issueKey(PARTNER_ID);
      const output = recordingOutput();
      const cli = (argv: string[]) => runCli(argv, { out: output.out, connectOperations: noOperations, connect: async () => ({ usage: fakeUsage().service, partners: partners.service }) });

      const first = await cli(['keys', 'revoke', '--partner', PARTNER_ID, '--key', key.id]);
      const second = await cli(['keys', 'revoke', '--partner', PARTNER_ID, '--key', key.id]);

      expect([first, second]).toEqual([0, 1]);
      expect(output.results).toEqual([{ key: { id: key.id, prefix: key.prefix, status: 'revoked', createdAt: NOW, revokedAt: NOW } }]);
      expect(output.errors).toEqual([{ error: 'conflict', detail: `API key ${key.id} is already revoked` }]);
    });

    it('revoke of an unknown key is not-found', async () => {
      const { exitCode, errors } = await run(`keys revoke --partner ${PARTNER_ID} --key ${OTHER_KEY_ID}`);

      expect(exitCode).toBe(1);
      expect(errors[0].error).toBe('not-found');
    });
  });

  describe('secrecy', () => {
    it('prints no hash anywhere, and each secret only in the one `secret` field of the command that issued it', async () => {
      // Prepare: one session that issues keys both ways, lists, revokes and fails.
      const partners = fakePartners([]);
      const output = recordingOutput();
      const cli = (line: string) =>
        runCli(line.split(' '), { out: output.out, connectOperations: noOperations, connect: async () => ({ usage: fakeUsage().service, partners: partners.service, usagePlan: fakeUsagePlan().port }) });

      // Act
      await cli('partners create --name Acme --with-key');
      await cli(`keys issue --partner ${PARTNER_ID}`);
      await cli(`keys list --partner ${PARTNER_ID}`);
      await cli(`keys revoke --partner ${PARTNER_ID} --key ${partners.keys[0].id}`);
      await cli(`keys revoke --partner ${PARTNER_ID} --key ${partners.keys[0].id}`);
      await cli(`keys issue --partner ${PARTNER_ID}`);
      await cli(`partners get --id ${PARTNER_ID}`);

      // Assess
      const printed = output.everything();
      expect(partners.keys).toHaveLength(3);
      for (const key of partners.keys) expect(printed).not.toContain(key.hash);
      expect(printed).not.toContain(hashFor(1).slice(0, 6));
      const secretFields = output.results.filter((r) => 'secret' in r).map((r) => r.secret);
      expect(secretFields).toEqual([secretFor(1), secretFor(2), secretFor(3)]);
      for (const n of [1, 2, 3]) expect(printed.split(secretFor(n)).length - 1).toBe(1);
      const withoutSecretFields = JSON.stringify(output.results.map(({ secret: _secret, ...rest }) => rest)) + JSON.stringify(output.errors);
      expect(withoutSecretFields).not.toMatch(/SECRET\d\d/);
    });
  });
});

describe('portal open', () => {
  /** The real portal service over an in-memory store: only CUSTOMER_ID is the partner's customer. */
  function portalOver(baseUrl: string | undefined) {
    const links: StoredPortalLink[] = [];
    const sessions = { createLink: async (link: StoredPortalLink) => void links.push(link) } as unknown as PortalSessionRepository;
    const service = portalSessionService({
      sessions,
      customers: {
        get: async (partnerId, customerId) => {
          if (partnerId !== PARTNER_ID || customerId !== CUSTOMER_ID) throw new NotFoundError(`Customer ${customerId} not found`);
          return { id: customerId, status: 'active' };
        },
      },
      partners: { get: async () => undefined },
      clock: { now: () => new Date(NOW) },
      ids: (prefix) => `${prefix}_01HV5Y7S8N0Q3Z6W9B2C4D6F8P`,
      allowLoopback: false,
    });
    return { links, portal: { links: service, ...(baseUrl ? { baseUrl } : {}) } };
  }

  async function runPortal(line: string, baseUrl: string | null = 'http://127.0.0.1:3000', seed = [activePartner()]) {
    const partners = fakePartners(seed);
    const { links, portal } = portalOver(baseUrl ?? undefined);
    const output = recordingOutput();
    const connect = async (): Promise<Connection> => ({ partners: partners.service, usage: fakeUsage().service, portal });
    const exitCode = await runCli(line.split(' ').filter(Boolean), { out: output.out, connectOperations: noOperations, connect });
    return { exitCode, links, ...output };
  }

  it("prints a customer link on the target's API URL, storing only the token's hash", async () => {
    const { exitCode, results, errors, links, everything } = await runPortal(`portal open --partner ${PARTNER_ID} --customer ${CUSTOMER_ID}`);
    expect({ exitCode, errors }).toEqual({ exitCode: 0, errors: [] });
    expect(results).toEqual([
      {
        portalSession: { id: 'pls_01HV5Y7S8N0Q3Z6W9B2C4D6F8P', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:3000\/portal\/link\/[A-Za-z0-9_-]{43}$/), expiresAt: new Date(Date.parse(NOW) + 3_600_000).toISOString(), scope: 'customer', customerId: CUSTOMER_ID },
        warning: expect.stringContaining('once'),
      },
    ]);
    const token = results[0].portalSession.url.split('/').pop();
    expect(links).toHaveLength(1);
    expect(JSON.stringify(links)).not.toContain(token);
    expect(links[0]).toMatchObject({ partnerId: PARTNER_ID, scope: 'customer', customerId: CUSTOMER_ID, sessionSeconds: 3600 });
    expect(everything()).toContain(token);
  });

  it('prints a partner link without --customer', async () => {
    const { exitCode, results } = await runPortal(`portal open --partner ${PARTNER_ID}`);
    expect(exitCode).toBe(0);
    expect(results[0].portalSession).toEqual(expect.objectContaining({ scope: 'partner' }));
    expect(results[0].portalSession.customerId).toBeUndefined();
  });

  it('refuses a target without an API URL, an unknown partner or customer, and a suspended partner, making no link', async () => {
    const noBase = await runPortal(`portal open --partner ${PARTNER_ID}`, null);
    expect({ exitCode: noBase.exitCode, links: noBase.links, error: noBase.errors[0]?.detail }).toEqual({ exitCode: 1, links: [], error: expect.stringContaining('PortalBaseUrl') });
    const missing = await runPortal(`portal open --partner ${PARTNER_ID} --customer cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8Z`);
    expect({ exitCode: missing.exitCode, links: missing.links, error: missing.errors[0]?.error }).toEqual({ exitCode: 1, links: [], error: 'not-found' });
    const suspended = await runPortal(`portal open --partner ${PARTNER_ID}`, 'http://127.0.0.1:3000', [activePartner({ status: 'suspended' })]);
    expect({ exitCode: suspended.exitCode, links: suspended.links }).toEqual({ exitCode: 1, links: [] });
    const badFlag = await runPortal(`portal open --partner ${PARTNER_ID} --customer ${PARTNER_ID}`);
    expect({ exitCode: badFlag.exitCode, error: badFlag.errors[0]?.detail }).toEqual({ exitCode: 2, error: expect.stringContaining('--customer must be an id like cus_') });
  });
});
