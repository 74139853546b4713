import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient, type Reply } from '../support/local-platform';

let platform: Platform;
let api: ApiClient;

beforeAll(async () => {
  platform = await startTestPlatform('customers');
  const { apiKey } = await platform.admin.createPartnerWithKey('Customers test partner');
  api = apiClient(platform.url, apiKey);
});
afterAll(() => platform?.stop());

describe('customers over HTTP', () => {
  it('creates, fetches, lists and patches a customer', async () => {
    const created = await api.post('/v1/customers', customerBody({ displayName: 'Acme One' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toBe('application/json');
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^cus_/), status: 'active', displayName: 'Acme One' });
    expect(created.headers.get('location')).toBe(`/v1/customers/${created.body.id}`);
    expect(created.body).not.toHaveProperty('partnerId');
    expect(created.body).not.toHaveProperty('version');

    const fetched = await api.get(`/v1/customers/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    const listed = await api.get('/v1/customers');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((c: { id: string }) => c.id)).toContain(created.body.id);

    const patched = await api.patch(`/v1/customers/${created.body.id}`, { displayName: 'Acme Renamed', address: { ...customerBody().address as object, city: 'Oakland' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.body.id, displayName: 'Acme Renamed', legalName: 'Acme Widgets LLC', address: { city: 'Oakland' } });
    expect(patched.body.createdAt).toBe(created.body.createdAt);

    const again = await api.get(`/v1/customers/${created.body.id}`);
    expect(again.body).toEqual(patched.body);
  });

  it('answers 404 for a customer that does not exist', async () => {
    const problem = expectProblem(await api.get('/v1/customers/cus_01JF3X0000000000000000ZZZZ'), 404);
    expect(problem.type).toMatch(/not-found$/);
  });

  it('refuses a patch that would break a cross-field rule, and keeps the customer', async () => {
    const { body: customer } = await api.post('/v1/customers', customerBody());
    const problem = expectProblem(await api.patch(`/v1/customers/${customer.id}`, { companyType: 'public' }), 400);
    expect(problem.errors?.map((e) => e.field)).toContain('body.stockTicker');
    expect((await api.get(`/v1/customers/${customer.id}`)).body).toEqual(customer);
  });
});

describe('customer pagination', () => {
  let pager: ApiClient;
  let createdIds: string[];

  beforeAll(async () => {
    // A partner of its own, so the page contents are exactly what this block created.
    pager = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Pagination partner')).apiKey);
    createdIds = [];
    for (let i = 1; i <= 7; i++) createdIds.push((await pager.post('/v1/customers', customerBody({ displayName: `Page ${i}` }))).body.id);
  });

  async function allPages(limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const reply: Reply<{ data: { id: string }[]; nextCursor: string | null }> = await pager.get(`/v1/customers?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(reply.status).toBe(200);
      expect(reply.body.data.length).toBeLessThanOrEqual(limit);
      pages.push(reply.body.data.map((c) => c.id));
      cursor = reply.body.nextCursor;
    } while (cursor && pages.length < 20);
    return pages;
  }

  it.each([1, 3, 5])('walks every customer exactly once, newest first, with limit %i', async (limit) => {
    const pages = await allPages(limit);
    expect(pages.flat()).toEqual([...createdIds].reverse());
    expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    expect(new Set(pages.flat()).size).toBe(createdIds.length);
  });

  it('returns everything on one page with limit 100 and a null nextCursor on the last page', async () => {
    const reply = await pager.get('/v1/customers?limit=100');
    expect(reply.body.data.map((c: { id: string }) => c.id)).toEqual([...createdIds].reverse());
    expect(reply.body.nextCursor).toBeNull();
    const createdAt = reply.body.data.map((c: { createdAt: string }) => c.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
  });

  it('answers exactly `limit` customers with a null nextCursor, and never an empty last page', async () => {
    const whole = await pager.get(`/v1/customers?limit=${createdIds.length}`);
    expect(whole.body).toEqual({ data: expect.any(Array), nextCursor: null });
    expect(whole.body.data).toHaveLength(createdIds.length);

    const first = await pager.get(`/v1/customers?limit=${createdIds.length - 1}`);
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual([...createdIds].reverse().slice(0, -1));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const last = await pager.get(`/v1/customers?limit=${createdIds.length - 1}&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(last.body).toEqual({ data: [expect.objectContaining({ id: createdIds[0] })], nextCursor: null });
  });

  it("refuses another partner's cursor and another list's cursor with 400 naming query.cursor", async () => {
    await api.post('/v1/customers', customerBody());
    await api.post('/v1/customers', customerBody());
    const foreign: string = (await api.get('/v1/customers?limit=1')).body.nextCursor;
    expect(foreign).toEqual(expect.any(String));
    expect(expectProblem(await pager.get(`/v1/customers?cursor=${encodeURIComponent(foreign)}`), 400).errors).toEqual([
      { field: 'query.cursor', message: expect.any(String) },
    ]);
    const otherList = await pager.get(`/v1/customers/${createdIds[0]}/opt-outs?cursor=${encodeURIComponent((await pager.get('/v1/customers?limit=1')).body.nextCursor)}`);
    expect(expectProblem(otherList, 400).errors?.map((e) => e.field)).toEqual(['query.cursor']);
  });

  it.each(['0', '101', 'abc', '-1', '1.5', ''])('refuses limit=%j with 400 naming query.limit', async (limit) => {
    const problem = expectProblem(await pager.get(`/v1/customers?limit=${limit}`), 400);
    expect(problem.errors?.map((e) => e.field)).toEqual(['query.limit']);
  });

  it('refuses a repeated or unknown query parameter', async () => {
    expect(expectProblem(await pager.get('/v1/customers?limit=1&limit=2'), 400).errors).toEqual([expect.objectContaining({ field: 'query.limit' })]);
    expect(expectProblem(await pager.get('/v1/customers?sort=asc'), 400).errors).toEqual([expect.objectContaining({ field: 'query.sort' })]);
  });

  it('refuses invalid and tampered cursors with 400 naming query.cursor', async () => {
    const { body } = await pager.get('/v1/customers?limit=2');
    const valid: string = body.nextCursor;
    const forged = (after: string) => Buffer.from(JSON.stringify({ after })).toString('base64url');
    const flipped = valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A');
    for (const cursor of ['garbage', valid.slice(0, -3), flipped, forged('PARTNER#ptn_other'), forged('cus_short'), 'x'.repeat(201)]) {
      const problem = expectProblem(await pager.get(`/v1/customers?cursor=${encodeURIComponent(cursor)}`), 400);
      expect(problem.errors?.map((e) => e.field)).toEqual(['query.cursor']);
    }
  });
});
