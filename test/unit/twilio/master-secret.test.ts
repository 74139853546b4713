/**
 * The master secret as functions read it: Powertools' cache within its max age, Secrets Manager
 * itself when the gateway asks for a refresh (Twilio refused the cached value).
 */
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

type SecretsModule = typeof import('@aws-sdk/client-secrets-manager');

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:twilio-master-AbCdEf';
const SID = `AC${'1'.repeat(32)}`;

describe('masterCredentials', () => {
  const saved = { ...process.env };
  let masterCredentials: typeof import('../../../shared/wiring/twilio').masterCredentials;
  let sdk: SecretsModule;
  let secrets: AwsClientStub<InstanceType<SecretsModule['SecretsManagerClient']>>;

  beforeEach(() => {
    process.env = { ...saved, TWILIO_MASTER_SECRET_ARN: ARN, AWS_REGION: 'us-east-1' };
    delete process.env.TWILIO_ACCOUNT_SID;
    delete process.env.TWILIO_AUTH_TOKEN;
    jest.isolateModules(() => {
      // The same module copy the wiring (through Powertools) loads, so the stub sees its calls.
      sdk = require('@aws-sdk/client-secrets-manager') as SecretsModule;
      secrets = mockClient(sdk.SecretsManagerClient);
      ({ masterCredentials } = require('../../../shared/wiring/twilio') as typeof import('../../../shared/wiring/twilio'));
    });
  });
  afterAll(() => {
    process.env = saved;
  });

  it('serves the cached secret, and a refresh reads Secrets Manager again and refills the cache', async () => {
    secrets.on(sdk.GetSecretValueCommand).resolvesOnce({ SecretString: JSON.stringify({ accountSid: SID, authToken: 'old' }) }).resolves({ SecretString: JSON.stringify({ accountSid: SID, authToken: 'new' }) });

    expect(await masterCredentials()).toEqual({ accountSid: SID, authToken: 'old' });
    expect(await masterCredentials()).toEqual({ accountSid: SID, authToken: 'old' });
    expect(secrets.commandCalls(sdk.GetSecretValueCommand)).toHaveLength(1);

    expect(await masterCredentials({ refresh: true })).toEqual({ accountSid: SID, authToken: 'new' });
    expect(await masterCredentials()).toEqual({ accountSid: SID, authToken: 'new' });
    expect(secrets.commandCalls(sdk.GetSecretValueCommand)).toHaveLength(2);
    expect(secrets.commandCalls(sdk.GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
  });
});
