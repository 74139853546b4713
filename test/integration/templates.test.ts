import { manualClock, type ManualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import type { TwilioSandbox } from '../../infra/local/twilio-sandbox';
import { apiClient, customerBody, expectProblem, partnerEventLog, startTestPlatform, type ApiClient } from '../support/local-platform';
import { newCustomer, sandboxOf } from '../workflow/support';

/**
 * WhatsApp templates end to end on the local platform: the real handlers over HTTP, DynamoDB
 * Local, the Twilio sandbox running the review on its clock, and the scheduled refresh run by hand
 * on the platform's manual clock (no sleeping).
 */
const REVIEW_SECONDS = 10;
let platform: Platform;
let sandbox: TwilioSandbox;
let clock: ManualClock;
let api: ApiClient;
let other: ApiClient;
let customerId: string;
let accountSid: string;
let seq = 0;

const body = (patch: Record<string, unknown> = {}) => ({
  name: `order_shipped_${++seq}`,
  language: 'en',
  category: 'UTILITY',
  variables: { '1': 'Ana', '2': 'A-1234' },
  content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive within three days. Thank you.' },
  ...patch,
});
const path = (suffix = '') => `/v1/customers/${customerId}/templates${suffix}`;

/** The sandbox walks its reviews, then the scheduled refresh asks Twilio about what is undecided. */
async function review(steps = 2): Promise<void> {
  for (let i = 0; i < steps; i++) await sandbox.advance(REVIEW_SECONDS);
  clock.advance(60_000);
  await platform.schedules.runDue();
}

const templateEvents = async (templateId: string) => (await partnerEventLog(api)).filter((e) => e.type === 'template.updated' && e.data.templateId === templateId);

beforeAll(async () => {
  clock = manualClock();
  platform = await startTestPlatform('templates', { twilio: 'sandbox', clock, sandboxReviewSeconds: REVIEW_SECONDS });
  sandbox = sandboxOf(platform);
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Templates partner')).apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
  customerId = await newCustomer(api, customerBody());
  const sub = await api.post(`/v1/customers/${customerId}/subaccount`, undefined);
  expect(sub.status).toBeLessThan(300);
  accountSid = sub.body.accountSid;
}, 60_000);
afterAll(() => platform?.stop());

describe('WhatsApp templates', () => {
  it('creates a template in the subaccount, submits it and shows it approved after the review', async () => {
    const created = await api.post(path(), body());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^tpl_/), contentSid: expect.stringMatching(/^HX/), status: 'received', category: 'UTILITY', categoryChanged: false });
    const [content] = sandbox.requests({ method: 'POST', path: '/v1/Content', accountSid });
    expect(content?.json).toMatchObject({ friendly_name: created.body.id, language: 'en', variables: { 1: 'Ana', 2: 'A-1234' }, types: { 'twilio/text': { body: expect.any(String) } } });
    expect(sandbox.requests({ method: 'POST', path: `/v1/Content/${created.body.contentSid}/ApprovalRequests/whatsapp` }).map((r) => r.json)).toEqual([{ name: created.body.name, category: 'UTILITY' }]);

    await review();
    const fetched = await api.get(path(`/${created.body.id}`));
    expect(fetched.body).toMatchObject({ status: 'approved', rejectionReason: null, checkedAt: expect.any(String) });
    expect((await templateEvents(created.body.id)).map((e) => e.data.status)).toEqual(['received', 'approved']);
    // Decided: the refresh no longer asks about it.
    const asked = sandbox.requests({ method: 'GET', path: `/v1/Content/${created.body.contentSid}/ApprovalRequests` }).length;
    await review(0);
    expect(sandbox.requests({ method: 'GET', path: `/v1/Content/${created.body.contentSid}/ApprovalRequests` }).length).toBe(asked);
  });

  it('a retried create returns the same template and creates no second Content resource', async () => {
    const input = body();
    const first = await api.post(path(), input);
    const again = await api.post(path(), input);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(sandbox.requests({ method: 'POST', path: '/v1/Content', accountSid }).filter((r) => (r.json as { friendly_name?: string }).friendly_name === first.body.id)).toHaveLength(1);
    // The same name with other content is taken.
    const taken = await api.post(path(), { ...input, variables: { '1': 'Bo', '2': 'B-1' } });
    expectProblem(taken, 422);
    expect(taken.body.errors).toEqual([expect.objectContaining({ field: 'body.name' })]);
  });

  it('the lint reports every finding with its field, and the create refuses errors before Twilio', async () => {
    const bad = body({ name: 'Bad Name', content: { type: 'text', body: '{{1}} get 20% off with https://bit.ly/x {{3}}' }, variables: { '1': 'Ana' } });
    const linted = await api.post(path('/lint'), bad);
    expect(linted.status).toBe(200);
    expect(linted.body.ok).toBe(false);
    const fields = linted.body.findings.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.content.body', 'body.variables.3', 'body.category']));
    const calls = sandbox.requests({ accountSid }).length;
    const refused = await api.post(path(), bad);
    expectProblem(refused, 422);
    expect(refused.body.type).toMatch(/template-lint-failed$/);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['body.name', 'body.content.body', 'body.variables.3']));
    expect(sandbox.requests({ accountSid }).length).toBe(calls);
    expect((await api.post(path('/lint'), body())).body).toEqual({ ok: true, findings: [] });
  });

  it('a rejected template shows its reason, and its resubmission is a linked new version', async () => {
    const rejected = await api.post(path(), body({ content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive soon [fail:template]. Thanks.' } }));
    expect(rejected.status).toBe(201);
    await review();
    const shown = (await api.get(path(`/${rejected.body.id}`))).body;
    expect(shown).toMatchObject({ status: 'rejected', rejectionReason: expect.stringMatching(/INVALID_FORMAT/) });

    const name = `${shown.name}_v2`;
    const fixed = { name, content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped and will arrive soon. Thanks.' } };
    const next = await api.post(path(`/${rejected.body.id}/resubmit`), fixed);
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ name, previousVersionId: rejected.body.id, status: 'received', variables: shown.variables });
    expect((await api.get(path(`/${rejected.body.id}`))).body.nextVersionId).toBe(next.body.id);
    // The same resubmission again is the same version; another one is a conflict.
    expect((await api.post(path(`/${rejected.body.id}/resubmit`), fixed)).body.id).toBe(next.body.id);
    expectProblem(await api.post(path(`/${rejected.body.id}/resubmit`), { ...fixed, name: `${name}_b` }), 409);
    await review();
    expect((await api.get(path(`/${next.body.id}`))).body.status).toBe('approved');
    // Only a rejected template is resubmitted.
    expectProblem(await api.post(path(`/${next.body.id}/resubmit`), { name: `${name}_c` }), 409);
  });

  it('shows a category Meta changed, and a pause then a disable', async () => {
    const moved = await api.post(path(), body({ content: { type: 'text', body: 'Hello {{1}}, your order {{2}} has shipped [recategorize:MARKETING] and arrives soon. Thanks.' } }));
    sandbox.addRule({ type: 'template', action: 'disable', accountSid });
    const disabled = await api.post(path(), body());
    // Reviewed, approved and paused by Meta before the refresh looks: it sees the pause.
    await review(3);
    expect((await api.get(path(`/${moved.body.id}`))).body).toMatchObject({ status: 'approved', category: 'MARKETING', requestedCategory: 'UTILITY', categoryChanged: true });
    expect((await templateEvents(moved.body.id)).at(-1)?.data).toMatchObject({ status: 'approved', category: 'MARKETING', categoryChanged: true });
    expect((await api.get(path(`/${disabled.body.id}`))).body).toMatchObject({ status: 'paused', rejectionReason: expect.stringMatching(/PAUSED/) });
    // A paused template is still undecided: the refresh keeps asking, and sees it disabled.
    await review(1);
    expect((await api.get(path(`/${disabled.body.id}`))).body).toMatchObject({ status: 'disabled', rejectionReason: expect.stringMatching(/DISABLED/) });
    expect((await templateEvents(disabled.body.id)).map((e) => e.data.status)).toEqual(['received', 'paused', 'disabled']);
  });

  it('lists with filters and pages, and deletes at Twilio', async () => {
    const listed = await api.get(path('?status=approved&limit=1'));
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0].status).toBe('approved');
    expect(listed.body.nextCursor).toEqual(expect.any(String));
    const nextPage = await api.get(path(`?status=approved&limit=1&cursor=${listed.body.nextCursor}`));
    expect(nextPage.body.data[0].id).not.toBe(listed.body.data[0].id);
    expect((await api.get(path('?category=AUTHENTICATION'))).body).toEqual({ data: [], nextCursor: null });

    const doomed = (await api.post(path(), body())).body;
    expect((await api.request('DELETE', path(`/${doomed.id}`))).status).toBe(204);
    expect(sandbox.requests({ method: 'DELETE', path: `/v1/Content/${doomed.contentSid}` }).map((r) => r.status)).toEqual([204]);
    expectProblem(await api.get(path(`/${doomed.id}`)), 404);
    // The name is free again.
    expect((await api.post(path(), { ...body(), name: doomed.name })).status).toBe(201);
  });

  it('answers 404 for foreign ids and problem+json for bad input', async () => {
    const mine = (await api.get(path())).body.data[0];
    expectProblem(await other.get(path()), 404);
    expectProblem(await other.get(path(`/${mine.id}`)), 404);
    expectProblem(await other.post(path(), body()), 404);
    expectProblem(await other.post(path('/lint'), body()), 404);
    expectProblem(await other.request('DELETE', path(`/${mine.id}`)), 404);
    expectProblem(await other.post(path(`/${mine.id}/resubmit`), { name: 'x_v2' }), 404);
    expectProblem(await api.get(path('/tpl_nope')), 404);
    const bad = await api.post(path(), { ...body(), category: 'PROMO', status: 'approved' });
    expectProblem(bad, 400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['body.category', 'body.status']));
    expectProblem(await api.get(path('?limit=500')), 400);
    expectProblem(await api.get(path('?cursor=garbage')), 400);
  });
});
