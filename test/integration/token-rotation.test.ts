import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import type { Connection } from '../../infra/cli/cli';
import type { TokenRotationAdmin } from '../../infra/cli/commands';
import type { ErrorBody } from '../../infra/cli/errors';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';

/*
 * Loaded once the platform has set the environment: these modules (through the shared logger and
 * config) read it when first loaded, as handlers do.
 */
let m: {
  cli: typeof import('../../infra/cli/cli');
  crypto: typeof import('../../shared/crypto');
  subaccountsService: typeof import('../../shared/services/subaccounts');
  support: typeof import('../../shared/services/support');
  rotation: typeof import('../../shared/services/token-rotation');
  customers: typeof import('../../shared/store/customers');
  store: typeof import('../../shared/store/subaccounts');
  errors: typeof import('../../shared/twilio/errors');
  sdk: typeof import('../../shared/twilio/sdk-gateway');
  authTokens: typeof import('../../shared/twilio/sdk/auth-tokens');
  messages: typeof import('../../shared/twilio/sdk/messages');
  wiring: typeof import('../../shared/wiring/token-rotation');
};

/**
 * A customer's token rotated on the local platform, through the operator CLI and the rotation
 * service, with the sandbox signing webhooks as Twilio does: with the primary, and with the old
 * primary for a minute after the promote. Every genuine webhook is accepted and queued throughout;
 * the old token is refused by the API at the promote and by the receivers after the deadline.
 *
 * Time: the receivers and the rotation read `Date`, which only the test moves (timers stay real).
 */
const START = Date.UTC(2026, 5, 1, 12, 0, 0);
const HANDSET = '+14155557777';

let platform: Platform;
let sandbox: TwilioSandbox;
let api: ApiClient;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  platform = await startTestPlatform('token-rotation', { twilio: 'sandbox', clock: manualClock() });
  sandbox = platform.twilioSandbox as unknown as TwilioSandbox;
  const { apiKey } = await platform.admin.createPartnerWithKey('Rotation partner');
  api = apiClient(platform.url, apiKey);
  m = {
    cli: require('../../infra/cli/cli'),
    crypto: require('../../shared/crypto'),
    subaccountsService: require('../../shared/services/subaccounts'),
    support: require('../../shared/services/support'),
    rotation: require('../../shared/services/token-rotation'),
    customers: require('../../shared/store/customers'),
    store: require('../../shared/store/subaccounts'),
    errors: require('../../shared/twilio/errors'),
    sdk: require('../../shared/twilio/sdk-gateway'),
    authTokens: require('../../shared/twilio/sdk/auth-tokens'),
    messages: require('../../shared/twilio/sdk/messages'),
    wiring: require('../../shared/wiring/token-rotation'),
  };
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  jest.useFakeTimers({
    now: START,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
});
afterAll(async () => {
  jest.useRealTimers();
  await platform?.stop();
});

const advance = (ms: number) => jest.setSystemTime(Date.now() + ms);
const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;

async function buyNumber(accountSid: string): Promise<string> {
  const response = await fetch(`${sandbox.url}/api.twilio.com/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, {
    method: 'POST',
    headers: { authorization: basic(accountSid, sandbox.account(accountSid)!.authToken), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ AreaCode: '415', SmsUrl: `${platform.webhookBaseUrl}/inbound` }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { phone_number: string }).phone_number;
}

/** Texts the number through the sandbox: it signs as Twilio would at this moment. The receiver's answer and whether it was queued. */
async function textIn(accountSid: string, number: string, body: string): Promise<{ status: number | null; queued: boolean }> {
  const before = platform.queues.messages('inbound-messages').length;
  await sandbox.simulateInbound({ from: HANDSET, to: number, body });
  const delivery = sandbox.webhooks({ kind: 'inbound', accountSid }).at(-1)!;
  return { status: delivery.status, queued: platform.queues.messages('inbound-messages').length === before + 1 };
}

/** An inbound webhook signed with a token of our choosing (Twilio would only ever use its primary). */
async function signedWith(token: string, accountSid: string, number: string): Promise<{ status: number; queued: boolean }> {
  const { getExpectedTwilioSignature } = require('twilio/lib/webhooks/webhooks') as typeof import('twilio/lib/webhooks/webhooks');
  const url = `${platform.webhookBaseUrl}/inbound`;
  const params = { AccountSid: accountSid, MessageSid: `SM${'7'.repeat(32)}`, From: HANDSET, To: number, Body: 'late retry' };
  const before = platform.queues.messages('inbound-messages').length;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(token, url, params) },
    body: new URLSearchParams(params),
  });
  await response.arrayBuffer();
  return { status: response.status, queued: platform.queues.messages('inbound-messages').length === before + 1 };
}

async function rotateWithCli(partnerId: string, customerId: string, tokenRotation: TokenRotationAdmin): Promise<{ exitCode: number; results: unknown[]; errors: ErrorBody[] }> {
  const results: unknown[] = [];
  const errors: ErrorBody[] = [];
  const connect = async (): Promise<Connection> => ({ partners: platform.admin as never, usage: undefined as never, tokenRotation: () => tokenRotation });
  const exitCode = await m.cli.runCli(['subaccounts', 'rotate-token', '--customer', customerId, '--partner', partnerId], {
    out: { result: (value) => results.push(value), error: (body) => errors.push(body), text: () => undefined },
    connect,
    connectOperations: async () => {
      throw new Error('rotate-token reaches no queue or workflow');
    },
  });
  return { exitCode, results, errors };
}

it('rotates a token with every genuine webhook accepted, survives a crash after the promote, and retires the old token at the deadline', async () => {
  const { body: customer } = await api.post('/v1/customers', customerBody());
  const { body: sub } = await api.post(`/v1/customers/${customer.id}/subaccount`, {});
  const accountSid: string = sub.accountSid;
  const partnerId = (await m.store.getSubaccount(db, platform.tableName, accountSid))!.partnerId;
  const number = await buyNumber(accountSid);
  const oldToken = sandbox.account(accountSid)!.authToken;
  sandbox.setTokenPropagation(60);

  // Before: signed with the only token there is.
  expect(await textIn(accountSid, number, 'before')).toEqual({ status: 200, queued: true });

  // The service as the CLI wires it, with a Twilio that promotes and then loses the answer (a crash between the promote and the final write).
  const keys = m.crypto.createLocalKeyService({ masterKey: platform.env.LOCAL_MASTER_KEY! });
  const subaccounts = m.store.dynamoSubaccountRepository(db, platform.tableName);
  const reader = m.subaccountsService.subaccountReader({ customers: m.customers.dynamoCustomerRepository(db, platform.tableName), subaccounts, keys });
  const sdk = m.sdk.createSdkTwilio({ master: { accountSid: sandbox.masterAccountSid, authToken: sandbox.masterAuthToken }, baseUrl: sandbox.url, retry: { maxAttempts: 1 } });
  const twilio = sdk.gateway(m.authTokens.authTokensAdapter);
  const during: Array<{ status: number | null; queued: boolean }> = [];
  const crashing = m.rotation.tokenRotationService({
    requireRecord: reader.requireRecord,
    subaccounts,
    keys,
    clock: m.support.systemClock,
    ids: m.support.ulidIds,
    twilio: {
      ...twilio,
      async promoteSecondaryAuthToken(creds) {
        // Switched, not promoted: our API uses the new token, Twilio still signs with the old one, and
        // the receivers read the switched row (new token, old as previous).
        during.push(await textIn(accountSid, number, 'during'));
        await twilio.promoteSecondaryAuthToken(creds);
        throw new m.errors.TwilioRetryableError({ code: null, status: null, message: 'socket hang up', moreInfo: null });
      },
    },
  });

  // The receivers' cached row (from the first webhook) expires, so the next webhook reads the row as it is then.
  advance(301_000);
  const crashed = await rotateWithCli(partnerId, customer.id, crashing);
  expect(crashed).toMatchObject({ exitCode: 1, errors: [{ error: 'failed', detail: expect.stringContaining('socket hang up') }] });
  expect(during).toEqual([{ status: 200, queued: true }]);
  const stuck = (await m.store.getSubaccount(db, platform.tableName, accountSid))!;
  expect(stuck.tokenRotation?.stage).toBe('switched');
  const newToken = sandbox.account(accountSid)!.authToken;
  expect(newToken).not.toBe(oldToken);

  // Promoted at Twilio, which still signs with the old token while the promote propagates.
  expect(await textIn(accountSid, number, 'propagating')).toEqual({ status: 200, queued: true });

  // A second run while the crashed one still holds its lease is refused, and changes nothing.
  const { tokenRotation } = m.wiring;
  const refused = await rotateWithCli(partnerId, customer.id, tokenRotation);
  expect(refused).toMatchObject({ exitCode: 1, errors: [{ error: 'conflict', detail: expect.stringMatching(/in progress \(stage switched\)/) }] });
  expect(await m.store.getSubaccount(db, platform.tableName, accountSid)).toEqual(stuck);

  // Once the lease lapses, the rerun finds the promote done and finishes.
  advance(m.rotation.ROTATION_LEASE_MS);
  const resumed = await rotateWithCli(partnerId, customer.id, tokenRotation);
  const deadline = new Date(Date.now() + m.rotation.PREVIOUS_TOKEN_GRACE_MS).toISOString();
  expect(resumed).toEqual({
    exitCode: 0,
    errors: [],
    results: [{ accountSid, stages: ['promoted', 'finished'], resumedFrom: 'switched', alreadyPromoted: true, previousTokenValidUntil: deadline }],
  });
  expect(JSON.stringify(resumed)).not.toContain(newToken);
  expect(JSON.stringify(resumed)).not.toContain(oldToken);
  const done = (await m.store.getSubaccount(db, platform.tableName, accountSid))!;
  expect(done).toMatchObject({ previousTokenValidUntil: deadline });
  expect(done.tokenRotation).toBeUndefined();

  // After propagation Twilio signs with the new token.
  await sandbox.advance(60);
  expect(await textIn(accountSid, number, 'after')).toEqual({ status: 200, queued: true });

  // The API now acts with the new token; the old one is refused by Twilio.
  const messages = sdk.gateway(m.messages.messagesAdapter);
  const creds = await reader.credentials(partnerId, customer.id);
  expect(creds.authToken).toBe(newToken);
  await expect(messages.sendMessage(creds, { from: number, to: HANDSET, body: 'hello after rotation' })).resolves.toHaveProperty('sid');
  await expect(messages.sendMessage({ accountSid, authToken: oldToken }, { from: number, to: HANDSET, body: 'with the old token' })).rejects.toMatchObject({ status: 401, code: 20003 });

  // A late retry signed with the old token is still genuine until the deadline, and refused from then on.
  expect(await signedWith(oldToken, accountSid, number)).toEqual({ status: 200, queued: true });
  jest.setSystemTime(Date.parse(deadline));
  expect(await signedWith(oldToken, accountSid, number)).toEqual({ status: 403, queued: false });
  expect(await signedWith(newToken, accountSid, number)).toEqual({ status: 200, queued: true });

  // With the window closed, the token can be rotated again.
  const again = await rotateWithCli(partnerId, customer.id, tokenRotation);
  expect(again).toMatchObject({ exitCode: 0, results: [{ stages: ['created', 'switched', 'promoted', 'finished'], alreadyPromoted: false }] });
});

it('refuses to rotate another partner’s customer as if it did not exist', async () => {
  const { body: customer } = await api.post('/v1/customers', customerBody());
  await api.post(`/v1/customers/${customer.id}/subaccount`, {});
  const other = await platform.admin.createPartnerWithKey('Other partner');
  const { tokenRotation } = m.wiring;
  const refused = await rotateWithCli(other.partnerId, customer.id, tokenRotation);
  expect(refused).toMatchObject({ exitCode: 1, errors: [{ error: 'not-found' }] });
});
