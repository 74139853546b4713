import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';

let platform: Platform;
let sandbox: TwilioSandbox;
let a: ApiClient;
let b: ApiClient;
/** Everything the handlers log while this file runs (Powertools writes JSON lines to stdout). */
const logged: string[] = [];
let restoreWrites: () => void;

function captureOutput(): () => void {
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown) => {
    logged.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}

beforeAll(async () => {
  restoreWrites = captureOutput();
  // Debug logs on, so the secret-leak assertion below covers the chattiest configuration.
  platform = await startTestPlatform('subaccounts', { twilio: 'sandbox', env: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
  sandbox = platform.twilioSandbox as unknown as TwilioSandbox;
  a = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Partner A')).apiKey);
  b = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Partner B')).apiKey);
});
afterAll(async () => {
  await platform?.stop();
  restoreWrites?.();
});

const accountCreates = () => sandbox.requests({ method: 'POST', path: /\/Accounts\.json$/ }).length;

async function newCustomer(api: ApiClient, name: string): Promise<string> {
  const created = await api.post('/v1/customers', customerBody({ displayName: name }));
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('subaccounts over HTTP with the Twilio sandbox', () => {
  it('creates one subaccount per customer; a repeat call returns it without touching Twilio', async () => {
    const id = await newCustomer(a, 'Sub One');
    const before = accountCreates();
    const first = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      customerId: id,
      accountSid: expect.stringMatching(/^AC[0-9a-f]{32}$/),
      friendlyName: `switchboard:${id}`,
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const again = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(accountCreates() - before).toBe(1);
    expect(sandbox.account(first.body.accountSid)).toMatchObject({ friendlyName: `switchboard:${id}`, status: 'active' });

    const customer = await a.get(`/v1/customers/${id}`);
    expect(customer.body.accountSid).toBe(first.body.accountSid);
    expect((await a.get(`/v1/customers/${id}/subaccount`)).body).toEqual(first.body);
  });

  it('keeps the subaccount invisible and untouchable to another partner', async () => {
    const id = await newCustomer(a, 'Sub Private');
    const created = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    const before = accountCreates();
    for (const path of ['', '/suspend', '/reactivate', '/close']) {
      expectProblem(await b.post(`/v1/customers/${id}/subaccount${path}`, undefined), 404);
    }
    expectProblem(await b.get(`/v1/customers/${id}/subaccount`), 404);
    expect(accountCreates()).toBe(before);
    expect(sandbox.account(created.body.accountSid)!.status).toBe('active');
  });

  it('survives Twilio throttling the create (retried with backoff) and still creates exactly one', async () => {
    const id = await newCustomer(a, 'Sub Throttled');
    const before = accountCreates();
    sandbox.addRule({ type: 'throttle', path: 'api.twilio.com/2010-04-01/Accounts.json', method: 'POST', times: 2 });
    const created = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    expect(created.status).toBe(201);
    // Two throttled attempts and the successful one reached Twilio; one account exists.
    expect(accountCreates() - before).toBe(3);
    expect(sandbox.requests({ method: 'GET', path: /\/Accounts\.json$/ }).length).toBeGreaterThan(0);
  });

  it('answers a Twilio outage with a retryable 503, and the retry creates exactly one', async () => {
    const id = await newCustomer(a, 'Sub Outage');
    const before = accountCreates();
    sandbox.addRule({ type: 'server-error', path: 'api.twilio.com/2010-04-01/Accounts.json', method: 'POST', times: 1 });
    const failed = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    const problem = expectProblem(failed, 503);
    expect(problem.type).toMatch(/twilio-unavailable$/);
    expect(failed.headers.get('retry-after')).toBe('5');
    // A create that may have reached Twilio is not blindly retried; the partner's retry adopts or creates once.
    expect(accountCreates() - before).toBe(1);
    expectProblem(await a.get(`/v1/customers/${id}/subaccount`), 404);
    const retried = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    expect(retried.status).toBe(201);
    expect(accountCreates() - before).toBe(2);
    const mine = sandbox.requests({ method: 'POST', path: /\/Accounts\.json$/ }).filter((r) => JSON.stringify(r).includes(id));
    expect(mine.length).toBe(2);
    expect((await a.get(`/v1/customers/${id}/subaccount`)).body.accountSid).toBe(retried.body.accountSid);
  });

  it("follows Twilio's lifecycle and keeps closed terminal", async () => {
    const id = await newCustomer(a, 'Sub Lifecycle');
    const { body } = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    const suspended = await a.post(`/v1/customers/${id}/subaccount/suspend`, undefined);
    expect(suspended.body).toMatchObject({ status: 'suspended' });
    expect(sandbox.account(body.accountSid)!.status).toBe('suspended');
    expect((await a.get(`/v1/customers/${id}`)).body.status).toBe('suspended');
    expect((await a.post(`/v1/customers/${id}/subaccount/reactivate`, undefined)).body).toMatchObject({ status: 'active' });
    expect((await a.post(`/v1/customers/${id}/subaccount/close`, undefined)).body).toMatchObject({ status: 'closed' });
    expect(sandbox.account(body.accountSid)!.status).toBe('closed');
    const reopen = expectProblem(await a.post(`/v1/customers/${id}/subaccount/reactivate`, undefined), 409);
    expect(reopen.detail).toMatch(/closed/);
    expect((await a.get(`/v1/customers/${id}`)).body.status).toBe('closed');
  });

  it('emits subaccount.suspended, .reactivated and .closed once each in GET /v1/events, none on a repeated call', async () => {
    const id = await newCustomer(a, 'Sub Events');
    const { body } = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    for (const action of ['suspend', 'suspend', 'reactivate', 'reactivate', 'close', 'close']) {
      expect((await a.post(`/v1/customers/${id}/subaccount/${action}`, undefined)).status).toBe(200);
    }
    const events = (await a.get('/v1/events?limit=100')).body.data.filter(
      (e: { type: string; customerId?: string }) => e.customerId === id && /^subaccount\.(suspended|reactivated|closed)$/.test(e.type),
    );
    expect(events.map((e: { type: string; data: object }) => ({ type: e.type, data: e.data }))).toEqual([
      { type: 'subaccount.suspended', data: expect.objectContaining({ accountSid: body.accountSid, status: 'suspended', previousStatus: 'active' }) },
      { type: 'subaccount.reactivated', data: expect.objectContaining({ accountSid: body.accountSid, status: 'active', previousStatus: 'suspended' }) },
      { type: 'subaccount.closed', data: expect.objectContaining({ accountSid: body.accountSid, status: 'closed', previousStatus: 'active' }) },
    ]);
    // Another partner never sees them.
    const others = (await b.get('/v1/events?limit=100')).body.data.filter((e: { customerId?: string }) => e.customerId === id);
    expect(others).toEqual([]);
  });

  it('refuses a subaccount for a customer that does not exist', async () => {
    expectProblem(await a.post('/v1/customers/cus_01JF0000000000000000000000/subaccount', undefined), 404);
    expectProblem(await a.get('/v1/customers/cus_01JF0000000000000000000000/subaccount'), 404);
  });

  it('never writes a subaccount token or its ciphertext to a response or a log line', async () => {
    const id = await newCustomer(a, 'Sub Secrets');
    const created = await a.post(`/v1/customers/${id}/subaccount`, undefined);
    const token = sandbox.account(created.body.accountSid)!.authToken;
    expect(token.length).toBeGreaterThan(16);
    const responses = [JSON.stringify(created.body), JSON.stringify((await a.get(`/v1/customers/${id}/subaccount`)).body), JSON.stringify((await a.get(`/v1/customers/${id}`)).body)];
    for (const text of responses) expect(text).not.toContain(token);
    const output = logged.join('');
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(token);
    expect(output).not.toContain(sandbox.masterAuthToken);
    expect(output).not.toMatch(/encryptedAuthToken"\s*:\s*"[A-Za-z0-9+/=]{20,}/);
  });
});
