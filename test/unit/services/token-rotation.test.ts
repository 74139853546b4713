import { randomBytes } from 'node:crypto';
import { createLocalKeyService } from '../../../shared/crypto';
import { ConflictError, UpstreamError } from '../../../shared/domain/errors';
import type { SubaccountRecord, TokenRotation } from '../../../shared/domain/subaccount';
import { PREVIOUS_TOKEN_GRACE_MS, ROTATION_LEASE_MS, tokenRotationService } from '../../../shared/services/token-rotation';
import type { TokenRotationWrites } from '../../../shared/store/subaccounts';
import { TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import type { SubaccountCredentials, TwilioGateway } from '../../../shared/twilio/gateway';
import { fixedClock, sequentialIds } from '../../support/fakes';

const PARTNER = 'ptn_1';
const CUSTOMER = 'cus_1';
const SID = `AC${'1'.repeat(32)}`;
const CONTEXT = { partnerId: PARTNER, customerId: CUSTOMER, accountSid: SID };

/** The row in memory, with the DynamoDB repository's conditions: a write that names a state the row is not in is refused. */
function fakeRow(initial: SubaccountRecord) {
  let row: SubaccountRecord = structuredClone(initial);
  const moved = () => new ConflictError('moved');
  const holds = (id: string, stage: TokenRotation['stage']) => row.tokenRotation?.id === id && row.tokenRotation.stage === stage;
  const writes: TokenRotationWrites & { read(): SubaccountRecord; log: string[]; failOn?: string } = {
    log: [],
    read: () => structuredClone(row),
    async startTokenRotation(_sid, current, rotation, now) {
      writes.log.push('start');
      if (row.encryptedAuthToken !== current || row.tokenRotation || (row.previousTokenValidUntil !== undefined && row.previousTokenValidUntil > now)) throw moved();
      row.tokenRotation = { ...rotation };
    },
    async takeOverTokenRotation(_sid, from, id, leaseUntil, now) {
      writes.log.push('takeover');
      if (!holds(from.id, from.stage) || row.tokenRotation!.leaseUntil > now) throw moved();
      row.tokenRotation = { ...row.tokenRotation!, id, leaseUntil };
    },
    async storeNextToken(_sid, id, next, leaseUntil) {
      writes.log.push('store');
      if (!holds(id, 'started')) throw moved();
      row.tokenRotation = { ...row.tokenRotation!, stage: 'created', nextEncryptedAuthToken: next, leaseUntil };
    },
    async switchToken(_sid, id, current, next, leaseUntil, at) {
      writes.log.push('switch');
      if (!holds(id, 'created') || row.encryptedAuthToken !== current || row.tokenRotation!.nextEncryptedAuthToken !== next) throw moved();
      const { nextEncryptedAuthToken: _n, ...rotation } = row.tokenRotation!;
      const { previousTokenValidUntil: _u, ...rest } = row;
      row = { ...rest, encryptedAuthToken: next, previousEncryptedAuthToken: current, tokenRotation: { ...rotation, stage: 'switched', leaseUntil }, updatedAt: at };
    },
    async finishTokenRotation(_sid, id, validUntil, at) {
      writes.log.push('finish');
      if (writes.failOn === 'finish') throw new Error('crash before the final write');
      if (!holds(id, 'switched')) throw moved();
      const { tokenRotation: _r, ...rest } = row;
      row = { ...rest, previousTokenValidUntil: validUntil, updatedAt: at };
    },
    async abandonTokenRotation(_sid, id, stage, at) {
      writes.log.push('abandon');
      if (!holds(id, stage)) throw moved();
      const { tokenRotation: _r, previousEncryptedAuthToken: previous, ...rest } = row;
      row = stage === 'switched' ? { ...rest, encryptedAuthToken: previous!, updatedAt: at } : { ...rest, previousEncryptedAuthToken: previous, updatedAt: at };
    },
  };
  return writes;
}

/** Twilio's Accounts v1 semantics for one account: a secondary is accepted next to the primary; a promote swaps them. */
function fakeTwilio(primary: string) {
  let secondary: string | undefined;
  let n = 0;
  const authFailure = () => new TwilioPermanentError({ code: 20003, status: 401, message: 'Authenticate', moreInfo: null });
  const authenticates = (creds: SubaccountCredentials) => creds.authToken === twilio.primary || (secondary !== undefined && creds.authToken === secondary);
  const twilio: Pick<TwilioGateway, 'createSecondaryAuthToken' | 'promoteSecondaryAuthToken' | 'credentialsWork'> & {
    primary: string;
    calls: string[];
    crashAfterPromote: boolean;
    dropSecondary(): void;
  } = {
    primary,
    calls: [],
    crashAfterPromote: false,
    async createSecondaryAuthToken(creds) {
      twilio.calls.push('create');
      if (!authenticates(creds)) throw authFailure();
      secondary = `secondary-${++n}-${'s'.repeat(24)}`;
      return secondary;
    },
    async promoteSecondaryAuthToken(creds) {
      twilio.calls.push('promote');
      if (!authenticates(creds)) throw authFailure();
      if (secondary === undefined) throw new TwilioPermanentError({ code: 20404, status: 404, message: 'The requested resource was not found', moreInfo: null });
      twilio.primary = secondary;
      secondary = undefined;
      // Twilio acted, but its answer was lost.
      if (twilio.crashAfterPromote) throw new TwilioRetryableError({ code: null, status: null, message: 'socket hang up', moreInfo: null });
    },
    async credentialsWork(creds) {
      twilio.calls.push('check');
      return authenticates(creds);
    },
    dropSecondary() {
      secondary = undefined;
    },
  };
  return twilio;
}

async function setup() {
  const keys = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });
  const oldToken = `old-token-${'o'.repeat(22)}`;
  const record: SubaccountRecord = {
    partnerId: PARTNER,
    customerId: CUSTOMER,
    accountSid: SID,
    friendlyName: 'switchboard:cus_1',
    status: 'active',
    encryptedAuthToken: await keys.encrypt(oldToken, CONTEXT),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  const row = fakeRow(record);
  const twilio = fakeTwilio(oldToken);
  const clock = fixedClock('2026-01-02T00:00:00.000Z');
  const service = tokenRotationService({ requireRecord: async () => row.read(), subaccounts: row, keys, twilio, clock, ids: sequentialIds() });
  const tokenInUse = () => keys.decrypt(row.read().encryptedAuthToken, CONTEXT);
  return { keys, row, twilio, clock, service, oldToken, tokenInUse };
}

describe('token rotation stage machine', () => {
  it('creates, switches, promotes and finishes: the API token is Twilio’s new primary, the old one is previous for the grace period', async () => {
    const { row, twilio, clock, service, oldToken, tokenInUse, keys } = await setup();

    const result = await service.rotate(PARTNER, CUSTOMER);

    expect(result).toEqual({
      accountSid: SID,
      stages: ['created', 'switched', 'promoted', 'finished'],
      alreadyPromoted: false,
      previousTokenValidUntil: new Date(clock.now().getTime() + PREVIOUS_TOKEN_GRACE_MS).toISOString(),
    });
    const after = row.read();
    expect(after.tokenRotation).toBeUndefined();
    expect(await tokenInUse()).toBe(twilio.primary);
    expect(twilio.primary).not.toBe(oldToken);
    expect(await keys.decrypt(after.previousEncryptedAuthToken!, CONTEXT)).toBe(oldToken);
    expect(after.previousTokenValidUntil).toBe(result.previousTokenValidUntil);
    expect(JSON.stringify(result)).not.toContain(twilio.primary);
    expect(row.log).toEqual(['start', 'store', 'switch', 'finish']);
  });

  it('refuses a second rotation while one holds the lease (409), and changes nothing', async () => {
    const { row, twilio, service } = await setup();
    twilio.crashAfterPromote = true;
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toBeInstanceOf(TwilioRetryableError);
    const before = row.read();

    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toThrow(ConflictError);
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toThrow(/in progress \(stage switched\)/);
    expect(row.read()).toEqual(before);
  });

  it('resumes after a crash between the promote and the final write: the promote is found done, the rotation finishes', async () => {
    const { row, twilio, clock, service, tokenInUse } = await setup();
    twilio.crashAfterPromote = true;
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toBeInstanceOf(TwilioRetryableError);
    expect(row.read().tokenRotation?.stage).toBe('switched');
    twilio.crashAfterPromote = false;

    clock.advance(ROTATION_LEASE_MS);
    const result = await service.rotate(PARTNER, CUSTOMER);

    expect(result).toMatchObject({ stages: ['promoted', 'finished'], resumedFrom: 'switched', alreadyPromoted: true });
    expect(row.read().tokenRotation).toBeUndefined();
    expect(await tokenInUse()).toBe(twilio.primary);
    expect(twilio.calls.filter((c) => c === 'create')).toHaveLength(1);
  });

  it('resumes a crash in the final write the same way', async () => {
    const { row, twilio, clock, service } = await setup();
    row.failOn = 'finish';
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toThrow('crash before the final write');
    row.failOn = undefined;
    clock.advance(ROTATION_LEASE_MS);

    await expect(service.rotate(PARTNER, CUSTOMER)).resolves.toMatchObject({ stages: ['promoted', 'finished'], alreadyPromoted: true });
    expect(twilio.calls.filter((c) => c === 'promote')).toHaveLength(2);
  });

  it('resumes a rotation that stopped after Twilio made the secondary, before it was stored: a new secondary replaces it', async () => {
    const { row, twilio, clock, service, tokenInUse } = await setup();
    const create = twilio.createSecondaryAuthToken;
    twilio.createSecondaryAuthToken = async (creds) => {
      await create(creds);
      throw new TwilioRetryableError({ code: null, status: null, message: 'timeout', moreInfo: null });
    };
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toBeInstanceOf(TwilioRetryableError);
    expect(row.read().tokenRotation?.stage).toBe('started');
    twilio.createSecondaryAuthToken = create;
    clock.advance(ROTATION_LEASE_MS);

    await expect(service.rotate(PARTNER, CUSTOMER)).resolves.toMatchObject({ stages: ['created', 'switched', 'promoted', 'finished'], resumedFrom: 'started', alreadyPromoted: false });
    expect(await tokenInUse()).toBe(twilio.primary);
  });

  it('refuses a new rotation while the previous token is still accepted, and allows it after the deadline', async () => {
    const { clock, service } = await setup();
    const first = await service.rotate(PARTNER, CUSTOMER);
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toThrow(/still accepted until/);
    clock.advance(Date.parse(first.previousTokenValidUntil) - clock.now().getTime());
    await expect(service.rotate(PARTNER, CUSTOMER)).resolves.toMatchObject({ stages: ['created', 'switched', 'promoted', 'finished'] });
  });

  it('puts the old token back when Twilio lost the secondary before the promote', async () => {
    const { row, twilio, clock, service, tokenInUse, oldToken } = await setup();
    const promote = twilio.promoteSecondaryAuthToken;
    twilio.promoteSecondaryAuthToken = async () => {
      throw new TwilioRetryableError({ code: null, status: 503, message: 'unavailable', moreInfo: null });
    };
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toBeInstanceOf(TwilioRetryableError);
    twilio.promoteSecondaryAuthToken = promote;
    twilio.dropSecondary();
    clock.advance(ROTATION_LEASE_MS);

    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toBeInstanceOf(UpstreamError);
    expect(row.read().tokenRotation).toBeUndefined();
    expect(row.read().previousEncryptedAuthToken).toBeUndefined();
    expect(await tokenInUse()).toBe(oldToken);
  });

  it('refuses a suspended account without touching Twilio', async () => {
    const { row, twilio, keys } = await setup();
    const suspended = { ...row.read(), status: 'suspended' as const };
    const service = tokenRotationService({ requireRecord: async () => suspended, subaccounts: row, keys, twilio, clock: fixedClock(), ids: sequentialIds() });
    await expect(service.rotate(PARTNER, CUSTOMER)).rejects.toThrow(ConflictError);
    expect(twilio.calls).toEqual([]);
  });
});
