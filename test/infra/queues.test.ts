import { Match, Template } from 'aws-cdk-lib/assertions';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { buildApp, policyStatements, asArray } from './app-fixture';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures';

describe('work queues generated from the catalog', () => {
  let statefulTemplate: Template;
  let platformTemplate: Template;
  beforeAll(() => {
    const { stateful, platform } = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES });
    statefulTemplate = Template.fromStack(stateful);
    platformTemplate = Template.fromStack(platform);
  });
  const names = Object.keys(FIXTURE_QUEUES);

  it('creates a queue and a dead-letter queue per entry, encrypted, with the catalog redrive policy', () => {
    statefulTemplate.resourceCountIs('AWS::SQS::Queue', names.length * 2);
    for (const [name, definition] of Object.entries(FIXTURE_QUEUES)) {
      const [dlqId] = Object.keys(statefulTemplate.findResources('AWS::SQS::Queue')).filter((id) => id.startsWith(`Queues${pascalCase(name)}DeadLetterQueue`));
      expect(dlqId).toBeDefined();
      statefulTemplate.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: definition.maxReceiveCount },
      });
      statefulTemplate.hasResource('AWS::SQS::Queue', { Properties: Match.objectLike({ MessageRetentionPeriod: 14 * 24 * 3600, SqsManagedSseEnabled: true }) });
    }
  });

  it('refuses plaintext transport on every queue', () => {
    const policies = statefulTemplate.findResources('AWS::SQS::QueuePolicy');
    const covered = Object.values(policies).flatMap((policy: any) => {
      const denies = policy.Properties.PolicyDocument.Statement.filter(
        (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      return denies.length > 0 ? policy.Properties.Queues : [];
    });
    expect(covered).toHaveLength(names.length * 2);
  });

  it('alarms as soon as a dead-letter queue holds a message', () => {
    statefulTemplate.resourceCountIs('AWS::CloudWatch::Alarm', names.length);
    statefulTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesInboundMessagesDeadLetterQueue'), 'QueueName'] } }],
    });
  });

  it('wires each consumer with its batch size, its maximum concurrency when it has one, and partial batch responses', () => {
    const consumers = FIXTURE_FUNCTIONS.filter((f) => f.trigger.kind === 'queue');
    platformTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
    for (const consumer of consumers) {
      if (consumer.trigger.kind !== 'queue') continue;
      platformTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: Match.stringLikeRegexp(`^Functions${pascalCase(consumer.id)}Function`) },
        BatchSize: consumer.trigger.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: consumer.trigger.maxConcurrency ? { MaximumConcurrency: consumer.trigger.maxConcurrency } : Match.absent(),
      });
    }
  });

  it('lets a sender send to its queues only, and tells it their URLs', () => {
    const sendStatements = policyStatements(platformTemplate).filter(({ statement }) => asArray(statement.Action).includes('sqs:SendMessage'));
    const senders = FIXTURE_FUNCTIONS.filter((f) => f.access.sendTo?.length);
    expect(sendStatements).toHaveLength(senders.length);
    platformTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Twilio messaging webhook receiver',
      Environment: { Variables: Match.objectLike({ QUEUE_URLS: Match.anyValue() }) },
    });
    const receiver = Object.values(platformTemplate.findResources('AWS::Lambda::Function', { Properties: { Description: 'Twilio messaging webhook receiver' } }))[0]!;
    const queueUrls = JSON.stringify(receiver.Properties.Environment.Variables.QUEUE_URLS);
    expect(queueUrls).toContain('inbound-messages');
    expect(queueUrls).not.toContain('status-callbacks');
  });

  it('names the catalog entry when it refers to an undeclared queue', () => {
    const broken = [
      ...FIXTURE_FUNCTIONS,
      { id: 'lost', entry: 'functions/http/fallback.ts', description: 'x', trigger: { kind: 'queue' as const, queue: 'nope', batchSize: 1 }, access: {} },
    ];
    expect(() => buildApp({ functions: broken, queues: FIXTURE_QUEUES })).toThrow('Function "lost" refers to queue "nope"');
  });

  it('outputs queue and DLQ URLs for redrive', () => {
    statefulTemplate.hasOutput('QueueUrlInboundMessages', Match.anyValue());
    statefulTemplate.hasOutput('DeadLetterQueueUrlInboundMessages', Match.anyValue());
  });
});
