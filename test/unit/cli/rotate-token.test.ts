import { parseInvocation } from '../../../infra/cli/args';
import { runCli, type Connection } from '../../../infra/cli/cli';
import type { TokenRotationAdmin } from '../../../infra/cli/commands';
import { resolveTarget, twilioEnvironment, type LocalPlatform, type TargetSources } from '../../../infra/cli/target';
import { ConflictError } from '../../../shared/domain/errors';
import { PARTNER_ID, fakePartners, fakeUsage, noOperations, recordingOutput } from './fakes';

const CUSTOMER_ID = 'cus_01HV5Y7S8N0Q3Z6W9B2C4D6F8H';
const ACCOUNT = `AC${'1'.repeat(32)}`;

async function run(line: string, tokenRotation?: TokenRotationAdmin) {
  const output = recordingOutput();
  const connect = async (): Promise<Connection> => ({ partners: fakePartners().service, usage: fakeUsage().service, ...(tokenRotation ? { tokenRotation: () => tokenRotation } : {}) });
  const exitCode = await runCli(line.split(' ').filter(Boolean), { out: output.out, connectOperations: noOperations, connect });
  return { exitCode, ...output };
}

describe('switchboard subaccounts rotate-token', () => {
  it('parses --customer and --partner, checking both by shape', () => {
    expect(parseInvocation(['subaccounts', 'rotate-token', '--customer', CUSTOMER_ID, '--partner', PARTNER_ID])).toMatchObject({
      kind: 'run',
      command: { name: 'subaccounts rotate-token', customerId: CUSTOMER_ID, partnerId: PARTNER_ID },
    });
    expect(() => parseInvocation(['subaccounts', 'rotate-token', '--customer', PARTNER_ID, '--partner', PARTNER_ID])).toThrow(/--customer must be an id like cus_/);
    expect(() => parseInvocation(['subaccounts', 'rotate-token', '--customer', CUSTOMER_ID])).toThrow(/Missing required option --partner/);
  });

  it('prints the account, the stages done and the previous-token deadline, and no token', async () => {
    const calls: string[] = [];
    const rotation: TokenRotationAdmin = {
      rotate: async (partnerId, customerId) => {
        calls.push(`${partnerId}/${customerId}`);
        return { accountSid: ACCOUNT, stages: ['promoted', 'finished'], resumedFrom: 'switched', alreadyPromoted: true, previousTokenValidUntil: '2026-01-01T01:00:00.000Z' };
      },
    };
    const { exitCode, results } = await run(`subaccounts rotate-token --customer ${CUSTOMER_ID} --partner ${PARTNER_ID}`, rotation);
    expect(exitCode).toBe(0);
    expect(calls).toEqual([`${PARTNER_ID}/${CUSTOMER_ID}`]);
    expect(results).toEqual([{ accountSid: ACCOUNT, stages: ['promoted', 'finished'], resumedFrom: 'switched', alreadyPromoted: true, previousTokenValidUntil: '2026-01-01T01:00:00.000Z' }]);
  });

  it('reports a rotation in progress as a conflict (exit 1)', async () => {
    const rotation: TokenRotationAdmin = { rotate: async () => Promise.reject(new ConflictError('A token rotation is in progress')) };
    const { exitCode, errors } = await run(`subaccounts rotate-token --customer ${CUSTOMER_ID} --partner ${PARTNER_ID}`, rotation);
    expect(exitCode).toBe(1);
    expect(errors).toEqual([{ error: 'conflict', detail: 'A token rotation is in progress' }]);
  });

  it('refuses a target that names no token key with a clear target error', async () => {
    const { exitCode, errors } = await run(`subaccounts rotate-token --customer ${CUSTOMER_ID} --partner ${PARTNER_ID}`);
    expect(exitCode).toBe(1);
    expect(errors).toEqual([{ error: 'target', detail: expect.stringMatching(/local platform .*--stack <platform stack> \(its TokenKeyArn output\)/) }]);
  });

  describe('target', () => {
    const platform: LocalPlatform = { dynamoEndpoint: 'http://127.0.0.1:8000', tableName: 'switchboard', region: 'us-east-1', localMasterKey: 'a2V5', twilioBaseUrl: 'http://127.0.0.1:4010' };
    const sources = (file: LocalPlatform | undefined): TargetSources => ({
      readLocalPlatform: async () => file,
      awsRegion: async () => 'eu-west-1',
      cloudFormation: () => {
        throw new Error('not deployed');
      },
    });

    it("uses the running platform's key and sandbox for its own table", async () => {
      const target = await resolveTarget({}, false, sources(platform));
      expect(twilioEnvironment(target)).toEqual({ KEY_SERVICE: 'local', LOCAL_MASTER_KEY: 'a2V5', TWILIO_BASE_URL: 'http://127.0.0.1:4010' });
    });

    it('never lends them to another table or to a deployed target', async () => {
      expect(twilioEnvironment(await resolveTarget({ table: 'other', endpoint: 'http://127.0.0.1:8000' }, false, sources(platform)))).toBeUndefined();
      expect(twilioEnvironment(await resolveTarget({ table: 'sb-prod' }, false, sources(platform)))).toBeUndefined();
      expect(twilioEnvironment(await resolveTarget({}, false, sources({ ...platform, localMasterKey: undefined })))).toBeUndefined();
    });

    it("uses a stack's token key and real Twilio, with nothing local left over", async () => {
      const stack: TargetSources = {
        ...sources(platform),
        cloudFormation: () =>
          ({
            send: async () => ({ Stacks: [{ Outputs: [{ OutputKey: 'TableName', OutputValue: 'sb-prod' }, { OutputKey: 'TokenKeyArn', OutputValue: 'arn:aws:kms:eu-west-1:123456789012:key/abc' }] }] }),
          }) as never,
      };
      const target = await resolveTarget({ stack: 'switchboard-prod-Platform' }, false, stack);
      expect(target).toMatchObject({ kind: 'aws', tableName: 'sb-prod', tokenKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/abc' });
      expect(twilioEnvironment(target)).toEqual({ KEY_SERVICE: 'kms', KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/abc', LOCAL_MASTER_KEY: undefined, TWILIO_BASE_URL: undefined });
    });
  });
});
