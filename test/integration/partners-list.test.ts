import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Platform } from '../../infra/local/platform';
import { runCli, type Connection } from '../../infra/cli/cli';
import { startTestPlatform } from '../support/local-platform';
import { noOperations, recordingOutput } from '../unit/cli/fakes';

/** `switchboard partners list` over DynamoDB Local: the CLI, the partner service and the registry partition, no fakes. */
let platform: Platform;
let connection: Connection;
let client: typeof import('../../shared/store/client');
beforeAll(async () => {
  // A table of its own: the registry partition holds exactly the partners this file creates.
  platform = await startTestPlatform('partners-list');
  // After the platform has set the environment, as the CLI's connect does.
  client = require('../../shared/store/client');
  connection = {
    partners: (require('../../shared/wiring/partners') as typeof import('../../shared/wiring/partners')).partners,
    usage: (require('../../shared/wiring/usage') as typeof import('../../shared/wiring/usage')).tableUsage,
  };
});
afterAll(() => platform?.stop());

async function cli(line: string) {
  const output = recordingOutput();
  const exitCode = await runCli(line.split(' '), { out: output.out, connectOperations: noOperations, connect: async () => connection });
  return { exitCode, results: output.results, errors: output.errors };
}

describe('partners list over DynamoDB Local', () => {
  it('lists two created partners, one of them suspended, with their statuses', async () => {
    // Prepare
    const a = (await cli('partners create --name Alpha')).results[0].partner;
    const b = (await cli('partners create --name Bravo')).results[0].partner;
    expect((await cli(`partners suspend --id ${b.id}`)).exitCode).toBe(0);

    // Act
    const listed = await cli('partners list');

    // Assess
    expect(listed.exitCode).toBe(0);
    expect(listed.results).toEqual([
      {
        partners: [
          { id: a.id, name: 'Alpha', status: 'active', createdAt: a.createdAt },
          { id: b.id, name: 'Bravo', status: 'suspended', createdAt: b.createdAt },
        ],
      },
    ]);

    // The registry follows the status back, and the partner row and its entry agree.
    await cli(`partners reactivate --id ${b.id}`);
    expect((await cli('partners list')).results[0].partners.map((p: { status: string }) => p.status)).toEqual(['active', 'active']);
    const { Items = [] } = await client.documentClient.send(
      new QueryCommand({ TableName: client.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'PARTNERS' } }),
    );
    expect(Items.map((i) => [i.sk, i.status])).toEqual([
      [`PARTNER#${a.id}`, 'active'],
      [`PARTNER#${b.id}`, 'active'],
    ]);
  });

  it('pages with --limit and --cursor: a cursor while more follow, then null; a cursor it did not make is a usage error', async () => {
    const first = await cli('partners list --limit 1');
    expect(first.results[0].partners).toHaveLength(1);
    expect(first.results[0].nextCursor).toEqual(expect.any(String));
    const all = (await cli('partners list')).results[0].partners;
    const rest = await cli(`partners list --limit ${all.length - 1} --cursor ${first.results[0].nextCursor}`);
    expect(rest.results).toEqual([{ partners: all.slice(1), nextCursor: null }]);
    expect((await cli(`partners list --limit ${all.length}`)).results).toEqual([{ partners: all, nextCursor: null }]);

    const refused = await cli('partners list --cursor bm9wZQ');
    expect(refused.exitCode).toBe(2);
    expect(refused.errors[0]).toMatchObject({ error: 'usage', detail: '--cursor is not a nextCursor of partners list' });
  });

  it('refuses to suspend a partner that does not exist, and lists nothing for it', async () => {
    const before = (await cli('partners list')).results[0].partners;
    const missing = await cli('partners suspend --id ptn_01HV5Y7S8N0Q3Z6W9B2C4D6F8G');
    expect(missing.exitCode).toBe(1);
    expect(missing.errors[0]).toMatchObject({ error: expect.stringContaining('not-found') });
    expect((await cli('partners list')).results[0].partners).toEqual(before);
  });
});
