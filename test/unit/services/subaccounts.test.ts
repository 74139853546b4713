import { randomBytes } from 'node:crypto';
import { createLocalKeyService, createTokenCache, DecryptionError } from '../../../shared/crypto';
import { subaccountReader } from '../../../shared/services/subaccounts';
import { ConflictError, CustomerClosedError, NotFoundError } from '../../../shared/domain/errors';
import type { CustomerStatus } from '../../../shared/domain/customer';
import type { SubaccountRecord, SubaccountStatus } from '../../../shared/domain/subaccount';
import type { PartnerEventInput, PartnerEventLog } from '../../../shared/services/partner-events-contract';
import { customerService } from '../../../shared/services/customers';
import { subaccountService } from '../../../shared/services/subaccounts';
import type { SubaccountRepository } from '../../../shared/store/subaccounts';
import { TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import type { Account, TwilioGateway } from '../../../shared/twilio/gateway';
import { fakeCustomerRepository, fixedClock, sequentialIds } from '../../support/fakes';
import { validCustomer } from '../../support/fixtures';

type AccountsPort = Pick<TwilioGateway, 'createSubaccount' | 'findSubaccountsByFriendlyName' | 'fetchAccount' | 'updateAccountStatus'>;

/** A Twilio stand-in for the four account calls, with a hook to fail the next create. */
function fakeTwilio() {
  const accounts: Account[] = [];
  let n = 0;
  const calls: string[] = [];
  const twilio: AccountsPort & { accounts: Account[]; calls: string[]; failNextCreateAfterSuccess: boolean; refuseStatus?: number } = {
    accounts,
    calls,
    failNextCreateAfterSuccess: false,
    async createSubaccount(friendlyName) {
      calls.push('create');
      const account: Account = {
        accountSid: `AC${String(++n).padStart(32, '0')}`,
        friendlyName,
        status: 'active',
        ownerAccountSid: 'ACmaster',
        authToken: `token-${n}-${'x'.repeat(24)}`,
        dateCreated: null,
      };
      accounts.push(account);
      // Twilio created it, but the answer never reached us (timeout after the fact).
      if (twilio.failNextCreateAfterSuccess) {
        twilio.failNextCreateAfterSuccess = false;
        throw new TwilioRetryableError({ code: null, status: null, message: 'socket hang up', moreInfo: null });
      }
      return { ...account };
    },
    async findSubaccountsByFriendlyName(friendlyName) {
      calls.push('find');
      return accounts.filter((a) => a.friendlyName === friendlyName).map((a) => ({ ...a, authToken: null }));
    },
    async fetchAccount(sid) {
      calls.push('fetch');
      return { ...accounts.find((a) => a.accountSid === sid)! };
    },
    async updateAccountStatus(sid, status) {
      calls.push(`status:${status}`);
      if (twilio.refuseStatus) throw new TwilioPermanentError({ code: twilio.refuseStatus, status: 400, message: 'refused', moreInfo: null });
      const account = accounts.find((a) => a.accountSid === sid)!;
      account.status = status;
      return { ...account };
    },
  };
  return twilio;
}

/** In-memory subaccount rows + the customer pointer, honoring the claim like the DynamoDB repository. */
function fakeSubaccounts(customers: ReturnType<typeof fakeCustomerRepository>): SubaccountRepository & { rows: Map<string, SubaccountRecord> } {
  const rows = new Map<string, SubaccountRecord>();
  const claims = new Map<string, { claimId: string; at: string }>();
  return {
    rows,
    async claim(partnerId, customerId, claimId, now, staleBefore) {
      const customer = await customers.get(partnerId, customerId);
      if (!customer || customer.accountSid) return false;
      const held = claims.get(customerId);
      if (held && held.at >= staleBefore) return false;
      claims.set(customerId, { claimId, at: now });
      return true;
    },
    async release(_partnerId, customerId, claimId) {
      if (claims.get(customerId)?.claimId === claimId) claims.delete(customerId);
    },
    async commit(record, claimId) {
      if (claims.get(record.customerId)?.claimId !== claimId || rows.has(record.accountSid)) throw new ConflictError('lost claim');
      claims.delete(record.customerId);
      rows.set(record.accountSid, { ...record });
      const customer = (await customers.get(record.partnerId, record.customerId))!;
      await customers.replace({ ...customer, accountSid: record.accountSid, version: customer.version + 1 }, customer.version);
    },
    async get(accountSid) {
      const row = rows.get(accountSid);
      return row && { ...row };
    },
    async setStatus(record, status, customerStatus, at) {
      rows.set(record.accountSid, { ...rows.get(record.accountSid)!, status, updatedAt: at });
      const customer = (await customers.get(record.partnerId, record.customerId))!;
      await customers.replace({ ...customer, status: customerStatus, version: customer.version + 1 }, customer.version);
    },
    async markCustomerClosed(record, at) {
      const customer = (await customers.get(record.partnerId, record.customerId))!;
      await customers.replace({ ...customer, status: 'closed', updatedAt: at, version: customer.version + 1 }, customer.version);
    },
    statusItems(record, status, customerStatus, at) {
      return [{ Put: { TableName: 'fake', Item: { accountSid: record.accountSid, from: record.status, status, customerStatus, at } } }];
    },
  };
}

/** The log's outbox: applies the repository's status items and records the events, or neither when the row is closed. */
function fakeEvents(subaccounts: ReturnType<typeof fakeSubaccounts>) {
  const appended: Array<PartnerEventInput & { partnerId: string }> = [];
  const events: Pick<PartnerEventLog, 'appendWith'> & { appended: typeof appended } = {
    appended,
    async appendWith(partnerId, list, items) {
      for (const item of items) {
        const { accountSid, from, status, customerStatus, at } = item.Put!.Item as { accountSid: string; from: SubaccountStatus; status: SubaccountStatus; customerStatus: CustomerStatus; at: string };
        const row = subaccounts.rows.get(accountSid)!;
        if (row.status !== from) return { committed: false, failed: [0] };
        await subaccounts.setStatus(row, status, customerStatus, at);
      }
      appended.push(...list.map((e) => ({ ...e, partnerId })));
      return { committed: true, events: [] };
    },
  };
  return events;
}

async function setup(numbers?: { releaseAll(partnerId: string, customerId: string): Promise<unknown> }) {
  const customerRepo = fakeCustomerRepository();
  const clock = fixedClock();
  const ids = sequentialIds();
  const keys = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });
  const twilio = fakeTwilio();
  const subaccountRepo = fakeSubaccounts(customerRepo);
  const events = fakeEvents(subaccountRepo);
  const service = subaccountService({ customers: customerRepo, subaccounts: subaccountRepo, twilio, keys, clock, ids, events, ...(numbers ? { numbers } : {}) });
  const customer = await customerService({ customers: customerRepo, onboardingSummaries: async () => new Map(), clock, ids }).create('ptn_a', validCustomer());
  return { service, twilio, keys, clock, subaccountRepo, customerRepo, customer, events };
}

describe('subaccount service', () => {
  it('creates one subaccount, stores the token only encrypted and bound to the tenant', async () => {
    const { service, twilio, keys, subaccountRepo, customer } = await setup();
    const { subaccount, created } = await service.create('ptn_a', customer.id);
    expect(created).toBe(true);
    expect(subaccount).toEqual({
      customerId: customer.id,
      accountSid: twilio.accounts[0]!.accountSid,
      friendlyName: `switchboard:${customer.id}`,
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(subaccount)).not.toContain('token-');
    const row = subaccountRepo.rows.get(subaccount.accountSid)!;
    expect(row.encryptedAuthToken).not.toContain('token-');
    const context = { partnerId: 'ptn_a', customerId: customer.id, accountSid: subaccount.accountSid };
    await expect(keys.decrypt(row.encryptedAuthToken, context)).resolves.toBe(twilio.accounts[0]!.authToken);
    await expect(keys.decrypt(row.encryptedAuthToken, { ...context, customerId: 'cus_other' })).rejects.toThrow(DecryptionError);
    await expect(keys.decrypt(row.encryptedAuthToken, { ...context, partnerId: 'ptn_b' })).rejects.toThrow(DecryptionError);
  });

  it('returns the same subaccount on a second call without calling Twilio again', async () => {
    const { service, twilio, customer } = await setup();
    const first = await service.create('ptn_a', customer.id);
    const callsAfterFirst = twilio.calls.length;
    const second = await service.create('ptn_a', customer.id);
    expect(second).toEqual({ subaccount: first.subaccount, created: false });
    expect(twilio.calls.length).toBe(callsAfterFirst);
    expect(twilio.accounts).toHaveLength(1);
  });

  it('adopts the subaccount a crashed attempt created instead of creating a second one', async () => {
    const { service, twilio, customer } = await setup();
    twilio.failNextCreateAfterSuccess = true;
    await expect(service.create('ptn_a', customer.id)).rejects.toThrow(TwilioRetryableError);
    expect(twilio.accounts).toHaveLength(1);
    // The failed attempt released its claim; the retry finds the account by FriendlyName.
    const { subaccount, created } = await service.create('ptn_a', customer.id);
    expect(created).toBe(true);
    expect(subaccount.accountSid).toBe(twilio.accounts[0]!.accountSid);
    expect(twilio.accounts).toHaveLength(1);
    expect(twilio.calls).toEqual(['find', 'create', 'find', 'fetch']);
  });

  it('refuses a concurrent provisioning while a fresh claim is held', async () => {
    const { service, subaccountRepo, customer } = await setup();
    await subaccountRepo.claim('ptn_a', customer.id, 'other', '2026-01-01T00:00:00.000Z', '2025-12-31T23:59:00.000Z');
    await expect(service.create('ptn_a', customer.id)).rejects.toThrow(ConflictError);
  });

  it("answers another partner's customer as not found and never calls Twilio for it", async () => {
    const { service, twilio, customer } = await setup();
    await expect(service.create('ptn_b', customer.id)).rejects.toThrow(NotFoundError);
    await service.create('ptn_a', customer.id);
    await expect(service.get('ptn_b', customer.id)).rejects.toThrow(NotFoundError);
    await expect(service.setStatus('ptn_b', customer.id, 'suspended')).rejects.toThrow(NotFoundError);
    await expect(service.credentials('ptn_b', customer.id)).rejects.toThrow(NotFoundError);
    expect(twilio.calls.filter((c) => c.startsWith('status'))).toEqual([]);
  });

  it('follows Twilio lifecycle: suspend, reactivate, close; closed is terminal; the customer follows', async () => {
    const { service, twilio, customerRepo, customer } = await setup();
    await service.create('ptn_a', customer.id);
    await expect(service.setStatus('ptn_a', customer.id, 'suspended')).resolves.toMatchObject({ status: 'suspended' });
    expect((await customerRepo.get('ptn_a', customer.id))!.status).toBe('suspended');
    await expect(service.setStatus('ptn_a', customer.id, 'active')).resolves.toMatchObject({ status: 'active' });
    await expect(service.setStatus('ptn_a', customer.id, 'closed')).resolves.toMatchObject({ status: 'closed' });
    await expect(service.setStatus('ptn_a', customer.id, 'active')).rejects.toThrow(CustomerClosedError);
    expect(twilio.calls.filter((c) => c.startsWith('status'))).toEqual(['status:suspended', 'status:active', 'status:closed']);
    expect((await customerRepo.get('ptn_a', customer.id))!.status).toBe('closed');
  });

  it('emits suspended, reactivated and closed once each, with the change, and nothing on a repeat', async () => {
    const { service, events, customer, clock } = await setup();
    const { subaccount } = await service.create('ptn_a', customer.id);
    const at = clock.now().toISOString();
    await service.setStatus('ptn_a', customer.id, 'suspended');
    await service.setStatus('ptn_a', customer.id, 'suspended');
    await service.setStatus('ptn_a', customer.id, 'active');
    await service.setStatus('ptn_a', customer.id, 'active');
    await service.setStatus('ptn_a', customer.id, 'closed');
    await service.setStatus('ptn_a', customer.id, 'closed');
    await expect(service.setStatus('ptn_a', customer.id, 'active')).rejects.toThrow(CustomerClosedError);
    const data = (status: string, previousStatus: string) => ({ accountSid: subaccount.accountSid, status, previousStatus, changedAt: at });
    expect(events.appended).toEqual([
      { partnerId: 'ptn_a', type: 'subaccount.suspended', customerId: customer.id, data: data('suspended', 'active') },
      { partnerId: 'ptn_a', type: 'subaccount.reactivated', customerId: customer.id, data: data('active', 'suspended') },
      { partnerId: 'ptn_a', type: 'subaccount.closed', customerId: customer.id, data: data('closed', 'active') },
    ]);
  });

  it('answers a change lost to a concurrent close as a conflict, with no event', async () => {
    const { service, events, subaccountRepo, customer } = await setup();
    const { subaccount } = await service.create('ptn_a', customer.id);
    const original = subaccountRepo.get.bind(subaccountRepo);
    // The read sees it active; the close lands between that read and the transaction.
    subaccountRepo.get = async (sid) => {
      const row = await original(sid);
      subaccountRepo.rows.set(subaccount.accountSid, { ...subaccountRepo.rows.get(subaccount.accountSid)!, status: 'closed' });
      return row;
    };
    await expect(service.setStatus('ptn_a', customer.id, 'suspended')).rejects.toThrow(CustomerClosedError);
    expect(events.appended).toEqual([]);
  });

  it('answers a change another request made meanwhile with the result, and no second event', async () => {
    const { service, events, subaccountRepo, customer } = await setup();
    const { subaccount } = await service.create('ptn_a', customer.id);
    const original = subaccountRepo.get.bind(subaccountRepo);
    let raced = false;
    // The first read sees it active; the concurrent suspend (whose own event is not ours) lands before the transaction.
    subaccountRepo.get = async (sid) => {
      const row = await original(sid);
      if (!raced) subaccountRepo.rows.set(subaccount.accountSid, { ...subaccountRepo.rows.get(subaccount.accountSid)!, status: 'suspended' });
      raced = true;
      return row;
    };
    await expect(service.setStatus('ptn_a', customer.id, 'suspended')).resolves.toMatchObject({ status: 'suspended' });
    expect(events.appended).toEqual([]);
  });

  describe('closing', () => {
    /** Records, in order, what the close did: Twilio status calls, the customer's status when the numbers were released. */
    async function closing() {
      const order: string[] = [];
      let fixture!: Awaited<ReturnType<typeof setup>>;
      let failRelease = false;
      fixture = await setup({
        async releaseAll(partnerId, customerId) {
          order.push(`release (customer ${(await fixture.customerRepo.get(partnerId, customerId))!.status})`);
          if (failRelease) throw new TwilioRetryableError({ code: null, status: 503, message: 'unavailable', moreInfo: null });
        },
      });
      const { subaccount } = await fixture.service.create('ptn_a', fixture.customer.id);
      const twilioCalls = () => fixture.twilio.calls.filter((c) => c.startsWith('status'));
      return { ...fixture, order, subaccount, twilioCalls, failNextReleases: (fail: boolean) => (failRelease = fail) };
    }

    it('marks the customer closed, then releases the numbers, then closes the account and writes subaccount.closed', async () => {
      const { service, order, twilioCalls, customer, customerRepo, events } = await closing();
      await service.setStatus('ptn_a', customer.id, 'closed');
      expect(order).toEqual(['release (customer closed)']);
      expect(twilioCalls()).toEqual(['status:closed']);
      expect((await customerRepo.get('ptn_a', customer.id))!.status).toBe('closed');
      expect(events.appended.map((e) => e.type)).toEqual(['subaccount.closed']);
    });

    it('reactivates a suspended account on Twilio first, since a suspended account cannot release its numbers', async () => {
      const { service, order, twilioCalls, customer, events } = await closing();
      await service.setStatus('ptn_a', customer.id, 'suspended');
      await service.setStatus('ptn_a', customer.id, 'closed');
      expect(twilioCalls()).toEqual(['status:suspended', 'status:active', 'status:closed']);
      expect(order).toEqual(['release (customer closed)']);
      // The reactivation was only the way to the close: no reactivated event.
      expect(events.appended.map((e) => e.type)).toEqual(['subaccount.suspended', 'subaccount.closed']);
    });

    it('changes nothing when Twilio refuses the reactivation a suspended close needs', async () => {
      const { service, twilio, order, customer, customerRepo, events } = await closing();
      await service.setStatus('ptn_a', customer.id, 'suspended');
      twilio.refuseStatus = 21478;
      await expect(service.setStatus('ptn_a', customer.id, 'closed')).rejects.toThrow(/21478/);
      expect(order).toEqual([]);
      expect((await customerRepo.get('ptn_a', customer.id))!.status).toBe('suspended');
      expect(events.appended.map((e) => e.type)).toEqual(['subaccount.suspended']);
    });

    it('a close that died while releasing leaves the customer closed to changes and is finished by calling it again', async () => {
      const { service, order, twilioCalls, customer, customerRepo, events, failNextReleases } = await closing();
      failNextReleases(true);
      await expect(service.setStatus('ptn_a', customer.id, 'closed')).rejects.toThrow(TwilioRetryableError);
      expect((await customerRepo.get('ptn_a', customer.id))!.status).toBe('closed');
      expect(twilioCalls()).toEqual([]);
      // Meanwhile nothing reopens it: a suspend is refused, not applied.
      await expect(service.setStatus('ptn_a', customer.id, 'suspended')).rejects.toThrow(CustomerClosedError);
      failNextReleases(false);
      await expect(service.setStatus('ptn_a', customer.id, 'closed')).resolves.toMatchObject({ status: 'closed' });
      expect(order).toEqual(['release (customer closed)', 'release (customer closed)']);
      expect(twilioCalls()).toEqual(['status:closed']);
      expect(events.appended.map((e) => e.type)).toEqual(['subaccount.closed']);
    });

    it('finishes a close that died after Twilio closed the account (21479 on the repeat)', async () => {
      const { service, twilio, customer, subaccountRepo, subaccount, events } = await closing();
      twilio.refuseStatus = 21479;
      await expect(service.setStatus('ptn_a', customer.id, 'closed')).resolves.toMatchObject({ status: 'closed' });
      expect(subaccountRepo.rows.get(subaccount.accountSid)!.status).toBe('closed');
      expect(events.appended.map((e) => e.type)).toEqual(['subaccount.closed']);
    });
  });

  it("turns Twilio's status refusals into conflicts and changes nothing", async () => {
    const { service, twilio, subaccountRepo, customer, events } = await setup();
    const { subaccount } = await service.create('ptn_a', customer.id);
    twilio.refuseStatus = 21478;
    await expect(service.setStatus('ptn_a', customer.id, 'active')).resolves.toMatchObject({ status: 'active' });
    await expect(service.setStatus('ptn_a', customer.id, 'suspended')).rejects.toThrow(/21478/);
    expect(subaccountRepo.rows.get(subaccount.accountSid)!.status).toBe('active');
    expect(events.appended).toEqual([]);
  });

  it('decrypts credentials for the owning tenant only', async () => {
    const { service, twilio, customer } = await setup();
    await service.create('ptn_a', customer.id);
    await expect(service.credentials('ptn_a', customer.id)).resolves.toEqual({
      accountSid: twilio.accounts[0]!.accountSid,
      authToken: twilio.accounts[0]!.authToken,
    });
  });

  it('decrypts a token once per TTL through the token cache, and again after it expires', async () => {
    const { service, keys, customerRepo, subaccountRepo, customer } = await setup();
    await service.create('ptn_a', customer.id);
    let decrypts = 0;
    const counting = { decrypt: (c: string, ctx: Parameters<typeof keys.decrypt>[1]) => (decrypts++, keys.decrypt(c, ctx)) };
    let now = 0;
    const reader = subaccountReader({
      customers: customerRepo,
      subaccounts: subaccountRepo,
      keys,
      tokens: createTokenCache({ keys: counting, ttlSeconds: 300, now: () => now }),
    });
    const first = await reader.credentials('ptn_a', customer.id);
    await reader.credentials('ptn_a', customer.id);
    expect(decrypts).toBe(1);
    now += 301_000;
    expect(await reader.credentials('ptn_a', customer.id)).toEqual(first);
    expect(decrypts).toBe(2);
  });
});
