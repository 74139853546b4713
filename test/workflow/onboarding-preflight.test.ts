import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from './support';

/**
 * Nothing billable starts before the whole plan is known to be valid: the preflight's findings
 * (with the field each points at), the start refusing on any error with nothing created at
 * Twilio, resumed onboardings keeping their options, and options for a running or completed
 * onboarding refused instead of ignored. The real steps on the sandbox, time moved by hand.
 */
let platform: Platform;
let sandbox: TwilioSandbox;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('onboarding-preflight', { twilio: 'sandbox', clock: manualClock() });
  sandbox = sandboxOf(platform);
  const { apiKey } = await platform.admin.createPartnerWithKey('Preflight partner');
  api = apiClient(platform.url, apiKey);
}, 60_000);
afterAll(() => platform?.stop());
afterEach(() => {
  for (const rule of sandbox.rules()) sandbox.removeRule(rule.id);
});

const OPTIONS = { brandType: 'STANDARD', mock: true, campaign: CAMPAIGN, numbers: { count: 1 } };
/** Every request that created something at Twilio (any account). */
const twilioCreates = () => sandbox.requests({ method: 'POST' }).length;

/** The partner's events about one customer, paging through GET /v1/events. */
async function eventsOf(customerId: string): Promise<Array<{ type: string; data: Record<string, any> }>> {
  const all: Array<{ type: string; customerId?: string; data: Record<string, any> }> = [];
  for (let after: string | undefined, page = 0; page < 100; page++) {
    const reply = await api.get(`/v1/events?limit=100${after ? `&after=${after}` : ''}`);
    all.push(...reply.body.data);
    if (reply.body.nextCursor === null) break;
    after = reply.body.nextCursor;
  }
  return all.filter((e) => e.customerId === customerId);
}

interface Finding {
  severity: 'error' | 'warning';
  code: string;
  field: string;
  message: string;
}

describe('onboarding preflight', () => {
  it('finds nothing wrong with a complete plan, and creates nothing', async () => {
    const id = await newCustomer(api, customerBody());
    const before = twilioCreates();
    const reply = await api.post(`/v1/customers/${id}/onboarding/preflight`, OPTIONS);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true, findings: [] });
    expect(twilioCreates()).toBe(before);
    expect((await api.get(`/v1/customers/${id}/onboarding`)).status).toBe(404);
  });

  it('points every finding at the customer or option field to fix, errors before warnings', async () => {
    const FLAWED_CAMPAIGN = {
      ...CAMPAIGN,
      messageFlow: 'Customers get these messages after they buy something from the online store.',
      messageSamples: ['Acme: your order shipped, track it at https://bit.ly/3xYz', 'Your parcel was delivered today, call 415-555-0199 with questions.'],
    };
    const id = await newCustomer(api, customerBody({ registration: { type: 'EIN', number: '00-0000000' }, website: 'http://acme.example.com' }));
    const reply = await api.post(`/v1/customers/${id}/onboarding/preflight`, {
      ...OPTIONS,
      campaign: FLAWED_CAMPAIGN,
      numbers: { count: 1, areaCode: 415 },
      surprise: true,
    });
    expect(reply.status).toBe(200);
    // Options that do not parse are findings of their own; the rules on content run once they do.
    expect(reply.body).toEqual({ ok: false, findings: [expect.objectContaining({ severity: 'error', code: 'unknown-option', field: 'options.surprise' })] });
    const again = await api.post(`/v1/customers/${id}/onboarding/preflight`, {
      ...OPTIONS,
      campaign: FLAWED_CAMPAIGN,
    });
    const list = (again.body.findings as Finding[]).map(({ severity, code, field }) => `${severity} ${code} ${field}`);
    expect(list).toEqual([
      'error ein-invalid customer.registration.number',
      'error samples-without-opt-out options.campaign.messageSamples',
      'error undeclared-link options.campaign.messageSamples.0',
      'error url-shortener options.campaign.messageSamples.0',
      'error undeclared-phone options.campaign.messageSamples.1',
      'warning website-not-https customer.website',
      'warning sample-without-brand options.campaign.messageSamples.1',
      'warning message-flow-without-consent options.campaign.messageFlow',
    ]);
    expect((again.body.findings as Finding[]).every((f) => f.message.length > 10)).toBe(true);
  });

  it('says when the numbers asked for cannot be had', async () => {
    const id = await newCustomer(api, customerBody());
    const reply = await api.post(`/v1/customers/${id}/onboarding/preflight`, { ...OPTIONS, numbers: { count: 2, areaCode: 415, contains: '99999999' } });
    expect(reply.body.findings).toEqual([expect.objectContaining({ severity: 'error', code: 'numbers-unavailable', field: 'options.numbers.areaCode', message: expect.stringContaining('2 wanted') })]);
  });

  it('answers 404 for another partner’s customer', async () => {
    const id = await newCustomer(api, customerBody());
    const other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Other partner')).apiKey);
    expect((await other.post(`/v1/customers/${id}/onboarding/preflight`, OPTIONS)).status).toBe(404);
  });
});

describe('onboarding start', () => {
  it('refuses an empty request with every finding, before anything exists at Twilio', async () => {
    const id = await newCustomer(api, customerBody({ registration: { type: 'EIN', number: '00-0000000' } }));
    const before = twilioCreates();
    const reply = await api.post(`/v1/customers/${id}/onboarding`, {});
    expect(reply.status).toBe(422);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/onboarding-preflight-failed$/), status: 422 });
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toEqual(['customer.registration.number', 'options.campaign']);
    expect(twilioCreates()).toBe(before);
    expect((await api.get(`/v1/customers/${id}/onboarding`)).status).toBe(404);
    expect((await api.get(`/v1/customers/${id}/subaccount`)).status).toBe(404);
  });

  it('a resumed onboarding keeps the previous options; what is given is laid over them; each run ends with its event', async () => {
    sandbox.addRule({ type: 'fail', step: 'campaign', times: 1, errors: [{ code: 30893, description: 'Message samples do not match the use case', fields: ['MessageSamples'] }] });
    const id = await newCustomer(api, customerBody());
    const first = await api.post(`/v1/customers/${id}/onboarding`, OPTIONS);
    expect(first.status).toBe(202);
    expect((await runToEnd(platform, first.body.executionName)).status).toBe('FAILED');
    const failed = (await eventsOf(id)).filter((e) => e.type === 'onboarding.failed');
    expect(failed).toEqual([expect.objectContaining({ data: expect.objectContaining({ attempt: 1, failedStep: 'campaign', errors: [expect.objectContaining({ code: 30893 })] }) })]);

    // Only what changes: two numbers instead of one; the campaign is the one given before.
    const second = await api.post(`/v1/customers/${id}/onboarding`, { numbers: { count: 2 } });
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ attempt: 2 });
    expect((await runToEnd(platform, second.body.executionName)).status).toBe('SUCCEEDED');
    const numbers = await api.get(`/v1/customers/${id}/numbers`);
    expect(numbers.body.data).toHaveLength(2);
    const ends = (await eventsOf(id)).filter((e) => e.type === 'onboarding.completed' || e.type === 'onboarding.failed');
    expect(ends.map((e) => `${e.type} ${e.data.attempt}`)).toEqual(['onboarding.failed 1', 'onboarding.completed 2']);
    expect(ends[1]!.data.sids).toMatchObject({ accountSid: expect.stringMatching(/^AC/), brandSid: expect.stringMatching(/^BN/), campaignSid: expect.stringMatching(/^QE/), messagingServiceSid: expect.stringMatching(/^MG/) });
  });

  it('refuses new options for a running or completed onboarding, naming what to call instead; the same ones again change nothing', async () => {
    const id = await newCustomer(api, customerBody());
    const first = await api.post(`/v1/customers/${id}/onboarding`, OPTIONS);
    expect(first.status).toBe(202);

    const whileRunning = await api.post(`/v1/customers/${id}/onboarding`, { numbers: { count: 3 } });
    expect(whileRunning.status).toBe(409);
    expect(whileRunning.body.detail).toMatch(/running/);
    expect(whileRunning.body.detail).toContain(`POST /v1/customers/${id}/numbers`);
    expect((await api.post(`/v1/customers/${id}/onboarding`, OPTIONS)).status).toBe(200);
    expect((await api.post(`/v1/customers/${id}/onboarding`, {})).status).toBe(200);

    expect((await runToEnd(platform, first.body.executionName)).status).toBe('SUCCEEDED');
    const afterwards = await api.post(`/v1/customers/${id}/onboarding`, { campaign: { ...CAMPAIGN, useCase: 'MIXED' } });
    expect(afterwards.status).toBe(409);
    expect(afterwards.body.detail).toContain(`POST /v1/customers/${id}/campaigns`);
    expect((await api.post(`/v1/customers/${id}/onboarding`, {})).status).toBe(200);
    expect(platform.workflow.executions().filter((e) => e.name.startsWith(id))).toHaveLength(1);
  });
});
