import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';

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
