import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { manualClock } from '../../infra/local/clock';
import type { Platform } from '../../infra/local/platform';
import { customerErasure } from '../../shared/services/customer-erasure';
import { customerErasureStore } from '../../shared/store/customer-erasure';
import { dynamoCustomerRepository } from '../../shared/store/customers';
import { accountKey, consentStateKey, customerErasablePartitions, customerKey, whatsAppWindowKey } from '../../shared/store/keys';
import { dynamoSubaccountRepository } from '../../shared/store/subaccounts';
import { dynamoWhatsAppWindows } from '../../shared/store/whatsapp-windows';
import { apiClient, customerBody, expectProblem, partnerEventLog, startTestPlatform, type ApiClient } from '../support/local-platform';
import { CAMPAIGN, newCustomer, runToEnd, sandboxOf } from '../workflow/support';

/**
 * Offboarding over HTTP on the local platform: a customer with messages in both directions, an
 * opt-out and a WhatsApp window is closed, then deleted. Its personal data leaves the table; its
 * contacts' consent ledger stays; another customer is untouched. The table is read directly to
 * prove what is left, since the API answers 404 for the erased customer.
 */
let platform: Platform;
let api: ApiClient;
let other: ApiClient;
let partnerId: string;
let db: DynamoDBDocumentClient;
let seq = 0;
const handset = () => `+1415555${String(7300 + ++seq).padStart(4, '0')}`;

async function onboarded(): Promise<{ id: string; number: string; accountSid: string }> {
  const id = await newCustomer(api, customerBody());
  expect((await api.post(`/v1/customers/${id}/onboarding`, { brandType: 'STANDARD', campaign: CAMPAIGN, numbers: { count: 1 } })).status).toBe(202);
  expect((await runToEnd(platform, `${id}-a1`)).status).toBe('SUCCEEDED');
  const number = (await api.get(`/v1/customers/${id}/numbers`)).body.data[0].phoneNumber;
  const accountSid = (await api.get(`/v1/customers/${id}/subaccount`)).body.accountSid;
  return { id, number, accountSid };
}

/** A customer's history: two sends, a handset's reply, its STOP and a WhatsApp message (opening a window row). */
async function converse(customer: { id: string; number: string }): Promise<string> {
  const contact = handset();
  expect((await api.post(`/v1/customers/${customer.id}/messages`, { to: contact, body: 'Acme: your order shipped. Reply STOP to opt out.' })).status).toBe(201);
  expect((await api.post(`/v1/customers/${customer.id}/messages`, { to: handset(), body: 'Acme: your table is ready.' })).status).toBe(201);
  const sandbox = sandboxOf(platform);
  await sandbox.simulateInbound({ from: contact, to: customer.number, body: 'Thanks' });
  await sandbox.simulateInbound({ from: contact, to: customer.number, body: 'STOP' });
  await platform.queues.drain();
  return contact;
}

const rowsIn = async (pk: string) => (await db.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }))).Items ?? [];
const row = async (key: Record<string, string>) => (await db.send(new GetCommand({ TableName: platform.tableName, Key: key, ConsistentRead: true }))).Item;
const erasableRows = async (customerId: string) => (await Promise.all(customerErasablePartitions(partnerId, customerId).map(rowsIn))).flat();

beforeAll(async () => {
  platform = await startTestPlatform('customer-deletion', { twilio: 'sandbox', clock: manualClock() });
  const partner = await platform.admin.createPartnerWithKey('Offboarding partner');
  partnerId = partner.partnerId;
  api = apiClient(platform.url, partner.apiKey);
  other = apiClient(platform.url, (await platform.admin.createPartnerWithKey('Another partner')).apiKey);
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.dynamoDbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
}, 120_000);
afterAll(() => platform?.stop());

describe('DELETE /v1/customers/{id}', () => {
  it('refuses a customer whose subaccount is not closed with 409, and erases nothing', async () => {
    const customer = await onboarded();
    await converse(customer);
    const before = (await erasableRows(customer.id)).length;
    const refused = expectProblem(await api.request('DELETE', `/v1/customers/${customer.id}`), 409);
    expect(refused.type).toMatch(/customer-not-closed$/);
    expect(refused.detail).toContain('/subaccount/close');
    expect((await erasableRows(customer.id)).length).toBe(before);
    expect((await api.get(`/v1/customers/${customer.id}`)).status).toBe(200);
  });

  it("after the close removes the customer's personal data, keeps its contacts' consent ledger, and tells the partner once", async () => {
    const customer = await onboarded();
    const contact = await converse(customer);
    const neighbour = await onboarded();
    await converse(neighbour);
    const neighbourRows = (await erasableRows(neighbour.id)).length;
    // The contact also wrote on WhatsApp (as the inbound consumer records it): that window row sits
    // in the consent partition, and must go while the ledger stays.
    await dynamoWhatsAppWindows(db, platform.tableName).opened(partnerId, customer.id, contact, new Date().toISOString());
    expect(await row(whatsAppWindowKey(partnerId, customer.id, contact))).toBeDefined();
    expect((await api.post(`/v1/customers/${customer.id}/subaccount/close`, undefined)).status).toBe(200);
    const ledgerBefore = await rowsIn(consentStateKey(partnerId, customer.id, contact).pk);
    expect(ledgerBefore.filter((r) => String(r.sk).startsWith('RECORD#'))).not.toHaveLength(0);

    expectProblem(await other.request('DELETE', `/v1/customers/${customer.id}`), 404);
    const deleted = await api.request('DELETE', `/v1/customers/${customer.id}`);
    expect(deleted.status).toBe(204);

    expectProblem(await api.get(`/v1/customers/${customer.id}`), 404);
    expectProblem(await api.get(`/v1/customers/${customer.id}/messages`), 404);
    expectProblem(await api.request('DELETE', `/v1/customers/${customer.id}`), 404);
    expect(await erasableRows(customer.id)).toEqual([]);
    expect(await row(customerKey(partnerId, customer.id))).toBeUndefined();
    expect(await row(accountKey(customer.accountSid))).toBeUndefined();
    expect(await row(whatsAppWindowKey(partnerId, customer.id, contact))).toBeUndefined();
    // The consent state and every ledger record with its evidence are still there, and no message body.
    const ledgerAfter = await rowsIn(consentStateKey(partnerId, customer.id, contact).pk);
    expect(ledgerAfter.filter((r) => r.sk !== 'WINDOW#whatsapp')).toEqual(ledgerBefore.filter((r) => r.sk !== 'WINDOW#whatsapp'));
    expect(JSON.stringify(ledgerAfter)).not.toContain('your order shipped');

    const events = await partnerEventLog(api);
    expect(events.filter((e) => e.type === 'customer.deleted')).toEqual([
      expect.objectContaining({ customerId: customer.id, data: { deletedAt: expect.any(String), accountSid: customer.accountSid } }),
    ]);
    // The neighbour keeps everything.
    expect((await erasableRows(neighbour.id)).length).toBe(neighbourRows);
    expect((await api.get(`/v1/customers/${neighbour.id}/messages`)).body.data).not.toHaveLength(0);
  });

  it('deletes a customer that never had a subaccount at once', async () => {
    const id = await newCustomer(api, customerBody());
    expect((await api.request('DELETE', `/v1/customers/${id}`)).status).toBe(204);
    expectProblem(await api.get(`/v1/customers/${id}`), 404);
  });

  it('a call cut short by its time budget leaves the customer in place, and the next calls finish the erasure', async () => {
    const customer = await onboarded();
    await converse(customer);
    await converse(customer);
    expect((await api.post(`/v1/customers/${customer.id}/subaccount/close`, undefined)).status).toBe(200);
    // Each reading of this clock is a millisecond later: a 2 ms budget allows one page a call.
    let tick = Date.parse('2026-06-01T00:00:00Z');
    const service = customerErasure({
      customers: dynamoCustomerRepository(db, platform.tableName),
      subaccounts: dynamoSubaccountRepository(db, platform.tableName),
      erasure: customerErasureStore(db, platform.tableName),
      // The final transaction as the event log commits it, without the event (the HTTP test above checks that).
      events: { appendWith: async (_p, _e, items) => (await db.send(new TransactWriteCommand({ TransactItems: items })), { committed: true, events: [] }) },
      clock: { now: () => new Date(tick++) },
      budgetMs: 2,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 30 && outcomes.at(-1) !== 'deleted'; i++) {
      outcomes.push((await service.erase(partnerId, customer.id)).status);
      if (outcomes.at(-1) === 'erasing') expect((await api.get(`/v1/customers/${customer.id}`)).status).toBe(200);
    }
    expect(outcomes[0]).toBe('erasing');
    expect(outcomes.at(-1)).toBe('deleted');
    expect(await erasableRows(customer.id)).toEqual([]);
    expectProblem(await api.get(`/v1/customers/${customer.id}`), 404);
  });
});
