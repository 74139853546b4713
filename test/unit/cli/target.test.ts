import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { TargetError, UsageError } from '../../../infra/cli/errors';
import { configEnvironment, queueOutputKeys, readLocalPlatformFile, resolveOperationsTarget, resolveTarget, type LocalPlatform, type TargetSources } from '../../../infra/cli/target';
import { QUEUES, type QueueName } from '../../../shared/queue/queues';

const cloudFormation = mockClient(CloudFormationClient);

const PLATFORM: LocalPlatform = { dynamoEndpoint: 'http://127.0.0.1:48123', tableName: 'switchboard-local', region: 'us-east-1' };

function sources({ platform, region = 'eu-west-1' }: { platform?: LocalPlatform; region?: string } = {}) {
  const regionsAsked: Array<string | undefined> = [];
  const clientRegions: string[] = [];
  const value: TargetSources = {
    readLocalPlatform: async () => platform,
    awsRegion: async (flag) => {
      regionsAsked.push(flag);
      return flag ?? region;
    },
    cloudFormation: (r) => {
      clientRegions.push(r);
      return new CloudFormationClient({ region: r });
    },
  };
  return { value, regionsAsked, clientRegions };
}

const stack = (name: string, outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: name,
      CreationTime: new Date(0),
      StackStatus: 'UPDATE_COMPLETE' as const,
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    },
  ],
});

const missingStack = (name: string) =>
  new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: {}, message: `Stack with id ${name} does not exist` });

describe('resolveTarget', () => {
  beforeEach(() => {
    cloudFormation.reset();
  });

  describe('local', () => {
    it('reads the running local platform by default and never asks AWS', async () => {
      const { value, regionsAsked } = sources({ platform: PLATFORM });

      const target = await resolveTarget({}, true, value);

      expect(target).toEqual({ kind: 'local', endpoint: PLATFORM.dynamoEndpoint, tableName: PLATFORM.tableName, region: 'us-east-1' });
      expect(regionsAsked).toEqual([]);
      expect(cloudFormation).not.toHaveReceivedAnyCommand();
    });

    it('lets --endpoint, --table and --region override the platform file', async () => {
      const target = await resolveTarget(
        { endpoint: 'http://127.0.0.1:8000', table: 'other', region: 'eu-central-1' },
        false,
        sources({ platform: PLATFORM }).value,
      );

      expect(target).toEqual({ kind: 'local', endpoint: 'http://127.0.0.1:8000', tableName: 'other', region: 'eu-central-1' });
    });

    it('works without the platform file when endpoint and table are given', async () => {
      const target = await resolveTarget({ endpoint: 'http://127.0.0.1:8000', table: 't' }, false, sources().value);

      expect(target).toEqual({ kind: 'local', endpoint: 'http://127.0.0.1:8000', tableName: 't', region: 'us-east-1' });
    });

    it('explains how to start the platform when it is not running', async () => {
      await expect(resolveTarget({}, false, sources().value)).rejects.toThrow(
        new TargetError(
          'The local platform is not running (no .local/platform.json): start it with `npm start`, pass --endpoint and --table, or --stack for a deployed stack',
        ),
      );
    });

    it('asks for the table when only an endpoint is known', async () => {
      await expect(resolveTarget({ endpoint: 'http://127.0.0.1:8000' }, false, sources().value)).rejects.toThrow('pass --table <name>');
    });
  });

  describe('deployed stack', () => {
    it('reads TableName and UsagePlanId from the platform stack outputs', async () => {
      // Prepare
      cloudFormation
        .on(DescribeStacksCommand, { StackName: 'Switchboard-prod-Platform' })
        .resolves(stack('Switchboard-prod-Platform', { TableName: 'sb-prod', UsagePlanId: 'up123', RestApiId: 'api123' }));
      const { value, clientRegions } = sources({ region: 'eu-west-1' });

      // Act
      const target = await resolveTarget({ stack: 'Switchboard-prod-Platform' }, true, value);

      // Assess
      expect(target).toEqual({ kind: 'aws', tableName: 'sb-prod', region: 'eu-west-1', usagePlanId: 'up123', stackName: 'Switchboard-prod-Platform' });
      expect(clientRegions).toEqual(['eu-west-1']);
      expect(cloudFormation).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
    });

    it('takes the portal base from PortalBaseUrl, apart from the API URL: deployed, links open on the portal distribution', async () => {
      cloudFormation.on(DescribeStacksCommand, { StackName: 'switchboard-prod-platform' }).resolves(
        stack('switchboard-prod-platform', {
          TableName: 'sb-prod',
          UsagePlanId: 'up123',
          ApiUrl: 'https://api123.execute-api.eu-west-1.amazonaws.com/prod',
          PortalBaseUrl: 'https://d111.cloudfront.net',
        }),
      );

      const target = await resolveTarget({ stack: 'switchboard-prod-platform', region: 'eu-west-1' }, false, sources().value);

      expect(target).toMatchObject({ kind: 'aws', apiUrl: 'https://api123.execute-api.eu-west-1.amazonaws.com/prod', portalBaseUrl: 'https://d111.cloudfront.net' });
    });

    it('finds the table in the sibling stateful stack when the platform stack does not export it', async () => {
      cloudFormation
        .on(DescribeStacksCommand, { StackName: 'Switchboard-dev-Platform' })
        .resolves(stack('Switchboard-dev-Platform', { UsagePlanId: 'up1', RestApiId: 'api1' }))
        .on(DescribeStacksCommand, { StackName: 'Switchboard-dev-Stateful' })
        .resolves(stack('Switchboard-dev-Stateful', { TableName: 'sb-dev' }));

      const target = await resolveTarget({ stack: 'Switchboard-dev-Platform', region: 'us-west-2' }, true, sources().value);

      expect(target).toMatchObject({ kind: 'aws', tableName: 'sb-dev', region: 'us-west-2', usagePlanId: 'up1' });
      expect(cloudFormation).toHaveReceivedNthCommandWith(2, DescribeStacksCommand, { StackName: 'Switchboard-dev-Stateful' });
    });

    it('prefers --table and --usage-plan over the outputs', async () => {
      cloudFormation.on(DescribeStacksCommand).resolves(stack('S', { TableName: 'from-stack', UsagePlanId: 'from-stack' }));

      const target = await resolveTarget({ stack: 'S', table: 'mine', usagePlan: 'up-mine' }, true, sources().value);

      expect(target).toMatchObject({ tableName: 'mine', usagePlanId: 'up-mine' });
    });

    it('names the stack and region when the stack does not exist', async () => {
      cloudFormation.on(DescribeStacksCommand).rejects(missingStack('Switchboard-prd-Platform'));

      await expect(resolveTarget({ stack: 'Switchboard-prd-Platform' }, false, sources({ region: 'eu-west-1' }).value)).rejects.toThrow(
        new TargetError('Stack Switchboard-prd-Platform does not exist in eu-west-1'),
      );
    });

    it('says where it looked when no stack has a TableName output', async () => {
      cloudFormation
        .on(DescribeStacksCommand, { StackName: 'Switchboard-dev-Platform' })
        .resolves(stack('Switchboard-dev-Platform', { UsagePlanId: 'up1' }))
        .on(DescribeStacksCommand, { StackName: 'Switchboard-dev-Stateful' })
        .rejects(missingStack('Switchboard-dev-Stateful'));

      await expect(resolveTarget({ stack: 'Switchboard-dev-Platform' }, false, sources().value)).rejects.toThrow(
        'Stack Switchboard-dev-Platform has no TableName output (nor has Switchboard-dev-Stateful): pass --table <name>',
      );
    });

    it('requires a usage plan only for commands that change the API Gateway key', async () => {
      cloudFormation.on(DescribeStacksCommand).resolves(stack('Switchboard-dev-Stateful', { TableName: 'sb-dev' }));

      await expect(resolveTarget({ stack: 'Switchboard-dev-Stateful' }, false, sources().value)).resolves.toMatchObject({ tableName: 'sb-dev' });
      await expect(resolveTarget({ stack: 'Switchboard-dev-Stateful' }, true, sources().value)).rejects.toThrow(/has no UsagePlanId output/);
    });

    it('passes other CloudFormation failures on', async () => {
      cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

      await expect(resolveTarget({ stack: 'S' }, false, sources().value)).rejects.toThrow('Rate exceeded');
    });
  });

  describe('deployed table named explicitly', () => {
    it('is chosen by --table without --endpoint, in the SDK default region', async () => {
      const { value, regionsAsked } = sources({ platform: PLATFORM, region: 'ap-southeast-2' });

      const target = await resolveTarget({ table: 'sb-prod' }, false, value);

      expect(target).toEqual({ kind: 'aws', tableName: 'sb-prod', region: 'ap-southeast-2', usagePlanId: undefined });
      expect(regionsAsked).toEqual([undefined]);
      expect(cloudFormation).not.toHaveReceivedAnyCommand();
    });

    it('needs --usage-plan for commands that change the API Gateway key', async () => {
      await expect(resolveTarget({ table: 'sb-prod', region: 'eu-west-1' }, true, sources().value)).rejects.toThrow(UsageError);

      await expect(resolveTarget({ table: 'sb-prod', region: 'eu-west-1', usagePlan: 'up1' }, true, sources().value)).resolves.toEqual({
        kind: 'aws',
        tableName: 'sb-prod',
        region: 'eu-west-1',
        usagePlanId: 'up1',
      });
    });
  });
});

describe('configEnvironment', () => {
  it('points config at DynamoDB Local with test keys', () => {
    expect(configEnvironment({ kind: 'local', endpoint: 'http://127.0.0.1:8000', tableName: 't', region: 'us-east-1' })).toEqual({
      TABLE_NAME: 't',
      AWS_REGION: 'us-east-1',
      API_KEY_PREFIX: 'sb_test_',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
  });

  it('clears any local endpoint and issues live keys for a deployed table', () => {
    expect(configEnvironment({ kind: 'aws', tableName: 'sb-prod', region: 'eu-west-1', usagePlanId: 'up1' })).toEqual({
      TABLE_NAME: 'sb-prod',
      AWS_REGION: 'eu-west-1',
      API_KEY_PREFIX: 'sb_live_',
      DYNAMODB_ENDPOINT: undefined,
    });
  });
});

describe('readLocalPlatformFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the connection details and ignores other fields', async () => {
    const path = file('ok.json', JSON.stringify({ ...PLATFORM, webhookUrl: 'http://127.0.0.1:3000/webhooks' }));

    await expect(readLocalPlatformFile(path)).resolves.toEqual(PLATFORM);
  });

  it("reads the platform's API URL (the base of portal links) when it is there", async () => {
    const path = file('api.json', JSON.stringify({ ...PLATFORM, apiUrl: 'http://127.0.0.1:3000' }));

    await expect(readLocalPlatformFile(path)).resolves.toEqual({ ...PLATFORM, apiUrl: 'http://127.0.0.1:3000' });
  });

  it('answers undefined when the platform is not running', async () => {
    await expect(readLocalPlatformFile(join(dir, 'absent.json'))).resolves.toBeUndefined();
  });

  it('refuses a file that is not JSON', async () => {
    await expect(readLocalPlatformFile(file('bad.json', '{"dynamoEndpoint":'))).rejects.toThrow(
      new TargetError('.local/platform.json is not valid JSON: restart the local platform'),
    );
  });

  it('names the fields that are missing', async () => {
    const path = file('partial.json', JSON.stringify({ dynamoEndpoint: 'not a url', region: 'us-east-1' }));

    await expect(readLocalPlatformFile(path)).rejects.toThrow(
      new TargetError('.local/platform.json lacks valid dynamoEndpoint, tableName: restart the local platform'),
    );
  });
});

describe('resolveOperationsTarget', () => {
  beforeEach(() => {
    cloudFormation.reset();
  });
  const OPERATOR = { url: 'http://127.0.0.1:48200', token: 'a-random-operator-token' };
  const queueOutputs = (prefix: string) =>
    Object.fromEntries(
      (Object.keys(QUEUES) as QueueName[]).flatMap((queue) => {
        const keys = queueOutputKeys(queue);
        return [
          [keys.url, `https://sqs.eu-west-1.amazonaws.com/1/${prefix}-${queue}`],
          [keys.deadLetterUrl, `https://sqs.eu-west-1.amazonaws.com/1/${prefix}-${queue}-dlq`],
        ];
      }),
    );

  it('uses the running local platform and its operator endpoint, never AWS', async () => {
    const { value, regionsAsked } = sources({ platform: { ...PLATFORM, operator: OPERATOR } });

    const target = await resolveOperationsTarget({}, value);

    expect(target).toEqual({ kind: 'local', endpoint: PLATFORM.dynamoEndpoint, tableName: PLATFORM.tableName, region: 'us-east-1', operator: OPERATOR });
    expect(regionsAsked).toEqual([]);
    expect(cloudFormation).not.toHaveReceivedAnyCommand();
  });

  it('explains a platform that is not running, or one written without an operator endpoint', async () => {
    await expect(resolveOperationsTarget({}, sources().value)).rejects.toEqual(
      new TargetError('The local platform is not running (no .local/platform.json): start it with `npm start`, or pass --stack for a deployed stack'),
    );
    await expect(resolveOperationsTarget({}, sources({ platform: PLATFORM }).value)).rejects.toThrow('has no operator endpoint');
  });

  it('reads the state machine from the platform stack and every queue pair from its stateful sibling', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'switchboard-prod-platform' })
      .resolves(stack('switchboard-prod-platform', { TableName: 'sb-prod', StateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:onboarding' }))
      .on(DescribeStacksCommand, { StackName: 'switchboard-prod-stateful' })
      .resolves(stack('switchboard-prod-stateful', { TableName: 'sb-prod', ...queueOutputs('sb-prod') }));

    const target = await resolveOperationsTarget({ stack: 'switchboard-prod-platform' }, sources({ region: 'eu-west-1' }).value);

    expect(target).toMatchObject({ kind: 'aws', tableName: 'sb-prod', region: 'eu-west-1', stackName: 'switchboard-prod-platform', stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:onboarding' });
    expect(target.kind === 'aws' && target.queues['partner-replays']).toEqual({
      url: 'https://sqs.eu-west-1.amazonaws.com/1/sb-prod-partner-replays',
      deadLetterUrl: 'https://sqs.eu-west-1.amazonaws.com/1/sb-prod-partner-replays-dlq',
    });
    expect(target.kind === 'aws' && Object.keys(target.queues).sort()).toEqual(Object.keys(QUEUES).sort());
  });

  it('names the queue outputs it could not find', async () => {
    const partial = queueOutputs('sb-dev');
    delete partial[queueOutputKeys('twilio-events').deadLetterUrl];
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'switchboard-dev-platform' })
      .resolves(stack('switchboard-dev-platform', { TableName: 'sb-dev' }))
      .on(DescribeStacksCommand, { StackName: 'switchboard-dev-stateful' })
      .resolves(stack('switchboard-dev-stateful', partial));

    await expect(resolveOperationsTarget({ stack: 'switchboard-dev-platform' }, sources().value)).rejects.toEqual(
      new TargetError(
        'Stack switchboard-dev-stateful lacks the queue outputs DeadLetterQueueUrlTwilioEvents: --stack names the platform stack (switchboard-<stage>-platform), whose stateful sibling exports them',
      ),
    );
  });
});
