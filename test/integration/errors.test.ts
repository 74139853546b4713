import fc from 'fast-check';
import type { Platform } from '../../infra/local/platform';
import { apiClient, customerBody, expectProblem, startTestPlatform, type ApiClient } from '../support/local-platform';

/** Every client mistake has its own 4xx, as problem+json with a pointer to the fault — never a 5xx, never a partial write. */
let platform: Platform;
let api: ApiClient;
let existing: Record<string, unknown>;

beforeAll(async () => {
  platform = await startTestPlatform('errors');
  api = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Errors partner')).apiKey);
  existing = (await api.post('/v1/customers', customerBody({ displayName: 'Existing' }))).body;
});
afterAll(() => platform?.stop());

const customerCount = async () => (await api.get('/v1/customers?limit=100')).body.data.length as number;
const fields = (problem: { errors?: { field: string }[] }) => problem.errors?.map((e) => e.field) ?? [];

describe('request errors', () => {
  it('refuses malformed JSON with 400 malformed-json', async () => {
    for (const raw of ['{', '{"legalName":', 'not json', '{"a":1}}']) {
      const problem = expectProblem(await api.request('POST', '/v1/customers', { raw, headers: { 'content-type': 'application/json' } }), 400);
      expect(problem.type).toMatch(/malformed-json$/);
    }
  });

  it('refuses a body that is not JSON with 415', async () => {
    const raw = JSON.stringify(customerBody());
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      expectProblem(await api.request('POST', '/v1/customers', { raw, headers: { 'content-type': contentType } }), 415);
    }
    expectProblem(await api.request('POST', '/v1/customers', { raw }), 415);
    expectProblem(await api.request('PATCH', `/v1/customers/${existing.id}`, { raw: '{"displayName":"x"}', headers: { 'content-type': 'text/plain' } }), 415);
  });

  it('accepts a charset parameter and +json media types', async () => {
    const raw = JSON.stringify(customerBody({ displayName: 'Charset' }));
    expect((await api.request('POST', '/v1/customers', { raw, headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(201);
    expect((await api.request('PATCH', `/v1/customers/${existing.id}`, { raw: '{"displayName":"Existing"}', headers: { 'content-type': 'application/merge-patch+json' } })).status).toBe(200);
  });

  it('refuses a body over 256 KB with 413 and creates nothing', async () => {
    const before = await customerCount();
    const big = customerBody({ legalName: 'x'.repeat(300 * 1024) });
    expect(expectProblem(await api.post('/v1/customers', big), 413).type).toMatch(/payload-too-large$/);
    expect(await customerCount()).toBe(before);
  });

  it('answers 404 for unknown routes, with or without a key', async () => {
    for (const path of ['/v2/customers', '/v1/customer', '/v1/customers/x/y/z', '/', '/v1/customers/']) {
      expectProblem(await api.get(path), 404);
      expectProblem(await apiClient(platform.url).get(path), 404);
    }
  });

  it('answers 405 with the Allow header for methods a route does not define', async () => {
    const collection = await api.request('DELETE', '/v1/customers');
    expectProblem(collection, 405);
    expect(collection.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'POST']);
    const item = await api.request('PUT', `/v1/customers/${existing.id}`, { body: customerBody() });
    expectProblem(item, 405);
    expect(item.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH']);
  });
});

describe('no mass assignment', () => {
  const serverOwned = {
    id: 'cus_01JF3X0000000000000000AAAA',
    partnerId: 'ptn_someone_else',
    status: 'closed',
    createdAt: '2020-01-01T00:00:00.000Z',
    updatedAt: '2020-01-01T00:00:00.000Z',
    accountSid: 'AC0123456789abcdef0123456789abcdef',
    version: 99,
    isAdmin: true,
  };

  it.each(Object.entries(serverOwned))('refuses %s on create with 400 naming it, and creates nothing', async (name, value) => {
    const before = await customerCount();
    const problem = expectProblem(await api.post('/v1/customers', customerBody({ [name]: value })), 400);
    expect(fields(problem)).toEqual([`body.${name}`]);
    expect(await customerCount()).toBe(before);
  });

  it.each(Object.entries(serverOwned))('refuses %s on patch with 400 naming it, and changes nothing', async (name, value) => {
    existing = (await api.get(`/v1/customers/${existing.id}`)).body;
    const problem = expectProblem(await api.patch(`/v1/customers/${existing.id}`, { displayName: 'Changed', [name]: value }), 400);
    expect(fields(problem)).toEqual([`body.${name}`]);
    expect((await api.get(`/v1/customers/${existing.id}`)).body).toEqual(existing);
  });

  it('names unknown nested fields with their full path', async () => {
    const body = customerBody();
    const problem = expectProblem(await api.post('/v1/customers', { ...body, contact: { ...(body.contact as object), ssn: '123-45-6789' } }), 400);
    expect(fields(problem)).toEqual(['body.contact.ssn']);
  });

  it('points at every invalid field of a body', async () => {
    const problem = expectProblem(await api.post('/v1/customers', customerBody({ website: 'not a url', address: { ...(customerBody().address as object), isoCountry: 'usa' } })), 400);
    expect(fields(problem).sort()).toEqual(['body.address.isoCountry', 'body.website']);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key and body, creating one customer', async () => {
    const before = await customerCount();
    const body = customerBody({ displayName: 'Idempotent' });
    const first = await api.post('/v1/customers', body, { 'idempotency-key': 'create-1' });
    const second = await api.post('/v1/customers', body, { 'idempotency-key': 'create-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await customerCount()).toBe(before + 1);
  });

  it('refuses the same key with a different body with 422, creating nothing', async () => {
    await api.post('/v1/customers', customerBody({ displayName: 'Key reuse' }), { 'idempotency-key': 'create-2' });
    const before = await customerCount();
    const problem = expectProblem(await api.post('/v1/customers', customerBody({ displayName: 'Another' }), { 'idempotency-key': 'create-2' }), 422);
    expect(problem.type).toMatch(/idempotency-key-reused$/);
    expect(await customerCount()).toBe(before);
  });

  it('keeps keys per partner: the same key of another partner creates its own customer', async () => {
    const other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Other')).apiKey);
    const body = customerBody({ displayName: 'Shared key' });
    const mine = await api.post('/v1/customers', body, { 'idempotency-key': 'shared-key' });
    const theirs = await other.post('/v1/customers', body, { 'idempotency-key': 'shared-key' });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect((await other.get(`/v1/customers/${mine.body.id}`)).status).toBe(404);
  });

  it.each([['too long', 'k'.repeat(256)], ['with a space', 'a b'], ['non-ASCII', 'clé']])('refuses a key %s with 400', async (_, key) => {
    const before = await customerCount();
    const reply = await api.request('POST', '/v1/customers', {
      raw: JSON.stringify(customerBody()),
      headers: { 'content-type': 'application/json', 'idempotency-key': encodeURIComponent(key) === key ? key : Buffer.from(key, 'utf8').toString('latin1') },
    });
    expect(fields(expectProblem(reply, 400))).toEqual(['header.Idempotency-Key']);
    expect(await customerCount()).toBe(before);
  });
});

describe('garbage in, clear error out (fuzz)', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const customerish = fc.record(
    { legalName: json, displayName: json, businessType: json, industry: json, website: json, contact: json, address: json, registration: json, companyType: json, regionsOfOperation: json },
    { requiredKeys: [] },
  );

  it('never answers 5xx to random bodies on create and patch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, customerish), fc.constantFrom('POST', 'PATCH'), async (body, method) => {
        const path = method === 'POST' ? '/v1/customers' : `/v1/customers/${existing.id}`;
        const reply = await api.request(method, path, { body });
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) expect(reply.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 60, seed: 20250101 },
    );
    expect((await api.get(`/v1/customers/${existing.id}`)).status).toBe(200);
  });

  it('never answers 5xx to random paths, methods and query strings', async () => {
    const segment = fc.oneof(fc.constantFrom('v1', 'customers', existing.id as string, '..', '%00', '%E0%A4%A', '{id}'), fc.webSegment());
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 4 }),
        fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'),
        fc.webQueryParameters(),
        async (segments, method, query) => {
          const reply = await api.request(method, `/${segments.join('/')}${query ? `?${query}` : ''}`, method === 'GET' ? {} : { body: {} });
          expect(reply.status).toBeLessThan(500);
        },
      ),
      { numRuns: 80, seed: 20250102 },
    );
  });
});
