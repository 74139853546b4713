import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { dynamoWebhookRefusalStore } from '../../../shared/store/webhook-refusals';
import { createRefusalRecorder } from '../../../shared/webhooks/refusals';

const tenant = (n: number) => ({ accountSid: `AC${String(n).padStart(32, '0')}`, partnerId: 'ptn_A', customerId: `cus_${n}`, encryptedAuthToken: 'opaque' });
const START = Date.UTC(2026, 0, 2, 3, 59, 30);

function recorder(options: { fail?: boolean; maxTenants?: number } = {}) {
  let clock = START;
  const writes: Array<{ customerId: string; count: number; reason: string; at: string; webhook: string }> = [];
  const failures: unknown[] = [];
  const refused = createRefusalRecorder({
    kind: 'inbound',
    now: () => clock,
    ...(options.maxTenants ? { maxTenants: options.maxTenants } : {}),
    store: {
      async add({ customerId, count, reason, at, webhook }) {
        if (options.fail) throw new Error('ProvisionedThroughputExceededException');
        writes.push({ customerId, count, reason, at, webhook });
      },
    },
    failed: (error) => failures.push(error),
  });
  return { refused, writes, failures, advance: (ms: number) => void (clock += ms) };
}

describe('refusal recorder', () => {
  it('writes the first refusal of a tenant at once and coalesces a flood into one write a minute', async () => {
    const r = recorder();
    for (let i = 0; i < 100; i++) await r.refused(tenant(1), 'signature-mismatch');
    expect(r.writes).toEqual([{ customerId: 'cus_1', count: 1, reason: 'signature-mismatch', at: new Date(START).toISOString(), webhook: 'inbound' }]);

    r.advance(60_000);
    await r.refused(tenant(1), 'malformed-signature');
    // The 99 held in memory travel with the next write.
    expect(r.writes[1]).toMatchObject({ count: 100, reason: 'malformed-signature' });
  });

  it('counts each tenant apart, and forgets the oldest beyond its bound', async () => {
    const r = recorder({ maxTenants: 2 });
    await r.refused(tenant(1), 'signature-mismatch');
    await r.refused(tenant(2), 'signature-mismatch');
    await r.refused(tenant(3), 'signature-mismatch');
    // Tenant 1 was forgotten, so its next refusal is written again rather than held.
    await r.refused(tenant(1), 'signature-mismatch');
    expect(r.writes.map((w) => w.customerId)).toEqual(['cus_1', 'cus_2', 'cus_3', 'cus_1']);
  });

  it('reports a failed write and never throws: the refusal stands without it', async () => {
    const r = recorder({ fail: true });
    await expect(r.refused(tenant(1), 'signature-mismatch')).resolves.toBeUndefined();
    expect(r.failures).toHaveLength(1);
  });
});

describe('refusal counter store', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  beforeEach(() => ddb.reset());

  it('ADDs to the hour of the refusal in the partner partition, with the reason, the time and a TTL, and nothing else', async () => {
    ddb.on(UpdateCommand).resolves({});
    const store = dynamoWebhookRefusalStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), 'tbl');
    await store.add({ partnerId: 'ptn_A', customerId: 'cus_1', webhook: 'status', reason: 'signature-mismatch', at: '2026-01-02T03:59:30.000Z', count: 3 });
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: 'WEBHOOK_REFUSALS#ptn_A', sk: '2026-01-02T03#cus_1' });
    expect(input.UpdateExpression).toMatch(/^ADD #count :count SET /);
    expect(input.ExpressionAttributeValues).toEqual({
      ':count': 3, ':entity': 'WebhookRefusalCounter', ':partner': 'ptn_A', ':customer': 'cus_1', ':hour': '2026-01-02T03',
      ':reason': 'signature-mismatch', ':webhook': 'status', ':at': '2026-01-02T03:59:30.000Z', ':ttl': Date.UTC(2026, 0, 9, 3, 59, 30) / 1000,
    });
    expect(input.ConditionExpression).toBeUndefined();
  });
});
